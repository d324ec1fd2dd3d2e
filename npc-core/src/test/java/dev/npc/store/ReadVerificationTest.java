package dev.npc.store;

import dev.npc.testing.SharedS3;
import dev.npc.testing.FaultProxy;
import dev.npc.testing.FaultProxy.Fault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a read gets when the body that reaches npc is not the object: {@link FaultProxy} in front
 * of S3Proxy cuts or changes the body on the way, the answer's headers intact. Every way in (the
 * client's GET, the signed small read, a file store) must refuse it, and the next read of the
 * same object, unharmed, gives its bytes.
 */
class ReadVerificationTest {
    private static final String KEY = "hosts/web-1/desired.json";
    /** 259 bytes, as the desired.json that was found accepted cut to 129. */
    private static final byte[] DOCUMENT = ("{\"remote\": \"prod\", \"configuration\": \"web-1\", \"note\": \""
            + "x".repeat(203) + "\"}").getBytes(StandardCharsets.UTF_8);
    @RegisterExtension
    static final SharedS3 S3 = new SharedS3();
    FaultProxy proxy;
    Store store;

    @TempDir
    Path tmp;

    @BeforeEach
    void setUp() throws Exception {
        proxy = FaultProxy.start(S3.get().endpoint());
        String prefix = S3.freshPrefix("r");
        store = S3.get().openThrough(proxy.endpointUrl(), prefix, null);
        try (Store direct = S3.get().open(prefix)) {
            direct.put(KEY, DOCUMENT, Map.of());
        }
    }

    @AfterEach
    void tearDown() {
        store.close();
        proxy.close();
    }

    @ParameterizedTest(name = "{0} through {1}")
    @CsvSource({"TRUNCATED_BODY, get", "TRUNCATED_BODY, getSmall", "CORRUPT_BODY, get", "CORRUPT_BODY, getSmall"})
    void aBodyDamagedOnTheWayIsRefusedAndTheNextReadIsTheObject(Fault fault, String read) throws Exception {
        assertEquals(259, DOCUMENT.length);
        proxy.inject(fault, "GET", "/" + KEY, 1);

        IntegrityException e;
        try (GetResult result = read(read)) {
            GetResult.Found found = assertInstanceOf(GetResult.Found.class, result);
            e = assertThrows(IntegrityException.class, () -> found.body().readNBytes(DOCUMENT.length * 2));
        }
        assertEquals(1, proxy.served(fault), proxy.log().toString());
        assertEquals(KEY, e.key());
        assertTrue(e.getMessage().startsWith(KEY + " arrived damaged"), e.getMessage());
        assertTrue(e.getMessage().contains(fault == Fault.TRUNCATED_BODY ? "after 129 of the 259 bytes" : "MD5"),
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());

        try (GetResult again = read(read)) {
            assertArrayEquals(DOCUMENT, ((GetResult.Found) again).body().readNBytes(DOCUMENT.length * 2));
        }
    }

    /** A caller that reads exactly the declared length never sees the end: the last byte is checked as it arrives. */
    @Test
    void readingExactlyTheDeclaredLengthIsCheckedToo() throws Exception {
        proxy.inject(Fault.CORRUPT_BODY, "GET", "/" + KEY, 1);
        try (GetResult result = store.get(KEY, null)) {
            InputStream body = ((GetResult.Found) result).body();
            assertThrows(IntegrityException.class, () -> body.readNBytes(DOCUMENT.length));
        }
    }

    /** With SSE-KMS the ETag is no MD5: nothing to hash against, so the body is taken as before. */
    @Test
    void anEtagThatIsNoMd5IsNotMistakenForDamage() throws Exception {
        for (String read : new String[] {"get", "getSmall"}) {
            proxy.inject(Fault.KMS_ANSWER, "GET", "/" + KEY, 1);
            try (GetResult result = read(read)) {
                GetResult.Found found = assertInstanceOf(GetResult.Found.class, result);
                assertNull(found.info().md5(), read);
                assertArrayEquals(DOCUMENT, found.body().readAllBytes(), read);
            }
        }
        assertEquals(2, proxy.served(Fault.KMS_ANSWER));
    }

    /** The file store vouches for its bytes with the MD5 it computed as it wrote them: bytes changed behind its back are refused. */
    @Test
    void aFileStoreRefusesBytesChangedBehindItsBack() throws Exception {
        try (Store files = new FileStore(tmp.resolve("store"))) {
            files.put(KEY, DOCUMENT, Map.of());
            Path file = tmp.resolve("store").resolve(KEY);
            FileTime written = Files.getLastModifiedTime(file);
            byte[] flipped = DOCUMENT.clone();
            flipped[40] ^= 0x01;
            Files.write(file, flipped);
            Files.setLastModifiedTime(file, written);
            try (GetResult result = files.get(KEY, null)) {
                InputStream body = ((GetResult.Found) result).body();
                IntegrityException e = assertThrows(IntegrityException.class, body::readAllBytes);
                assertTrue(e.getMessage().startsWith(KEY + " arrived damaged"), e.getMessage());
            }
        }
    }

    /** A body the caller bounded (getSmall's maxBytes) is not the object's: cut on purpose, it is no damage. */
    @Test
    void aDocumentCutAtTheCallersBoundIsNoDamage() throws Exception {
        try (GetResult result = store.getSmall(KEY, null, 100)) {
            assertEquals(101, ((GetResult.Found) result).body().readAllBytes().length);
        }
    }

    /** A reader that marks and goes back (a parser looking ahead) rewinds the count and the hash with it. */
    @Test
    void markAndResetRewindTheCheck() throws Exception {
        try (GetResult result = store.getSmall(KEY, null, 1 << 20)) {
            InputStream body = ((GetResult.Found) result).body();
            assertTrue(body.markSupported());
            byte[] start = body.readNBytes(10);
            body.mark(DOCUMENT.length);
            body.readNBytes(100);
            body.reset();
            byte[] rest = body.readAllBytes();
            assertArrayEquals(DOCUMENT, java.nio.ByteBuffer.allocate(DOCUMENT.length).put(start).put(rest).array());
        }
    }

    /** A stream that made the checks already is not checked twice (a store wrapping another's answer). */
    @Test
    void aCheckedBodyPassedOnIsNotWrappedAgain() throws Exception {
        try (GetResult result = store.get(KEY, null)) {
            GetResult.Found found = (GetResult.Found) result;
            assertTrue(found.body() == new GetResult.Found(found.info(), found.body()).body());
        }
        ObjectInfo vouchesNothing = new ObjectInfo(KEY, "\"etag\"", -1, null, Map.of());
        InputStream plain = new ByteArrayInputStream(DOCUMENT);
        assertTrue(plain == new GetResult.Found(vouchesNothing, plain).body());
    }

    private GetResult read(String how) throws IOException {
        return how.equals("get") ? store.get(KEY, null) : store.getSmall(KEY, null, 1 << 20);
    }
}
