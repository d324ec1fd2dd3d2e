package dev.npc.fleet;

import dev.npc.host.Desired;
import dev.npc.host.HostState;
import dev.npc.json.Json;
import dev.npc.remote.RemoteMetadata;
import dev.npc.store.Layout;
import dev.npc.store.Store;
import dev.npc.store.StoreOptions;
import dev.npc.store.Stores;
import dev.npc.testing.EmbeddedS3;
import dev.npc.testing.FaultProxy;
import dev.npc.testing.StateBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a fleet read costs on the wire, counted by a proxy between the real AWS SDK and S3Proxy:
 * a run with nothing changed since the last one sends only listings (and a HEAD per remote), one
 * changed state.json costs one GET, and the local cache is no more trusted than the bucket.
 */
class FleetReadRequestsTest {
    private static final String VERSION = "c".repeat(64);
    private static final List<String> HOSTS = List.of("web-1", "web-2", "web-3", "web-4", "web-5");

    @TempDir
    Path tmp;
    EmbeddedS3 s3;
    FaultProxy proxy;
    Store direct;
    Store store;

    @BeforeEach
    void setUp() throws Exception {
        s3 = EmbeddedS3.start();
        proxy = FaultProxy.start(s3.endpoint());
        direct = s3.open("fleet");
        store = s3.openThrough(proxy.endpointUrl(), "fleet", null);
        direct.put(Layout.remote("prod"), new byte[]{1}, new RemoteMetadata(1, VERSION, 1, null, null, null).toMap());
        for (String host : HOSTS) {
            direct.put(Layout.desired(host), Json.write(Desired.of("prod")), Map.of());
            direct.put(Layout.state(host), Json.write(StateBuilder.host(host).running("prod", VERSION).build()), Map.of());
            direct.put(Layout.history(host, "20261122T100000.000Z", "success"), "{}".getBytes(StandardCharsets.UTF_8), Map.of());
        }
        // What an older daemon left where history records used to be: listed, never fetched.
        direct.put(Layout.legacyHistoryPrefix("web-1") + "20261101T100000.000Z-success.json",
                "{}".getBytes(StandardCharsets.UTF_8), Map.of());
    }

    @AfterEach
    void tearDown() {
        store.close();
        direct.close();
        proxy.close();
        s3.close();
    }

    /** One process of npc status: a reader with the cache from disk, saved at the end. */
    private FleetReader.Fleet status() throws IOException {
        FleetReader reader = new FleetReader(store, 4, DocumentCache.open(tmp.resolve("cache"), store.identity()));
        FleetReader.Fleet fleet = reader.read(new StatusClassifier(Instant.now(), 3), remote -> true);
        assertNull(reader.saveCache());
        return fleet;
    }

    private List<FaultProxy.Seen> since(int mark) {
        List<FaultProxy.Seen> all = proxy.requests();
        return all.subList(mark, all.size());
    }

    private static boolean isListing(FaultProxy.Seen request) {
        return request.method().equals("GET") && request.path().contains("list-type=2");
    }

    private static List<String> objectGets(List<FaultProxy.Seen> requests) {
        return requests.stream().filter(r -> r.method().equals("GET") && !isListing(r)).map(FaultProxy.Seen::path).toList();
    }

    @Test
    void aWarmReadListsOnlyAndOneChangedStateCostsOneGet() throws Exception {
        FleetReader.Fleet cold = status();
        assertEquals(HOSTS.size(), cold.hosts().size());
        assertTrue(cold.hosts().stream().allMatch(h -> h.status() == HostStatus.UP_TO_DATE), cold.hosts().toString());
        assertEquals(2 * HOSTS.size(), objectGets(proxy.requests()).size(),
                "the first read fetches every desired.json and state.json, and nothing else: " + proxy.log());

        int mark = proxy.requests().size();
        FleetReader.Fleet warm = status();
        List<FaultProxy.Seen> warmRequests = since(mark);
        assertEquals(List.of(), objectGets(warmRequests), "nothing changed, nothing fetched: " + warmRequests);
        assertTrue(warmRequests.stream().allMatch(r -> isListing(r) || r.method().equals("HEAD")
                && r.path().contains("/remotes/prod.npc")), "only listings and the remote's HEAD: " + warmRequests);
        assertEquals(cold.hosts(), warm.hosts(), "the cached documents give the same fleet");
        assertTrue(warmRequests.stream().noneMatch(r -> String.valueOf(r.header("User-Agent")).contains("aws-sdk")),
                "signed requests without the S3 client (SignedReads), so a warm read never builds it: " + warmRequests);

        direct.put(Layout.state("web-3"), Json.write(StateBuilder.host("web-3").running("prod", "d".repeat(64)).build()),
                Map.of());
        mark = proxy.requests().size();
        FleetReader.Fleet changed = status();
        List<String> gets = objectGets(since(mark));
        assertEquals(1, gets.size(), "one changed document, one GET: " + gets);
        assertTrue(gets.get(0).endsWith("/hosts/web-3/state.json"), gets.toString());
        assertEquals("d".repeat(64), changed.hosts().stream().filter(h -> h.host().equals("web-3")).findFirst()
                .orElseThrow().runningVersion());

        direct.delete(Layout.desired("web-5"));
        direct.delete(Layout.state("web-5"));
        mark = proxy.requests().size();
        FleetReader.Fleet removed = status();
        assertEquals(List.of(), objectGets(since(mark)));
        assertEquals(HOSTS.size() - 1, removed.hosts().size(), "a host gone from the listing is gone from the view");
    }

    @Test
    void aListingSplitWhereTheCacheSaysStillSeesHostsAddedAndRemoved() throws Exception {
        // 5 hosts, 10 keys, split every 3: four ranges listed at once on the second read.
        FleetReader first = new FleetReader(store, 4, DocumentCache.open(tmp.resolve("cache"), store.identity()), 3);
        assertEquals(HOSTS.size(), first.read(new StatusClassifier(Instant.now(), 3), remote -> true).hosts().size());
        assertNull(first.saveCache());

        // Before the first host, between two, after the last; one gone from the middle.
        for (String host : List.of("a-first", "web-2a", "web-3b", "zz-last")) {
            direct.put(Layout.desired(host), Json.write(Desired.of("prod")), Map.of());
        }
        direct.delete(Layout.desired("web-4"));
        direct.delete(Layout.state("web-4"));
        int mark = proxy.requests().size();
        FleetReader second = new FleetReader(store, 4, DocumentCache.open(tmp.resolve("cache"), store.identity()), 3);
        List<String> seen = second.read(new StatusClassifier(Instant.now(), 3), remote -> true).hosts().stream()
                .map(HostView::host).sorted().toList();
        assertEquals(List.of("a-first", "web-1", "web-2", "web-2a", "web-3", "web-3b", "web-5", "zz-last"), seen);
        List<FaultProxy.Seen> listings = since(mark).stream().filter(FleetReadRequestsTest::isListing)
                .filter(r -> r.path().contains("hosts")).toList();
        assertTrue(listings.size() >= 4 && listings.stream().anyMatch(r -> r.path().contains("start-after=")),
                "the hosts/ listing went in ranges: " + listings);
        assertEquals(4, objectGets(since(mark)).size(), "only the four new documents: " + since(mark));
    }

    @Test
    void aCorruptCacheIsIgnoredAndEveryDocumentFetched() throws Exception {
        status();
        Path file = cacheFile();
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));

        int mark = proxy.requests().size();
        FleetReader.Fleet fleet = status();
        assertEquals(2 * HOSTS.size(), objectGets(since(mark)).size(), "a truncated cache is not used at all");
        assertEquals(HOSTS.size(), fleet.hosts().size());

        Files.writeString(file, "not a cache");
        mark = proxy.requests().size();
        status();
        assertEquals(2 * HOSTS.size(), objectGets(since(mark)).size(), "nor is a file that is not one");
    }

    @Test
    void aCachedDocumentIsValidatedLikeAFetchedOneAndABadOneDropsTheFile() throws Exception {
        status();
        // Someone with write access to the cache replaces web-2's desired.json, keeping its ETag.
        Path file = cacheFile();
        Map<String, String> etags = new java.util.HashMap<>();
        for (var object : direct.list(Layout.HOSTS)) {
            etags.put(object.key(), object.etag());
        }
        Map<String, DocumentCache.Entry> hostile = new java.util.LinkedHashMap<>();
        for (String host : HOSTS) {
            Desired desired = host.equals("web-2") ? Desired.of("../../etc\u001b[31m") : Desired.of("prod");
            hostile.put(Layout.desired(host), DocumentCache.Entry.desired(etags.get(Layout.desired(host)), desired));
        }
        writeCache(file, hostile);

        int mark = proxy.requests().size();
        HostView web2 = status().hosts().stream().filter(h -> h.host().equals("web-2")).findFirst().orElseThrow();
        assertEquals("prod", web2.remoteName(), "the bucket's document, not the cache's");
        assertEquals(2 * HOSTS.size(), objectGets(since(mark)).size(),
                "a cache with a document that does not validate is not used at all: " + since(mark));

        // A valid file of this format with other documents is used: the ETags say it is current.
        writeCache(file, Map.of(Layout.desired("web-2"),
                DocumentCache.Entry.refused(etags.get(Layout.desired("web-2")), "kept error")));
        mark = proxy.requests().size();
        web2 = status().hosts().stream().filter(h -> h.host().equals("web-2")).findFirst().orElseThrow();
        assertEquals("kept error", web2.desiredError());
        assertEquals(2 * HOSTS.size() - 1, objectGets(since(mark)).size(), since(mark).toString());
    }

    @Test
    void aWarmReadGivesTheSameViewsAsAFreshOneAndWritesNothing() throws Exception {
        // Every field status shows, set: paused, waiting, reboot, a failed attempt, an error.
        direct.put(Layout.state("web-1"), Json.write(StateBuilder.host("web-1").running("prod", VERSION).build()
                .withPaused(new dev.npc.host.HostState.Paused(Instant.parse("2026-12-01T00:00:00Z"), null, "maintenance"))
                .withReboot(new dev.npc.host.HostState.Reboot(List.of("kernel", "initrd"), "/nix/store/a", "/nix/store/b",
                        Instant.parse("2026-12-01T00:00:00Z"), Instant.parse("2026-12-02T00:00:00Z"), null))
                .withWaiting(new dev.npc.host.HostState.Waiting("Sat 02:00-04:00 UTC", Instant.parse("2026-12-05T02:00:00Z"),
                        "prod", "web-1", VERSION, "/nix/store/c"))), Map.of());
        direct.put(Layout.state("web-2"), "{\"phase\": 7".getBytes(StandardCharsets.UTF_8), Map.of());
        direct.put(Layout.desired("web-3"), "{\"remote\": \"no such/remote\"}".getBytes(StandardCharsets.UTF_8), Map.of());
        FleetReader.Fleet fresh = new FleetReader(store, 4).read(new StatusClassifier(Instant.now(), 3), remote -> true);
        status();
        Path file = cacheFile();
        java.nio.file.attribute.FileTime written = Files.getLastModifiedTime(file);
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));

        int mark = proxy.requests().size();
        FleetReader.Fleet warm = status();
        assertEquals(List.of(), objectGets(since(mark)));
        assertEquals(fresh.hosts(), warm.hosts(), "the cache says what a fresh read of the same ETags says");
        assertEquals(Instant.parse("2020-01-01T00:00:00Z"), Files.getLastModifiedTime(file).toInstant(),
                "nothing changed, nothing written (was " + written + ")");
    }

    @Test
    void aReportThatNamesItsDesiredEtagSparesThatGetOnlyWhenTheListingShowsIt() throws Exception {
        // web-1 and web-2 report the desired.json they acted on; web-3 a copy that does not validate
        // under the right ETag; web-4 an older desired.json's ETag; web-5 none (a daemon before the field).
        for (String host : HOSTS) {
            String etag = direct.head(Layout.desired(host)).orElseThrow().etag();
            HostState.DesiredRef ref = HostState.DesiredRef.resolved("prod", host, VERSION);
            ref = switch (host) {
                case "web-3" -> ref.from(etag, Desired.of("not a remote!"));
                case "web-4" -> ref.from("\"0123456789abcdef0123456789abcdef\"", Desired.of("staging"));
                case "web-5" -> ref;
                default -> ref.from(etag, Desired.of("prod"));
            };
            direct.put(Layout.state(host), Json.write(StateBuilder.host(host).running("prod", VERSION).build()
                    .withDesired(ref)), Map.of());
        }
        int mark = proxy.requests().size();
        FleetReader.Fleet fleet = status();
        List<String> gets = objectGets(since(mark));
        assertEquals(HOSTS.size() + 3, gets.size(), "every state.json, and desired.json of web-3, 4 and 5: " + gets);
        for (String host : List.of("web-3", "web-4", "web-5")) {
            assertTrue(gets.stream().anyMatch(g -> g.endsWith("/hosts/" + host + "/desired.json")), host + ": " + gets);
        }
        assertTrue(fleet.hosts().stream().allMatch(h -> h.status() == HostStatus.UP_TO_DATE && "prod".equals(h.remoteName())),
                "the copies say what desired.json says, and a wrong one is not taken: " + fleet.hosts());
        assertEquals(view(fleet, "web-5").desired(), view(fleet, "web-1").desired(), "a copy gives what a fetch gives");

        // desired.json changes under a report that names its old ETag: fetched, the copy ignored.
        direct.put(Layout.desired("web-1"), Json.write(Desired.of("prod").withPaused(true)), Map.of());
        mark = proxy.requests().size();
        HostView web1 = status().hosts().stream().filter(h -> h.host().equals("web-1")).findFirst().orElseThrow();
        assertEquals(List.of(since(mark).stream().filter(r -> r.path().endsWith("/hosts/web-1/desired.json")).findFirst()
                .orElseThrow().path()), objectGets(since(mark)));
        assertEquals(HostStatus.PAUSED, web1.status(), "the new desired.json, not the report's copy");
    }

    @Test
    void anotherServerWithTheSameBucketNameDoesNotShareTheCache() throws Exception {
        status();
        assertEquals(1, cacheFiles().size());
        // The same s3:// URL, straight to S3Proxy instead of through the proxy: another endpoint.
        FleetReader reader = new FleetReader(direct, 4, DocumentCache.open(tmp.resolve("cache"), direct.identity()));
        reader.read(new StatusClassifier(Instant.now(), 3), remote -> true);
        assertNull(reader.saveCache());
        assertEquals(2, cacheFiles().size());
    }

    /** A cache file as {@link DocumentCache#save} writes it, with these entries. */
    private void writeCache(Path file, Map<String, DocumentCache.Entry> entries) throws IOException {
        try (java.io.OutputStream out = Files.newOutputStream(file)) {
            DocumentCache.write(out, store.identity(), entries, FleetReader.KEYS_PER_RANGE);
        }
    }

    private static HostView view(FleetReader.Fleet fleet, String host) {
        return fleet.hosts().stream().filter(h -> h.host().equals(host)).findFirst().orElseThrow();
    }

    private Path cacheFile() throws IOException {
        List<Path> files = cacheFiles();
        assertEquals(1, files.size(), files.toString());
        return files.get(0);
    }

    private List<Path> cacheFiles() throws IOException {
        try (Stream<Path> files = Files.list(tmp.resolve("cache"))) {
            return files.filter(f -> f.getFileName().toString().endsWith(".cache")).toList();
        }
    }
}
