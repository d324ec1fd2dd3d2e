package dev.npc.store;

import dev.npc.testing.EmbeddedS3;
import dev.npc.testing.FaultProxy;
import dev.npc.testing.FaultProxy.Fault;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What npc does when a server does not keep a write as sent, or answers about it falsely: a
 * {@link FaultProxy} in front of S3Proxy plays the broken server, so no test depends on one
 * server's bug. The upstream checks no signatures, because the proxy rewrites signed headers.
 */
class WriteVerificationTest {
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    static EmbeddedS3 s3;
    FaultProxy proxy;
    Store store;
    Store direct;

    @BeforeAll
    static void startS3() {
        s3 = EmbeddedS3.startUnauthenticated();
    }

    @AfterAll
    static void stopS3() {
        s3.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        proxy = FaultProxy.start(s3.endpoint());
        String prefix = "v" + PREFIXES.incrementAndGet();
        store = s3.openThrough(proxy.endpointUrl(), prefix, null);
        direct = s3.open(prefix);
    }

    @AfterEach
    void tearDown() {
        store.close();
        direct.close();
        proxy.close();
    }

    @Test
    void everyPutAsksTheServerToCheckItsBodyAndSendsNoChunkFraming() throws Exception {
        byte[] body = "desired\n".getBytes(StandardCharsets.UTF_8);
        store.put("hosts/web-1/desired.json", body, Map.of());
        store.put("remotes/prod.npc", () -> new java.io.ByteArrayInputStream(body), body.length,
                Map.of("npc-sha256", "x"), Precondition.mustNotExist());
        BodyDigest digest = BodyDigest.of(body);
        long puts = 0;
        for (FaultProxy.Seen seen : proxy.requests()) {
            if (!seen.method().equals("PUT")) {
                continue;
            }
            puts++;
            assertEquals(digest.md5Base64(), seen.header("content-md5"), seen::toString);
            assertEquals(digest.sha256Base64(), seen.header("x-amz-checksum-sha256"), seen::toString);
            assertNull(seen.header("content-encoding"), seen::toString);
            assertFalse(String.valueOf(seen.header("x-amz-content-sha256")).startsWith("STREAMING-"), seen::toString);
            assertFalse(seen.path().contains("uploads") || seen.path().contains("uploadId"), "no multipart upload: " + seen);
        }
        assertEquals(2, puts);
    }

    /** A small body goes as one signed PUT without the client ({@link SignedPut}), a large one through the client. */
    private static byte[] body(boolean small) {
        byte[] body = new byte[small ? 11 : SignedPut.MAX_BYTES + 1];
        java.util.Arrays.fill(body, (byte) 'a');
        return body;
    }

    /** Whether the last PUT the proxy saw was sent by the client (the SDK names itself in User-Agent). */
    private boolean sentByTheClient() {
        FaultProxy.Seen last = proxy.requests().stream().filter(seen -> seen.method().equals("PUT"))
                .reduce((first, second) -> second).orElseThrow();
        return String.valueOf(last.header("user-agent")).contains("aws-sdk-java");
    }

    @Test
    void aServerThatStoresOtherBytesIsCaughtAndNamed() throws Exception {
        aServerThatStoresOtherBytesIsCaughtAndNamed(true);
        aServerThatStoresOtherBytesIsCaughtAndNamed(false);
    }

    private void aServerThatStoresOtherBytesIsCaughtAndNamed(boolean small) throws Exception {
        proxy.inject(Fault.STORE_OTHER_BYTES, "PUT", "/remotes/prod.npc", 1);
        byte[] body = body(small);
        IntegrityException e = assertThrows(IntegrityException.class,
                () -> store.put("remotes/prod.npc", body, Map.of()));
        assertTrue(e.getMessage().contains("did not store what npc sent to " + store.url() + "/remotes/prod.npc"), e::getMessage);
        assertTrue(e.getMessage().contains(e.answered().etag()), e::getMessage);
        assertEquals("remotes/prod.npc", e.key());
        // What the server holds is really other bytes: the chunk framing around the body.
        try (GetResult result = direct.get("remotes/prod.npc", null)) {
            byte[] stored = ((GetResult.Found) result).body().readAllBytes();
            assertTrue(new String(stored, StandardCharsets.ISO_8859_1).contains(";chunk-signature="));
        }
        assertEquals(!small, sentByTheClient());
    }

    @Test
    void anEtagRewrittenOnTheWayIsCaught() throws Exception {
        for (boolean small : new boolean[] {true, false}) {
            proxy.inject(Fault.REWRITE_ETAG, "PUT", "/hosts/web-1/state.json", 1);
            IntegrityException e = assertThrows(IntegrityException.class,
                    () -> store.put("hosts/web-1/state.json", body(small), Map.of()));
            assertTrue(e.getMessage().contains("0123456789abcdef0123456789abcdef"), e::getMessage);
            assertEquals(!small, sentByTheClient());
        }
    }

    @Test
    void aBodyChangedOnTheWayIsRefusedByTheServerAndNothingIsWritten() throws Exception {
        for (boolean small : new boolean[] {true, false}) {
            proxy.inject(Fault.CORRUPT_REQUEST_BODY, "PUT", "/remotes/prod.npc", 1);
            StoreException e = assertThrows(StoreException.class,
                    () -> store.put("remotes/prod.npc", body(small), Map.of()));
            assertTrue(e.getMessage().contains("does not match the Content-MD5"), e::getMessage);
            assertTrue(direct.head("remotes/prod.npc").isEmpty());
            assertEquals(!small, sentByTheClient());
        }
    }

    /** With SSE-KMS the ETag is no MD5: that alone is no error when the checksum the server checked agrees. */
    @Test
    void anEtagThatIsNoMd5IsNotMistakenForDamage() throws Exception {
        for (boolean small : new boolean[] {true, false}) {
            proxy.inject(Fault.KMS_ANSWER, "PUT", "/remotes/prod.npc", 1);
            byte[] body = body(small);
            ObjectInfo put = store.put("remotes/prod.npc", body, Map.of());
            assertNull(put.md5());
            assertEquals(BodyDigest.of(body).sha256(), put.sha256());
        }
    }

    @Test
    void aCopyOfAnotherVersionThanTheOneCheckedIsCaught() throws Exception {
        store.put("remotes/staging.npc", "v1".getBytes(StandardCharsets.UTF_8), Map.of("npc-sha256", "v1"));
        String checked = store.head("remotes/staging.npc").orElseThrow().etag();
        proxy.inject(Fault.DROP_COPY_CONDITION, "PUT", "/remotes/prod.npc", 1, () -> {
            try {
                direct.put("remotes/staging.npc", "v2".getBytes(StandardCharsets.UTF_8), Map.of("npc-sha256", "v2"));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        IntegrityException e = assertThrows(IntegrityException.class,
                () -> store.copy("remotes/staging.npc", "remotes/prod.npc", checked));
        assertTrue(e.getMessage().contains("ignored the copy condition"), e::getMessage);
        assertEquals(1, proxy.served(Fault.DROP_COPY_CONDITION));
        assertArrayEquals("v2".getBytes(StandardCharsets.UTF_8),
                ((GetResult.Found) direct.get("remotes/prod.npc", null)).body().readAllBytes());
    }

    @Test
    void aCopyWhoseResultEtagIsRewrittenIsCaught() throws Exception {
        store.put("remotes/staging.npc", "v1".getBytes(StandardCharsets.UTF_8), Map.of());
        proxy.inject(Fault.REWRITE_ETAG, "PUT", "/remotes/prod.npc", 1);
        assertThrows(IntegrityException.class, () -> store.copy("remotes/staging.npc", "remotes/prod.npc", null));
    }

    @Test
    void headsReportTheChecksumTheServerCheckedAndTheMd5OfItsEtag() throws Exception {
        byte[] body = "head".getBytes(StandardCharsets.UTF_8);
        store.put("remotes/prod.npc", body, Map.of());
        ObjectInfo head = store.head("remotes/prod.npc").orElseThrow();
        BodyDigest digest = BodyDigest.of(body);
        assertEquals(digest.sha256(), head.sha256());
        assertEquals(digest.md5(), head.md5());
        assertEquals(Boolean.TRUE, head.holds(digest));
        assertEquals(Boolean.FALSE, head.holds(BodyDigest.of("other".getBytes(StandardCharsets.UTF_8))));
        assertNotEquals(HexFormat.of().formatHex(Base64.getDecoder().decode(digest.md5Base64())), digest.sha256());
    }

    @Test
    void aFileStoreCopyOfBytesChangedBehindItsBackIsRefused(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        try (FileStore files = new FileStore(dir)) {
            files.put("remotes/staging.npc", "v1".getBytes(StandardCharsets.UTF_8), Map.of());
            ObjectInfo before = files.head("remotes/staging.npc").orElseThrow();
            // Same size and modification time: the sidecar still vouches for the old bytes.
            java.nio.file.Path data = dir.resolve("remotes/staging.npc");
            java.nio.file.attribute.FileTime time = java.nio.file.Files.getLastModifiedTime(data);
            java.nio.file.Files.write(data, "v2".getBytes(StandardCharsets.UTF_8));
            java.nio.file.Files.setLastModifiedTime(data, time);
            IntegrityException e = assertThrows(IntegrityException.class,
                    () -> files.copy("remotes/staging.npc", "remotes/prod.npc", before.etag()));
            assertTrue(e.getMessage().contains("not the source's"), e::getMessage);
            assertTrue(files.head("remotes/prod.npc").isEmpty());
            assertInstanceOf(GetResult.Missing.class, files.get("remotes/prod.npc", null));
        }
    }
}
