package dev.npc.tests.cli;

import dev.npc.fleet.RolloutRecord;
import dev.npc.fleet.RolloutRecord.State;
import dev.npc.fleet.RolloutRecord.WaveState;
import dev.npc.host.HostState;
import dev.npc.host.Result;
import dev.npc.json.InvalidDocumentException;
import dev.npc.json.Json;
import dev.npc.remote.RemoteMetadata;
import dev.npc.store.Layout;
import dev.npc.store.Store;
import dev.npc.store.StoreOptions;
import dev.npc.store.Stores;
import dev.npc.testing.StateBuilder;
import dev.npc.testing.TestFlakes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** npc rollout leaves rollouts/last.json saying how far it got, for the fleet page and npc watch. */
class RolloutRecordTest {
    @TempDir
    Path tmp;
    String storeUrl;
    Store store;

    @BeforeEach
    void setUp() throws Exception {
        storeUrl = tmp.resolve("store").toUri().toString();
        store = Stores.open(storeUrl, StoreOptions.DEFAULT);
        Path flake = TestFlakes.minimal(tmp.resolve("flake"));
        assertEquals(0, npc("push", "--src", flake.toString(), "--remote", "staging").exitCode());
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private CliRun npc(String... args) {
        return CliRun.npcWith(List.of("--store", storeUrl), args);
    }

    @Test
    void aRolloutStoppedByAFailingWaveIsRecordedWaveByWave() throws Exception {
        String version = store.head(Layout.remote("staging")).orElseThrow().meta(RemoteMetadata.SHA256);
        npc("hosts", "set", "canary-1", "--remote", "prod-canary");
        npc("hosts", "set", "web-1", "--remote", "prod");
        // The canary reports a rollback of the version after it was promoted: the wave fails.
        HostState rolledBack = StateBuilder.host("canary-1").at(java.time.Instant.now().plusSeconds(5))
                .desired("prod-canary", version).attempted(version, Result.ROLLED_BACK, "nginx.service failed", null).build();
        store.put(Layout.state("canary-1"), Json.write(rolledBack), Map.of());

        CliRun rollout = npc("rollout", "--from", "staging", "--through", "prod-canary,prod", "--create",
                "--timeout", "5s", "--every", "100ms");
        assertEquals(1, rollout.exitCode(), rollout::toString);

        RolloutRecord record = RolloutRecord.read(store).orElseThrow();
        assertEquals(State.STOPPED, record.state());
        assertEquals("staging", record.from());
        assertEquals(version, record.version());
        assertEquals(List.of("prod-canary", "prod"), record.waves().stream().map(RolloutRecord.Wave::remote).toList());
        assertEquals(WaveState.FAILED, record.waves().get(0).state());
        assertTrue(record.waves().get(0).detail().contains("canary-1"), record.waves().get(0)::toString);
        assertEquals(WaveState.NOT_REACHED, record.waves().get(1).state());
    }

    @Test
    void aCompleteRolloutIsRecordedAsComplete() throws Exception {
        assertEquals(0, npc("rollout", "--from", "staging", "--through", "wave-1,wave-2", "--create",
                "--allow-empty-wave", "--timeout", "1s", "--every", "100ms").exitCode());
        RolloutRecord record = RolloutRecord.read(store).orElseThrow();
        assertEquals(State.COMPLETE, record.state());
        assertEquals(List.of(WaveState.UP_TO_DATE, WaveState.UP_TO_DATE),
                record.waves().stream().map(RolloutRecord.Wave::state).toList());
    }

    @Test
    void aHostileRecordIsRefusedWithItsName() throws Exception {
        store.put(Layout.ROLLOUT, ("{\"schema\":1,\"from\":\"../x\",\"version\":\"" + "a".repeat(64)
                + "\",\"state\":\"running\",\"waves\":[]}").getBytes(StandardCharsets.UTF_8), Map.of());
        InvalidDocumentException e = assertThrows(InvalidDocumentException.class, () -> RolloutRecord.read(store));
        assertTrue(e.getMessage().startsWith(Layout.ROLLOUT), e.getMessage());
        assertTrue(RolloutRecord.read(Stores.open(tmp.resolve("empty").toUri().toString(), StoreOptions.DEFAULT)).isEmpty());
    }
}
