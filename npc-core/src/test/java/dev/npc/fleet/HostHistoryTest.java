package dev.npc.fleet;

import dev.npc.host.HostState;
import dev.npc.host.Result;
import dev.npc.json.Json;
import dev.npc.store.Layout;
import dev.npc.store.Store;
import dev.npc.store.StoreOptions;
import dev.npc.store.Stores;
import dev.npc.testing.EmbeddedS3;
import dev.npc.testing.FaultProxy;
import dev.npc.testing.StateBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A host's newest history records, as the fleet page reads them: bounded, newest first, hostile ones reported. */
class HostHistoryTest {
    @TempDir
    Path tmp;

    @Test
    void theNewestRecordsComeFirstABrokenOneSaysWhyAndTheBoundHolds() throws Exception {
        try (Store store = Stores.open(tmp.toUri().toString(), StoreOptions.DEFAULT)) {
            HostState ok = StateBuilder.host("web-1").attempted("a".repeat(64), Result.SUCCESS).build();
            HostState bad = StateBuilder.host("web-1").attempted("b".repeat(64), Result.ROLLED_BACK, "health check failed", null).build();
            store.put(Layout.history("web-1", "20261122T100000.000Z", "success"), Json.write(ok), Map.of());
            store.put(Layout.history("web-1", "20261122T110000.000Z", "rolled-back"), Json.write(bad), Map.of());
            store.put(Layout.history("web-1", "20261122T120000.000Z", "failed"), "{not json".getBytes(StandardCharsets.UTF_8), Map.of());
            store.put(Layout.historyPrefix("web-1") + "notes.txt", "not a record".getBytes(StandardCharsets.UTF_8), Map.of());
            store.put(Layout.history("web-10", "20261122T130000.000Z", "success"), Json.write(ok), Map.of());

            HostHistory history = new HostHistory(store);
            List<HostHistory.Entry> two = history.newest("web-1", 2);
            assertEquals(2, two.size(), two.toString());
            assertEquals("failed", two.get(0).result());
            assertNull(two.get(0).state());
            assertTrue(two.get(0).problem().contains(Layout.history("web-1", "20261122T120000.000Z", "failed")), two.get(0).problem());
            assertEquals(Result.ROLLED_BACK, two.get(1).state().lastAttempt().result());
            assertEquals("health check failed", two.get(1).state().lastAttempt().error());

            List<HostHistory.Entry> all = history.newest("web-1", 20);
            assertEquals(List.of("failed", "rolled-back", "success"), all.stream().map(HostHistory.Entry::result).toList(),
                    "only this host's records, newest first");
            assertEquals(List.of(), history.newest("web-2", 20), "a host without records has none");

            // A record never changes once written: a later read lists, and GETs only what is new.
            store.delete(Layout.history("web-1", "20261122T100000.000Z", "success"));
            store.put(Layout.history("web-1", "20261122T100000.000Z", "success"), Json.write(bad), Map.of());
            assertEquals(Result.SUCCESS, history.newest("web-1", 20).get(2).state().lastAttempt().result());
            history.retainHosts(Set.of("web-2"));
            assertEquals(Result.ROLLED_BACK, history.newest("web-1", 20).get(2).state().lastAttempt().result(),
                    "a host no longer shown is forgotten and read afresh");
        }
    }

    /** A record cut on the way (S3Proxy behind {@link FaultProxy}) says why, is not kept, and the next look reads it. */
    @Test
    void aRecordDamagedOnTheWayIsShownWithWhyAndReadAgainNextTime() throws Exception {
        HostState rolledBack = StateBuilder.host("web-1")
                .attempted("b".repeat(64), Result.ROLLED_BACK, "health check failed", null).build();
        String key = Layout.history("web-1", "20261122T110000.000Z", "rolled-back");
        try (EmbeddedS3 s3 = EmbeddedS3.start();
             FaultProxy proxy = FaultProxy.start(s3.endpoint());
             Store store = s3.openThrough(proxy.endpointUrl(), "history", null)) {
            store.put(key, Json.write(rolledBack), Map.of());
            HostHistory history = new HostHistory(store);
            proxy.inject(FaultProxy.Fault.TRUNCATED_BODY, "GET", "/" + key, 1);

            HostHistory.Entry damaged = history.newest("web-1", 5).get(0);
            assertEquals(1, proxy.served(FaultProxy.Fault.TRUNCATED_BODY), proxy.log().toString());
            assertNull(damaged.state());
            assertTrue(damaged.problem().startsWith(key + " arrived damaged"), damaged.problem());

            HostHistory.Entry next = history.newest("web-1", 5).get(0);
            assertEquals("health check failed", next.state().lastAttempt().error(), next.toString());
        }
    }
}
