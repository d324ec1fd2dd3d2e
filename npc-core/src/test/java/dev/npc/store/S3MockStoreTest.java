package dev.npc.store;

import dev.npc.testing.EmbeddedS3;
import dev.npc.testing.EmbeddedS3Mock;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The store contract against Adobe's S3Mock: a second S3 implementation, so what the contract
 * proves does not rest on one server's reading of the protocol (S3Proxy's).
 */
class S3MockStoreTest extends StoreContract {
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static EmbeddedS3Mock mock;

    @BeforeAll
    static void startMock() {
        mock = EmbeddedS3Mock.shared();
    }

    /** Pages of two keys, so every listing test also proves that all pages are read. */
    @Override
    protected Store newStore() {
        StoreLocation.S3 location = new StoreLocation.S3(EmbeddedS3Mock.BUCKET, "t" + PREFIXES.incrementAndGet() + "/fleet");
        return new S3Store(location, S3Connection.of(mock.options(), name -> null), 2);
    }

    @Override
    protected Store sibling(String name) {
        return mock.open("siblings-" + PREFIXES.incrementAndGet() + "/" + name);
    }

    @Override
    protected Store storeWithoutBackend() {
        return Stores.open("s3://nowhere/p", new StoreOptions("http://127.0.0.1:1", "us-east-1",
                EmbeddedS3.credentials("x", "y")));
    }

    /**
     * S3Mock checks If-None-Match / If-Match and then writes, without a lock in between
     * (ObjectService.verifyObjectMatching, then putS3Object): concurrent creators can all win
     * there. S3 itself is atomic; the one-at-a-time conditional tests still run against S3Mock.
     */
    @Override
    protected boolean conditionalPutIsAtomic() {
        return false;
    }

    @Test
    void bothPortsListenOnLoopbackOnly() {
        assertEquals(2, mock.boundAddresses().size(), "the HTTPS port and the extra HTTP port");
        for (InetAddress address : mock.boundAddresses()) {
            assertNotNull(address, "a connector bound to every interface");
            assertTrue(address.isLoopbackAddress(), address.toString());
        }
    }

    @Test
    void theServerChecksWhatEveryPutCarriesAndReturnsTheChecksum() throws Exception {
        byte[] body = "checked".getBytes(StandardCharsets.UTF_8);
        ObjectInfo put = store.put("remotes/prod.npc", body, Map.of());
        BodyDigest digest = BodyDigest.of(body);
        assertEquals(digest.md5(), put.md5());
        ObjectInfo head = store.head("remotes/prod.npc").orElseThrow();
        assertEquals(Boolean.TRUE, head.holds(digest));
        assertFalse(head.sha256() == null && head.md5() == null, "S3Mock vouches for the bytes");
    }
}
