package dev.npc.fleet;

import dev.npc.host.Desired;
import dev.npc.json.Json;
import dev.npc.remote.RemoteMetadata;
import dev.npc.store.GetResult;
import dev.npc.store.Layout;
import dev.npc.store.ObjectInfo;
import dev.npc.store.Precondition;
import dev.npc.store.Store;
import dev.npc.store.StoreException;
import dev.npc.store.StoreOptions;
import dev.npc.store.Stores;
import dev.npc.host.Result;
import dev.npc.testing.EmbeddedS3;
import dev.npc.testing.FaultProxy;
import dev.npc.testing.FaultProxy.Fault;
import dev.npc.testing.StateBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FleetReaderTest {
    @TempDir
    Path tmp;

    @Test
    void oneUnreadableHostDoesNotHideTheFleetAndRepeatedReadsCostOnly304s() throws Exception {
        try (Store files = Stores.open(tmp.toUri().toString(), StoreOptions.DEFAULT)) {
            String version = "c".repeat(64);
            files.put(Layout.remote("prod"), new byte[]{1}, new RemoteMetadata(1, version, 1, null, null, null).toMap());
            for (String host : List.of("web-1", "web-2")) {
                files.put(Layout.desired(host), Json.write(Desired.of("prod")), Map.of());
                files.put(Layout.state(host), Json.write(StateBuilder.host(host).running("prod", version).build()), Map.of());
            }
            CountingStore store = new CountingStore(files, Layout.state("web-2"));
            FleetReader reader = new FleetReader(store, 4);

            FleetReader.Fleet fleet = reader.read(new StatusClassifier(Instant.now(), 3), remote -> true);
            assertEquals(2, fleet.hosts().size());
            HostView broken = fleet.hosts().stream().filter(h -> h.host().equals("web-2")).findFirst().orElseThrow();
            assertEquals(HostStatus.UNKNOWN, broken.status());
            assertTrue(broken.detail().contains("cannot read its documents"), broken.detail());
            assertEquals(HostStatus.UP_TO_DATE,
                    fleet.hosts().stream().filter(h -> h.host().equals("web-1")).findFirst().orElseThrow().status());

            int bodiesBefore = store.bodies.get();
            reader.read(new StatusClassifier(Instant.now(), 3), remote -> true);
            assertEquals(3, bodiesBefore, "web-1's two documents and web-2's desired.json");
            assertEquals(bodiesBefore, store.bodies.get(), "unchanged documents must come back as 304s, not bodies");
        }
    }

    @Test
    void aFailedListingOfRemotesOrHostsFailsTheReadWithItsReason() throws Exception {
        try (Store files = Stores.open(tmp.toUri().toString(), StoreOptions.DEFAULT)) {
            files.put(Layout.remote("prod"), new byte[]{1}, new RemoteMetadata(1, "c".repeat(64), 1, null, null, null).toMap());
            files.put(Layout.desired("web-1"), Json.write(Desired.of("prod")), Map.of());
            // The remotes are listed while hosts/ is: a failure of either is the read's, whichever ends first.
            for (String prefix : List.of(Layout.REMOTES, Layout.HOSTS)) {
                CountingStore store = new CountingStore(files, "none");
                store.failingList = prefix;
                IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                        () -> new FleetReader(store, 4).read(new StatusClassifier(Instant.now(), 3), remote -> true));
                assertTrue(e.getMessage().contains("listing " + prefix + " failed"), e.getMessage());
            }
        }
    }

    /**
     * A state.json cut or changed on the way (S3Proxy behind {@link FaultProxy}, the answer's headers
     * intact) is refused for this read: the host shows why, the cache keeps what it had and not
     * the damaged bytes under the new ETag, and the next read shows the document as written.
     */
    @ParameterizedTest
    @EnumSource(value = Fault.class, names = {"TRUNCATED_BODY", "CORRUPT_BODY"})
    void aDocumentDamagedOnTheWayIsNeverKeptAndTheNextReadShowsIt(Fault fault) throws Exception {
        String version = "c".repeat(64);
        String key = Layout.state("web-1");
        // The flipped byte lands in the error: the damaged document is still valid JSON, only wrong.
        String error = "build failed: " + "e".repeat(600);
        byte[] failed = Json.write(StateBuilder.host("web-1").running("prod", version)
                .attempted(version, Result.FAILED, error, null).build());
        assertEquals('e', failed[failed.length / 2]);
        try (EmbeddedS3 s3 = EmbeddedS3.start();
             FaultProxy proxy = FaultProxy.start(s3.endpoint());
             Store store = s3.openThrough(proxy.endpointUrl(), "fleet", null)) {
            store.put(Layout.remote("prod"), new byte[]{1}, new RemoteMetadata(1, version, 1, null, null, null).toMap());
            store.put(Layout.desired("web-1"), Json.write(Desired.of("prod")), Map.of());
            store.put(key, Json.write(StateBuilder.host("web-1").running("prod", version).build()), Map.of());
            DocumentCache cache = DocumentCache.inMemory();
            FleetReader reader = new FleetReader(store, 4, cache);
            assertEquals(HostStatus.UP_TO_DATE, web1(reader).status());
            String before = cache.get(key).etag();

            String written = store.put(key, failed, Map.of()).etag();
            proxy.inject(fault, "GET", "/" + key, 1);
            HostView damaged = web1(reader);

            assertEquals(1, proxy.served(fault), proxy.log().toString());
            assertEquals(HostStatus.UNKNOWN, damaged.status());
            assertTrue(damaged.detail().contains(key + " arrived damaged"), damaged.detail());
            assertEquals(before, cache.get(key).etag(), "the damaged read is not kept under the new ETag");

            HostView next = web1(reader);
            assertEquals(HostStatus.UP_TO_DATE, next.status(), next.toString());
            assertEquals(error, next.state().lastAttempt().error());
            assertEquals(written, cache.get(key).etag());
        }
    }

    private static HostView web1(FleetReader reader) throws IOException {
        return reader.read(new StatusClassifier(Instant.now(), 3), remote -> true).hosts().stream()
                .filter(h -> h.host().equals("web-1")).findFirst().orElseThrow();
    }

    /** A real file store that fails reads of one key, and counts the bodies it hands out. */
    private static final class CountingStore implements Store {
        private final Store delegate;
        private final String failing;
        final AtomicInteger bodies = new AtomicInteger();
        /** A prefix whose listing fails, or null. */
        volatile String failingList;

        CountingStore(Store delegate, String failing) {
            this.delegate = delegate;
            this.failing = failing;
        }

        @Override public String url() { return delegate.url(); }

        @Override
        public GetResult get(String key, String ifNoneMatch) throws IOException {
            if (key.equals(failing)) {
                throw new StoreException("connection reset reading " + key);
            }
            GetResult result = delegate.get(key, ifNoneMatch);
            if (result instanceof GetResult.Found) {
                bodies.incrementAndGet();
            }
            return result;
        }

        @Override public Optional<ObjectInfo> head(String key) throws IOException { return delegate.head(key); }

        @Override
        public ObjectInfo put(String key, InputStream body, long length, Map<String, String> metadata,
                              Precondition precondition) throws IOException {
            return delegate.put(key, body, length, metadata, precondition);
        }

        @Override
        public List<ObjectInfo> list(String prefix) throws IOException {
            if (prefix.equals(failingList)) {
                throw new StoreException("listing " + prefix + " failed: connection reset");
            }
            return delegate.list(prefix);
        }

        @Override public List<String> listChildren(String prefix) throws IOException { return delegate.listChildren(prefix); }

        @Override
        public ObjectInfo copy(String fromKey, String toKey, String sourceIfMatch) throws IOException {
            return delegate.copy(fromKey, toKey, sourceIfMatch);
        }

        @Override public void delete(String key) throws IOException { delegate.delete(key); }

        @Override public void close() { }
    }
}
