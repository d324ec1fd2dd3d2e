package dev.npc.store;

import dev.npc.testing.EmbeddedS3;
import dev.npc.testing.SharedS3;
import dev.npc.testing.FaultProxy;
import dev.npc.testing.FaultProxy.Fault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Small writes as one signed PUT without the S3 client ({@link SignedPut}), against S3Proxy with
 * SigV4 checked, through a {@link FaultProxy} that records who sent each request (the SDK names
 * itself in User-Agent, the JDK's connection does not) and breaks the ones chosen: every answer
 * but 200 and 412 must send the write through the client, and a conditional write whose answer
 * was lost must be found rather than reported as refused.
 */
class SignedPutTest {
    @RegisterExtension
    static final SharedS3 S3 = new SharedS3();
    private FaultProxy proxy;
    private Store store;
    private Store plain;

    @BeforeEach
    void setUp() throws Exception {
        proxy = FaultProxy.start(S3.get().endpoint());
        String prefix = S3.freshPrefix("p");
        store = S3.get().openThrough(proxy.endpointUrl(), prefix, null);
        plain = S3.get().open(prefix);
    }

    @AfterEach
    void tearDown() {
        store.close();
        plain.close();
        proxy.close();
    }

    /** The PUTs the proxy saw, as "direct" or "client" (who sent them) and the fault they met. */
    private List<String> puts() {
        return proxy.requests().stream().filter(seen -> seen.method().equals("PUT"))
                .map(seen -> (String.valueOf(seen.header("user-agent")).contains("aws-sdk-java") ? "client" : "direct")
                        + " " + seen.fault())
                .toList();
    }

    private List<String> clientRequests() {
        return proxy.requests().stream()
                .filter(seen -> String.valueOf(seen.header("user-agent")).contains("aws-sdk-java"))
                .map(seen -> seen.method() + " " + seen.path()).toList();
    }

    /** A conditional write of {@code text} as desired.json. */
    private ObjectInfo put(String text, Precondition precondition) throws java.io.IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        return store.put("hosts/web-1/desired.json", () -> new java.io.ByteArrayInputStream(body), body.length, Map.of(),
                precondition);
    }

    @Test
    void aSmallDocumentIsOneSignedPutWithItsDigestsAndMetadataAndNoClientRequest() throws Exception {
        byte[] body = "{\"state\":1}".getBytes(StandardCharsets.UTF_8);
        ObjectInfo put = store.put("hosts/web-1/state.json", body, Map.of("npc-Version", "3"), "application/json");
        BodyDigest digest = BodyDigest.of(body);
        assertEquals(List.of("direct PASS"), puts());
        assertEquals(List.of(), clientRequests());
        FaultProxy.Seen seen = proxy.requests().get(0);
        assertEquals(digest.md5Base64(), seen.header("content-md5"));
        assertEquals(digest.sha256Base64(), seen.header("x-amz-checksum-sha256"));
        assertEquals(digest.sha256(), seen.header("x-amz-content-sha256"), "the body is signed");
        assertEquals(body.length, put.size());
        assertEquals(digest.md5(), put.md5());
        ObjectInfo head = plain.head("hosts/web-1/state.json").orElseThrow();
        assertEquals(put.etag(), head.etag());
        assertEquals(Map.of("npc-version", "3"), head.metadata());
        try (GetResult read = plain.get("hosts/web-1/state.json", null)) {
            assertArrayEquals(body, ((GetResult.Found) read).body().readAllBytes());
        }
    }

    @Test
    void aBodyLargerThanASmallDocumentIsStreamedByTheClient() throws Exception {
        store.put("remotes/prod.npc", new byte[SignedPut.MAX_BYTES + 1], Map.of());
        assertEquals(List.of("client PASS"), puts());
    }

    @Test
    void anAnswerTheDirectPathDoesNotHandleSendsTheWriteThroughTheClient() throws Exception {
        proxy.inject(Fault.ERROR_500, "PUT", "/hosts/web-1/state.json", 1);
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        ObjectInfo put = store.put("hosts/web-1/state.json", body, Map.of());
        assertEquals(List.of("direct ERROR_500", "client PASS"), puts());
        assertEquals(put.etag(), plain.head("hosts/web-1/state.json").orElseThrow().etag());
    }

    @Test
    void aRefusedSignatureIsReportedByTheClient() {
        try (Store wrong = Stores.open(store.url(), new StoreOptions(proxy.endpointUrl(), EmbeddedS3.REGION,
                EmbeddedS3.credentials(EmbeddedS3.ACCESS_KEY, "not-the-secret")))) {
            StoreException e = assertThrows(StoreException.class,
                    () -> wrong.put("hosts/web-1/state.json", "{}".getBytes(StandardCharsets.UTF_8), Map.of()));
            assertTrue(e.getMessage().contains("403") || e.getMessage().contains("denied")
                    || e.getMessage().contains("ignature"), e::getMessage);
            assertEquals("direct PASS", puts().get(0));
            assertTrue(puts().stream().skip(1).allMatch(p -> p.startsWith("client")), puts()::toString);
        }
    }

    @Test
    void aConditionalWriteIsRefusedWhenItsPreconditionFails() throws Exception {
        put("v1", Precondition.mustNotExist());
        PreconditionFailedException e = assertThrows(PreconditionFailedException.class,
                () -> put("v2", Precondition.mustNotExist()));
        assertTrue(e.getMessage().contains("already exists"), e::getMessage);
        assertThrows(PreconditionFailedException.class,
                () -> put("v3", Precondition.mustMatch("\"0123456789abcdef0123456789abcdef\"")));
        assertEquals(List.of(), clientRequests(), "a 412 is the answer, not a reason to ask the client");
        String etag = plain.head("hosts/web-1/desired.json").orElseThrow().etag();
        put("v4", Precondition.mustMatch(etag));
        try (GetResult read = plain.get("hosts/web-1/desired.json", null)) {
            assertArrayEquals("v4".getBytes(StandardCharsets.UTF_8), ((GetResult.Found) read).body().readAllBytes());
        }
    }

    @Test
    void aConditionalWriteWhoseAnswerWasLostCountsAsDoneWhenTheObjectHoldsIt() throws Exception {
        proxy.inject(Fault.RESET_BEFORE_RESPONSE, "PUT", "/hosts/web-1/desired.json", 1);
        ObjectInfo put = put("v1", Precondition.mustNotExist());
        assertEquals(BodyDigest.of("v1".getBytes(StandardCharsets.UTF_8)).md5(), put.md5());
        assertEquals(List.of("direct RESET_BEFORE_RESPONSE"), puts(), "found by a HEAD, not written again");
    }

    @Test
    void aBodyThatFailsToOpenWritesNothing() throws Exception {
        StoreException e = assertThrows(StoreException.class, () -> store.put("hosts/web-1/state.json",
                () -> { throw new java.io.IOException("disk gone"); }, BodyDigest.of(new byte[2]), Map.of(), Precondition.NONE));
        assertTrue(e.getMessage().contains("disk gone") && e.getMessage().contains("nothing was written"), e::getMessage);
        assertEquals(List.of(), puts());
        assertInstanceOf(GetResult.Missing.class, plain.get("hosts/web-1/state.json", null));
    }
}
