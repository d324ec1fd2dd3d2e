package dev.npc.testing;

import dev.npc.digest.Sha256;
import dev.npc.pack.UnpackLimits;
import dev.npc.pack.Unpacker;
import dev.npc.remote.RemoteDownloader;
import dev.npc.remote.RemoteMetadata;
import dev.npc.store.GetResult;
import dev.npc.store.IntegrityException;
import dev.npc.store.Layout;
import dev.npc.store.Precondition;
import dev.npc.store.Store;
import dev.npc.store.StoreException;
import dev.npc.store.StoreOptions;
import dev.npc.store.Stores;
import dev.npc.testing.FaultProxy.Fault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The store client (the real AWS SDK) through {@link FaultProxy}: what every fault does to a
 * read, a write and a remote download, and that everything works again once the fault ends.
 */
class FaultProxyTest {
    @RegisterExtension
    static final SharedS3 S3 = new SharedS3();
    FaultProxy proxy;
    Store store;
    Store direct;
    byte[] archive;
    String remote;

    @TempDir
    Path work;

    @BeforeEach
    void setUp() throws Exception {
        proxy = FaultProxy.start(S3.get().endpoint()).stallFor(Duration.ofMillis(1500));
        String prefix = "faults-" + UUID.randomUUID();
        store = S3.get().openThrough(proxy.endpointUrl(), prefix, Duration.ofMillis(400));
        direct = S3.get().open(prefix);
        archive = TestArchives.builder().file("flake.nix", TestFlakes.FLAKE_NIX)
                .file("big.bin", new byte[64 * 1024], 0644).build();
        remote = "prod";
        direct.put(Layout.remote(remote), new ByteArrayInputStream(archive), archive.length,
                new RemoteMetadata(1, Sha256.hex(archive), 2, null, null, null).toMap(), Precondition.NONE);
    }

    @AfterEach
    void tearDown() {
        store.close();
        direct.close();
        proxy.close();
    }

    @Test
    void everyOperationWorksThroughTheProxy() throws Exception {
        store.put("a/b.json", "{}".getBytes(StandardCharsets.UTF_8), Map.of("k", "v"));
        assertEquals("v", store.head("a/b.json").orElseThrow().meta("k"));
        assertEquals(1, store.list("a/").size());
        store.copy("a/b.json", "a/c.json", null);
        assertEquals("{}", read(store, "a/c.json"));
        assertTrue(proxy.log().stream().allMatch(line -> line.endsWith("PASS")), proxy.log().toString());
    }

    @ParameterizedTest
    @EnumSource(value = Fault.class, names = {"ERROR_500", "ERROR_503", "SLOW_DOWN", "RESET_BEFORE_RESPONSE", "STALL"})
    void aShortBurstIsRetriedByTheClientAndNobodyNotices(Fault fault) throws Exception {
        proxy.inject(fault, "GET", "/remotes/", 1).inject(fault, "PUT", "/hosts/", 1);
        assertEquals(Sha256.hex(archive), download().checked().sha256());
        store.put("hosts/web-1/state.json", "{\"phase\":\"idle\"}".getBytes(StandardCharsets.UTF_8), Map.of());
        assertEquals("{\"phase\":\"idle\"}", read(direct, "hosts/web-1/state.json"));
        assertEquals(2, proxy.served(fault), proxy.log().toString());
    }

    @ParameterizedTest
    @EnumSource(value = Fault.class, names = {"ERROR_500", "SLOW_DOWN", "RESET_BEFORE_RESPONSE", "STALL"})
    void aLongBurstFailsInOneLineAndTheNextTryAfterItWorks(Fault fault) throws Exception {
        proxy.inject(fault, "PUT", "/hosts/", 10);
        byte[] state = "{\"phase\":\"checking\"}".getBytes(StandardCharsets.UTF_8);
        StoreException e = assertThrows(StoreException.class, () -> store.put("hosts/web-1/state.json", state, Map.of()));
        assertTrue(e.getMessage().contains("s3://") && !e.getMessage().contains("\n"), e.getMessage());
        proxy.heal();
        store.put("hosts/web-1/state.json", state, Map.of());
        assertEquals("{\"phase\":\"checking\"}", read(direct, "hosts/web-1/state.json"));
    }

    @ParameterizedTest
    @EnumSource(value = Fault.class, names = {"RESET_MID_BODY", "TRUNCATED_BODY", "CORRUPT_BODY"})
    void aBrokenBodyNeverYieldsAVerifiedArchiveAndLeavesNoFile(Fault fault) throws Exception {
        proxy.inject(fault, "GET", "/remotes/", 1);
        Exception e = assertThrows(Exception.class, this::download);
        assertTrue(e instanceof IOException || e instanceof RemoteDownloader.Failure, e.toString());
        if (fault != Fault.RESET_MID_BODY) {
            // Cut or changed on the way, the answer intact: the store's read check refuses the body
            // (its length or its MD5-ETag) before the archive's sha256 is compared.
            IntegrityException damaged = assertInstanceOf(IntegrityException.class, e);
            assertTrue(e.getMessage().startsWith(Layout.remote(remote) + " arrived damaged"), e.getMessage());
            assertEquals(Layout.remote(remote), damaged.key());
        }
        assertEquals(0, leftovers(), "no partial download is left");
        RemoteDownloader.Downloaded verified = download();
        assertEquals(Sha256.hex(archive), verified.checked().sha256());
        assertArrayEquals(archive, Files.readAllBytes(verified.archive()));
    }

    @Test
    void aStoreThatDisappearsFailsFastAndIsUsedAgainWhenItReturns() throws Exception {
        proxy.down();
        byte[] state = "{\"phase\":\"idle\"}".getBytes(StandardCharsets.UTF_8);
        StoreException e = assertThrows(StoreException.class, () -> store.put("hosts/web-1/state.json", state, Map.of()));
        assertTrue(e.getMessage().contains("s3://"), e.getMessage());
        proxy.up();
        store.put("hosts/web-1/state.json", state, Map.of());
        assertEquals("{\"phase\":\"idle\"}", read(direct, "hosts/web-1/state.json"));
    }

    private RemoteDownloader.Downloaded download() throws Exception {
        return new RemoteDownloader(new Unpacker(UnpackLimits.DEFAULT), dev.npc.trust.RemoteVerifier.ACCEPT_ALL)
                .fetch(store, remote, work);
    }

    private long leftovers() throws IOException {
        try (var files = Files.list(work)) {
            return files.count();
        }
    }

    private static String read(Store from, String key) throws IOException {
        try (GetResult result = from.get(key, null)) {
            return new String(((GetResult.Found) result).body().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
