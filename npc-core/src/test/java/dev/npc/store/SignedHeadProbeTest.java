package dev.npc.store;

import dev.npc.testing.EmbeddedS3;
import dev.npc.testing.FaultProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.regions.Region;

import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Instant;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The probe against S3Proxy with SigV4 checked: its signature must be the one S3 computes, a 200
 * tells "unchanged" or "changed" by its ETag, and every other answer (a 404, another status, an
 * ETag missing or past its bound, no answer) cannot tell, which sends the caller to the client.
 */
class SignedHeadProbeTest {
    private static EmbeddedS3 s3;
    private static String etag;

    @BeforeAll
    static void start() throws Exception {
        s3 = EmbeddedS3.start();
        try (Store store = s3.open("fleet")) {
            etag = store.put("hosts/web-1/desired.json", "{}".getBytes(StandardCharsets.UTF_8), Map.of()).etag();
        }
    }

    @AfterAll
    static void stop() {
        s3.close();
    }

    private static SignedReads probe(AwsCredentialsProvider credentials) {
        S3Connection connection = new S3Connection(Optional.of(s3.endpoint()), Region.of(EmbeddedS3.REGION), credentials);
        return SignedHttp.of(new StoreLocation.S3(s3.bucket(), "fleet"), connection, name -> null).map(SignedReads::new).orElseThrow();
    }

    @Test
    void aSignedHeadTellsUnchangedOrChangedByTheEtagAndTheServerCheckedTheSignature() {
        SignedReads probe = probe(EmbeddedS3.credentials(EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY));
        assertEquals(EtagProbe.UNCHANGED, probe.probe("hosts/web-1/desired.json", etag));
        assertEquals(EtagProbe.UNCHANGED, probe.probe("hosts/web-1/desired.json", etag),
                "the kept-alive connection serves the next poll");
        assertEquals(EtagProbe.CHANGED, probe.probe("hosts/web-1/desired.json", "\"other\""));
        assertEquals(EtagProbe.CANNOT_TELL, probe.probe("hosts/web-2/desired.json", etag), "404: the client reports it");
    }

    /**
     * Credentials are resolved once for many requests (the provider chain costs a third of a poll),
     * again after a 403 (they may have been rotated), and for every request once they expire soon.
     */
    @Test
    void credentialsAreResolvedOnceAMinuteAgainAfterARefusalAndAlwaysNearTheirExpiry() {
        AtomicInteger resolved = new AtomicInteger();
        AtomicReference<String> secret = new AtomicReference<>(EmbeddedS3.SECRET_KEY);
        SignedReads probe = probe(() -> {
            resolved.incrementAndGet();
            return AwsBasicCredentials.create(EmbeddedS3.ACCESS_KEY, secret.get());
        });
        for (int i = 0; i < 5; i++) {
            assertEquals(EtagProbe.UNCHANGED, probe.probe("hosts/web-1/desired.json", etag));
        }
        assertEquals(1, resolved.get());

        AtomicInteger rotated = new AtomicInteger();
        SignedReads stale = probe(() -> rotated.incrementAndGet() == 1
                ? AwsBasicCredentials.create(EmbeddedS3.ACCESS_KEY, "rotated-away")
                : AwsBasicCredentials.create(EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY));
        assertEquals(EtagProbe.CANNOT_TELL, stale.probe("hosts/web-1/desired.json", etag), "403 with the old secret");
        assertEquals(EtagProbe.UNCHANGED, stale.probe("hosts/web-1/desired.json", etag), "resolved again after the 403");
        assertEquals(2, rotated.get());

        AtomicInteger expiring = new AtomicInteger();
        SignedReads nearExpiry = probe(() -> {
            expiring.incrementAndGet();
            return AwsSessionCredentials.builder().accessKeyId(EmbeddedS3.ACCESS_KEY).secretAccessKey(EmbeddedS3.SECRET_KEY)
                    .sessionToken("token").expirationTime(Instant.now().plusSeconds(60)).build();
        });
        nearExpiry.probe("hosts/web-1/desired.json", etag);
        nearExpiry.probe("hosts/web-1/desired.json", etag);
        assertEquals(2, expiring.get());
    }

    /** A proxy configured for the JVM is still used: only without one are requests sent direct. */
    @Test
    void aProxySetForTheJvmIsUsed() throws Exception {
        try (ServerSocket proxy = new ServerSocket(0)) {
            AtomicInteger connections = new AtomicInteger();
            Thread acceptor = new Thread(() -> {
                while (!proxy.isClosed()) {
                    try (Socket socket = proxy.accept()) {
                        connections.incrementAndGet();
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });
            acceptor.start();
            System.setProperty("http.proxyHost", "127.0.0.1");
            System.setProperty("http.proxyPort", Integer.toString(proxy.getLocalPort()));
            System.setProperty("http.nonProxyHosts", "");
            SignedReads throughProxy;
            try {
                throughProxy = probe(EmbeddedS3.credentials(EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY));
                assertEquals(EtagProbe.CANNOT_TELL, throughProxy.probe("hosts/web-1/desired.json", etag), "the proxy answers nothing");
            } finally {
                System.clearProperty("http.proxyHost");
                System.clearProperty("http.proxyPort");
                System.clearProperty("http.nonProxyHosts");
            }
            int throughTheProxy = connections.get();
            assertTrue(throughTheProxy >= 1, "the request went to the proxy (the JDK retries a HEAD once)");
            assertEquals(EtagProbe.UNCHANGED, probe(EmbeddedS3.credentials(EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY))
                    .probe("hosts/web-1/desired.json", etag));
            assertEquals(throughTheProxy, connections.get(), "without a proxy setting, direct");
        }
    }

    @Test
    void aRefusedSignatureCannotTellAndTheClientReportsTheRefusal() throws Exception {
        AwsCredentialsProvider wrong = EmbeddedS3.credentials(EmbeddedS3.ACCESS_KEY, "not-the-secret");
        assertEquals(EtagProbe.CANNOT_TELL, probe(wrong).probe("hosts/web-1/desired.json", etag), "403 sends the caller to the client");
        try (Store store = new S3Store(new StoreLocation.S3(s3.bucket(), "fleet"),
                S3Connection.of(new StoreOptions(s3.endpointUrl(), EmbeddedS3.REGION, wrong), name -> null), 1000)) {
            assertEquals(EtagProbe.CANNOT_TELL, store.probe("hosts/web-1/desired.json", etag));
            StoreException e = assertThrows(StoreException.class, () -> store.head("hosts/web-1/desired.json"));
            assertTrue(e.getMessage().contains("403") || e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("denied")
                    || e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("signature"), e.getMessage());
        }
    }

    /** Another status than 200, as S3 answers when it is in trouble: nothing is known of the ETag. */
    @Test
    void aServerAnsweringAnotherStatusCannotTell() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(s3.endpoint())) {
            SignedReads probe = SignedHttp.of(new StoreLocation.S3(s3.bucket(), "fleet"),
                    new S3Connection(Optional.of(URI.create(proxy.endpointUrl())), Region.of(EmbeddedS3.REGION),
                            EmbeddedS3.credentials(EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY)), name -> null)
                    .map(SignedReads::new).orElseThrow();
            proxy.inject(FaultProxy.Fault.ERROR_500, "HEAD", "/desired.json", 1);
            proxy.inject(FaultProxy.Fault.SLOW_DOWN, "HEAD", "/desired.json", 1);
            assertEquals(EtagProbe.CANNOT_TELL, probe.probe("hosts/web-1/desired.json", "\"other\""), "500");
            assertEquals(EtagProbe.CANNOT_TELL, probe.probe("hosts/web-1/desired.json", "\"other\""), "503 SlowDown");
            assertEquals(EtagProbe.CHANGED, probe.probe("hosts/web-1/desired.json", "\"other\""),
                    "the same request, answered 200, tells");
            assertEquals(3, proxy.served(FaultProxy.Fault.ERROR_500) + proxy.served(FaultProxy.Fault.SLOW_DOWN)
                    + proxy.served(FaultProxy.Fault.PASS), "one request each, never retried: " + proxy.log());
        }
    }

    /**
     * A 200 whose ETag is missing, empty or longer than the bound a kept ETag has, or an ETag with
     * another status than 200: the answer is not one whose word is taken, so the probe cannot tell
     * even that the object changed. The JDK's HTTP server plays the server.
     */
    @Test
    void anAnswerWithoutAUsableEtagOrOtherThanTwoHundredCannotTell() throws Exception {
        AtomicInteger status = new AtomicInteger();
        AtomicReference<String> answered = new AtomicReference<>();
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            if (answered.get() != null) {
                exchange.getResponseHeaders().set("ETag", answered.get());
            }
            exchange.sendResponseHeaders(status.get(), -1);
            exchange.close();
        });
        server.start();
        try {
            S3Connection connection = new S3Connection(Optional.of(URI.create("http://127.0.0.1:" + server.getAddress().getPort())),
                    Region.US_EAST_1, EmbeddedS3.credentials("x", "y"));
            SignedReads probe = SignedHttp.of(new StoreLocation.S3("b", ""), connection, name -> null).map(SignedReads::new).orElseThrow();
            String other = "\"0123456789abcdef0123456789abcdef\"";
            for (int notOk : new int[] {203, 206, 304, 404, 500}) {
                status.set(notOk);
                answered.set(other);
                assertEquals(EtagProbe.CANNOT_TELL, probe.probe("hosts/h/desired.json", etag), "status " + notOk);
            }
            status.set(200);
            String longest = "\"" + "e".repeat(SignedReads.MAX_ETAG_CHARS - 2) + "\"";
            for (String hostile : new String[] {null, "", "\"" + "e".repeat(SignedReads.MAX_ETAG_CHARS - 1) + "\""}) {
                answered.set(hostile);
                assertEquals(EtagProbe.CANNOT_TELL, probe.probe("hosts/h/desired.json", etag),
                        hostile == null ? "no ETag" : "ETag of " + hostile.length() + " characters");
            }
            // The same server, answering 200 with an ETag within bounds, is taken at its word.
            answered.set(other);
            assertEquals(EtagProbe.CHANGED, probe.probe("hosts/h/desired.json", etag));
            answered.set(longest);
            assertEquals(EtagProbe.CHANGED, probe.probe("hosts/h/desired.json", etag), "an ETag at its bound tells");
            assertEquals(EtagProbe.UNCHANGED, probe.probe("hosts/h/desired.json", longest));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void anUnreachableEndpointCannotTell() {
        S3Connection connection = new S3Connection(Optional.of(URI.create("http://127.0.0.1:1")), Region.US_EAST_1,
                EmbeddedS3.credentials("x", "y"));
        SignedReads probe = SignedHttp.of(new StoreLocation.S3("b", ""), connection, name -> null).map(SignedReads::new).orElseThrow();
        assertEquals(EtagProbe.CANNOT_TELL, probe.probe("hosts/h/desired.json", etag));
    }

    /** Credentials are asked of the provider at every probe, which caches and refreshes them (as for the client). */
    @Test
    void credentialsAreResolvedAtEachProbeSoRotatedOnesAreUsed() {
        AtomicReference<AwsCredentials> current = new AtomicReference<>(
                AwsBasicCredentials.create(EmbeddedS3.ACCESS_KEY, "expired-secret"));
        AtomicInteger asked = new AtomicInteger();
        SignedReads probe = probe(() -> {
            asked.incrementAndGet();
            return current.get();
        });
        assertEquals(EtagProbe.CANNOT_TELL, probe.probe("hosts/web-1/desired.json", etag));
        current.set(AwsBasicCredentials.create(EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY));
        assertEquals(EtagProbe.UNCHANGED, probe.probe("hosts/web-1/desired.json", etag));
        assertEquals(2, asked.get());
    }

    /**
     * A bucket in another region than the configured one: S3 redirects, the client follows
     * (cross-region access) and the probe stops asking, so a poll does not cost a third request.
     * The JDK's HTTP server stands in for S3's redirect.
     */
    @Test
    void aRedirectToAnotherRegionStopsTheProbe() throws Exception {
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        AtomicInteger requests = new AtomicInteger();
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            exchange.getResponseHeaders().add("x-amz-bucket-region", "eu-west-1");
            exchange.sendResponseHeaders(301, -1);
            exchange.close();
        });
        server.start();
        try {
            S3Connection connection = new S3Connection(Optional.of(URI.create("http://127.0.0.1:" + server.getAddress().getPort())),
                    Region.US_EAST_1, EmbeddedS3.credentials("x", "y"));
            SignedReads probe = SignedHttp.of(new StoreLocation.S3("b", ""), connection, name -> null).map(SignedReads::new).orElseThrow();
            assertEquals(EtagProbe.CANNOT_TELL, probe.probe("hosts/h/desired.json", etag));
            assertEquals(EtagProbe.CANNOT_TELL, probe.probe("hosts/h/desired.json", etag));
            assertEquals(1, requests.get(), "after the redirect only the client asks");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aCustomEndpointIsAddressedPathStyleUnderItsPath() {
        S3Connection connection = new S3Connection(Optional.of(URI.create("https://minio.example:9000/s3/")),
                Region.of("eu-west-1"), EmbeddedS3.credentials("x", "y"));
        SignedHttp probe = SignedHttp.of(new StoreLocation.S3("fleet-bucket", "prod/eu"), connection, name -> null).orElseThrow();
        assertEquals(URI.create("https://minio.example:9000/s3/fleet-bucket/prod/eu/hosts/h-1/desired.json"),
                probe.uri("hosts/h-1/desired.json"));
    }

    @Test
    void awsIsAddressedVirtualHostStyleInTheConfiguredRegionAndDottedBucketsPathStyle() {
        S3Connection connection = new S3Connection(Optional.empty(), Region.of("eu-central-1"), EmbeddedS3.credentials("x", "y"));
        assertEquals(URI.create("https://fleet.s3.eu-central-1.amazonaws.com/hosts/h/desired.json"),
                SignedHttp.of(new StoreLocation.S3("fleet", ""), connection, name -> null).orElseThrow()
                        .uri("hosts/h/desired.json"));
        assertEquals(URI.create("https://s3.eu-central-1.amazonaws.com/fleet.example.com/p/hosts/h/desired.json"),
                SignedHttp.of(new StoreLocation.S3("fleet.example.com", "p"), connection, name -> null).orElseThrow()
                        .uri("hosts/h/desired.json"));
    }

    @Test
    void whereOnlyTheClientKnowsTheAddressThereIsNoProbe() {
        S3Connection connection = new S3Connection(Optional.empty(), Region.of("eu-central-1"), EmbeddedS3.credentials("x", "y"));
        StoreLocation.S3 location = new StoreLocation.S3("fleet", "");
        assertTrue(SignedHttp.of(location, connection, name -> name.equals("AWS_USE_FIPS_ENDPOINT") ? "true" : null).isEmpty());
        assertTrue(SignedHttp.of(location, connection, name -> name.equals("AWS_USE_DUALSTACK_ENDPOINT") ? "true" : null).isEmpty());
        assertTrue(SignedHttp.of(location, new S3Connection(Optional.empty(), Region.of("cn-north-1"),
                EmbeddedS3.credentials("x", "y")), name -> null).isEmpty());
    }

    /** A proxy named in the environment is the SDK client's to use: every request goes through the client. */
    @Test
    void aProxyFromTheEnvironmentLeavesEveryRequestToTheClient() {
        S3Connection aws = new S3Connection(Optional.empty(), Region.of("eu-central-1"), EmbeddedS3.credentials("x", "y"));
        S3Connection minio = new S3Connection(Optional.of(URI.create("https://minio.example:9000")), Region.US_EAST_1,
                EmbeddedS3.credentials("x", "y"));
        StoreLocation.S3 location = new StoreLocation.S3("fleet", "");
        for (String variable : new String[] {"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"}) {
            for (S3Connection connection : new S3Connection[] {aws, minio}) {
                assertTrue(SignedHttp.of(location, connection, name -> name.equals(variable) ? "http://proxy:3128" : null)
                        .isEmpty(), variable);
                assertTrue(SignedHttp.of(location, connection, name -> null).isPresent());
            }
            S3Connection loopback = new S3Connection(Optional.of(s3.endpoint()), Region.US_EAST_1, EmbeddedS3.credentials("x", "y"));
            assertTrue(SignedHttp.of(location, loopback, name -> name.equals(variable) ? "http://proxy:3128" : null)
                    .isPresent(), "a store on loopback is not reached through a proxy");
        }
    }
}
