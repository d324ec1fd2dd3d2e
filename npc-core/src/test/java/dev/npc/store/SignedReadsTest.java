package dev.npc.store;

import dev.npc.testing.EmbeddedS3;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Listings, HEADs and small GETs sent by {@link SignedReads} against S3Proxy with SigV4 checked:
 * they must give what the S3 client gives, and every answer they cannot be sure of (another
 * status, a hostile page) must send the caller back to the client.
 */
class SignedReadsTest {
    private static final String PREFIX = "fleet";
    private static final List<String> ODD_KEYS = List.of("a b/state.json", "a+b/state.json", "\u00fc\u00f1/state.json",
            "q?x=1&y/state.json", "pct%41/state.json");
    private static EmbeddedS3 s3;

    @BeforeAll
    static void start() throws Exception {
        s3 = EmbeddedS3.start();
        try (Store store = s3.open(PREFIX)) {
            for (int i = 0; i < 7; i++) {
                store.put("hosts/web-" + i + "/state.json", ("{\"n\": " + i + "}").getBytes(StandardCharsets.UTF_8),
                        Map.of("sequence", String.valueOf(i)));
            }
        }
        // Keys npc never writes, but a bucket may hold: the listing must still be read right.
        try (S3Client client = s3.newClient()) {
            for (String key : ODD_KEYS) {
                client.putObject(b -> b.bucket(s3.bucket()).key(PREFIX + "/hosts/" + key), RequestBody.fromString("{}"));
            }
        }
    }

    @AfterAll
    static void stop() {
        s3.close();
    }

    private static SignedHttp http(URI endpoint, String secret) {
        S3Connection connection = new S3Connection(Optional.of(endpoint), Region.of(EmbeddedS3.REGION),
                EmbeddedS3.credentials(EmbeddedS3.ACCESS_KEY, secret));
        return SignedHttp.of(new StoreLocation.S3(s3.bucket(), PREFIX), connection, name -> null).orElseThrow();
    }

    private static SignedReads reads() {
        return new SignedReads(http(s3.endpoint(), EmbeddedS3.SECRET_KEY));
    }

    /** The store as it was before: every request through the client. */
    private static S3Store clientOnly(int pageSize) {
        return new S3Store(new StoreLocation.S3(s3.bucket(), PREFIX), s3.newClient(), s3.endpointUrl(), true, pageSize);
    }

    @Test
    void pagesOfASignedListingGiveWhatTheClientsPaginatorGives() throws Exception {
        try (S3Store before = clientOnly(2)) {
            for (String[] range : new String[][] {{null, null}, {"hosts/web-1/state.json", null},
                    {null, "hosts/web-4/state.json"}, {"hosts/web-2/state.json", "hosts/web-5/state.json"}}) {
                List<ObjectInfo> signed = reads().list(PREFIX + "/hosts/", PREFIX.length() + 1,
                        range[0] == null ? null : PREFIX + "/" + range[0], range[1], 2);
                assertNotNull(signed, "S3Proxy's pages are read: " + java.util.Arrays.toString(range));
                List<ObjectInfo> client = before.list("hosts/", range[0], range[1]);
                assertEquals(describe(client), describe(signed), "range " + java.util.Arrays.toString(range));
            }
            assertEquals(7, before.list("hosts/").size(), "the odd keys are listed, and left out as keys npc never writes");
        }
    }

    @Test
    void oddKeysAreDecodedAndOddPrefixesSignedAsS3Checks() throws Exception {
        SignedHttp http = http(s3.endpoint(), EmbeddedS3.SECRET_KEY);
        List<String> keys = new ArrayList<>();
        for (String token = null; ; ) {
            ListingXml.Page page = ListingXml.parse(get(http, http.listUri(PREFIX + "/hosts/", null, token, 3)), 3);
            page.entries().forEach(e -> keys.add(e.key()));
            if (!page.truncated()) {
                break;
            }
            token = page.nextToken();
        }
        for (String key : ODD_KEYS) {
            assertTrue(keys.contains(PREFIX + "/hosts/" + key), key + " in " + keys);
        }
        for (String key : ODD_KEYS) {
            // The prefix and start-after as sent must be the ones signed: S3Proxy refuses anything else.
            String prefix = PREFIX + "/hosts/" + key.substring(0, key.indexOf('/') + 1);
            ListingXml.Page page = ListingXml.parse(get(http, http.listUri(prefix, prefix, null, 10)), 10);
            assertEquals(List.of(PREFIX + "/hosts/" + key), page.entries().stream().map(ListingXml.Entry::key).toList(), key);
        }
    }

    @Test
    void smallGetsAndHeadsGiveWhatTheClientGives() throws Exception {
        SignedReads reads = reads();
        try (S3Store before = clientOnly(1000)) {
            String key = "hosts/web-3/state.json";
            ObjectInfo head = before.head(key).orElseThrow();
            ObjectInfo signedHead = reads.head(key);
            assertEquals(head, signedHead);
            assertEquals("3", signedHead.meta("sequence"));

            GetResult found = reads.get(key, null, 1000);
            GetResult.Found f = assertInstanceOf(GetResult.Found.class, found);
            assertEquals(head.etag(), f.info().etag());
            assertEquals(head.md5(), f.info().md5());
            assertEquals(head.size(), f.info().size());
            assertArrayEquals("{\"n\": 3}".getBytes(StandardCharsets.UTF_8), f.body().readAllBytes());
            assertInstanceOf(GetResult.NotModified.class, reads.get(key, head.etag(), 1000));

            GetResult cut = reads.get(key, null, 4);
            assertEquals(5, ((GetResult.Found) cut).body().readAllBytes().length, "one byte past the bound: the caller sees it was cut");
            assertInstanceOf(GetResult.Found.class, reads.get(key, null, 1000), "and the next request still works");

            assertNull(reads.get("hosts/nobody/state.json", null, 1000), "404: the client says what it is");
            assertNull(reads.head("hosts/nobody/state.json"));
        }
    }

    @Test
    void theStoreFallsBackToTheClientWhichReportsAsBefore() throws Exception {
        SignedReads wrong = new SignedReads(http(s3.endpoint(), "not-the-secret"));
        assertNull(wrong.list(PREFIX + "/hosts/", PREFIX.length() + 1, null, null, 1000), "403: ask the client");
        assertNull(wrong.get("hosts/web-1/state.json", null, 1000));
        assertNull(wrong.head("hosts/web-1/state.json"));
        try (Store store = new S3Store(new StoreLocation.S3(s3.bucket(), PREFIX), S3Connection.of(new StoreOptions(
                s3.endpointUrl(), EmbeddedS3.REGION, EmbeddedS3.credentials(EmbeddedS3.ACCESS_KEY, "not-the-secret")),
                name -> null), 1000)) {
            StoreException e = assertThrows(StoreException.class, () -> store.list("hosts/"));
            assertTrue(e.getMessage().contains("refused the request signature"), e.getMessage());
            assertThrows(StoreException.class, () -> store.getSmall("hosts/web-1/state.json", null, 1000));
        }
        try (Store store = s3.open(PREFIX)) {
            assertInstanceOf(GetResult.Missing.class, store.getSmall("hosts/nobody/state.json", null, 1000),
                    "a missing document is what the client says it is");
            assertEquals(7, store.list("hosts/").size());
        }
    }

    @Test
    void aHostileListingIsNeverTakenAndTheClientIsAsked() throws Exception {
        String page = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult><IsTruncated>false</IsTruncated>%s</ListBucketResult>";
        String entry = "<Contents><Key>%s</Key><ETag>\"e\"</ETag><Size>1</Size></Contents>";
        List<String> hostile = List.of(
                String.format(page, String.format(entry, PREFIX + "/hosts/" + "k".repeat(ListingXml.MAX_KEY_CHARS))),
                String.format(page, String.format(entry, PREFIX + "/hosts/a/state.json")).replace("</Key>", "</Kee>"),
                "<!DOCTYPE l [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><ListBucketResult><IsTruncated>false</IsTruncated>"
                        + String.format(entry, "&x;") + "</ListBucketResult>",
                "<!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
                        + "<ListBucketResult><IsTruncated>false</IsTruncated>" + String.format(entry, "&b;") + "</ListBucketResult>",
                String.format(page, String.format(entry, PREFIX + "/hosts/b/state.json")
                        + String.format(entry, PREFIX + "/hosts/a/state.json")),
                String.format(page, String.format(entry, "elsewhere/hosts/a/state.json")),
                "<ListBucketResult><IsTruncated>true</IsTruncated>" + String.format(entry, PREFIX + "/hosts/a/state.json")
                        + "</ListBucketResult>",
                String.format(page, " ".repeat(SignedReads.MAX_PAGE_BYTES)),
                "not xml at all");
        for (String body : hostile) {
            AtomicInteger requests = new AtomicInteger();
            try (Served server = serve(() -> body, requests)) {
                SignedReads reads = new SignedReads(http(server.uri(), EmbeddedS3.SECRET_KEY));
                assertNull(reads.list(PREFIX + "/hosts/", PREFIX.length() + 1, null, null, 1000),
                        body.substring(0, Math.min(200, body.length())));
                assertEquals(1, requests.get());
            }
        }
        // The same page, well formed, is taken: what made the others fail is what they were made of.
        AtomicInteger requests = new AtomicInteger();
        try (Served server = serve(() -> String.format(page, String.format(entry, PREFIX + "/hosts/a/state.json")), requests)) {
            List<ObjectInfo> listed = new SignedReads(http(server.uri(), EmbeddedS3.SECRET_KEY))
                    .list(PREFIX + "/hosts/", PREFIX.length() + 1, null, null, 1000);
            assertEquals(List.of("hosts/a/state.json \"e\" 1"), describe(listed));
        }
    }

    @Test
    void aPageThatNeverMovesOnIsNotFollowedForever() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        String body = "<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>same</NextContinuationToken>"
                + "</ListBucketResult>";
        try (Served server = serve(() -> body, requests)) {
            assertNull(new SignedReads(http(server.uri(), EmbeddedS3.SECRET_KEY))
                    .list(PREFIX + "/hosts/", PREFIX.length() + 1, null, null, 1000));
            assertEquals(1, requests.get());
        }
    }

    @Test
    void aListingsTimesReadAsTheGeneralParserReadsThem() {
        for (String time : List.of("2026-12-03T12:27:22.000Z", "2026-12-03T12:27:22Z", "2024-02-29T23:59:59.999Z",
                "1970-01-01T00:00:00.000Z", "2026-12-03T12:27:22.5Z", "+12026-12-03T12:27:22Z", "2026-02-30T12:27:22.000Z",
                "2026-13-03T12:27:22.000Z", "2026-12-03T24:00:00.000Z", "2026-12-0xT12:27:22.000Z", "yesterday")) {
            assertEquals(parsed(() -> java.time.Instant.parse(time)), parsed(() -> ListingXml.instant(time)), time);
        }
    }

    /** The time, or the kind of failure. */
    private static Object parsed(Supplier<java.time.Instant> parse) {
        try {
            return parse.get();
        } catch (RuntimeException e) {
            return e.getClass();
        }
    }

    private static List<String> describe(List<ObjectInfo> objects) {
        return objects.stream().map(o -> o.key() + " " + o.etag() + " " + o.size()).toList();
    }

    private static byte[] get(SignedHttp http, URI uri) throws IOException {
        HttpURLConnection connection = http.open(SdkHttpMethod.GET, uri, Map.of());
        assertEquals(200, http.status(connection), uri.toString());
        try (InputStream in = connection.getInputStream()) {
            return in.readAllBytes();
        }
    }

    /** The JDK's HTTP server standing in for a hostile S3: every request answered 200 with {@code body}. */
    private record Served(com.sun.net.httpserver.HttpServer server) implements AutoCloseable {
        URI uri() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    private static Served serve(Supplier<String> body, AtomicInteger requests) throws IOException {
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/xml");
            exchange.sendResponseHeaders(200, bytes.length);
            try (var out = exchange.getResponseBody()) {
                out.write(bytes);
            } catch (IOException ignored) {
                // the client stopped reading a page past its bound
            }
            exchange.close();
        });
        server.start();
        return new Served(server);
    }
}
