package dev.npc.store;

import dev.npc.testing.TestClock;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * npc's SigV4 signs every request SignedHttp sends exactly as the SDK's AwsV4HttpSigner did
 * (with the properties SignedHttp gave it): same headers, same Authorization, byte for byte.
 * S3Proxy checking real signatures (SignedReadsTest, SignedPutTest) covers the wire; this covers
 * the odd cases a test server never sees.
 */
class SigV4Test {
    private static final AwsCredentialsIdentity BASIC = AwsBasicCredentials.create("AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    private static final AwsCredentialsIdentity SESSION = AwsSessionCredentials.create("ASIAEXAMPLE",
            "a secret with spaces and / + = signs, and longer than sixty-four bytes so HMAC hashes the key first",
            "FQoGZXIvYXdzE//////////wEaDNsession+token/with=odd==chars");

    @Test
    void headAndGetAsTheSdkSignsThem() {
        for (String key : List.of("hosts/web-1/desired.json", "remotes/prod.json", "a b/c+d/e~f*g'h(i)!.json",
                "ünïcødé/日本/🚀.json", "percent%2Fliteral/x", "dots/../and/./slashes//x")) {
            for (String base : List.of("http://127.0.0.1:9000/bucket", "https://fleet.s3.eu-west-1.amazonaws.com",
                    "https://s3.eu-west-1.amazonaws.com/fleet.example.com", "http://localhost:80/b",
                    "https://minio.internal:443/b")) {
                URI uri = URI.create(base + "/" + SdkHttpUtils.urlEncodeIgnoreSlashes("prefix/" + key));
                for (AwsCredentialsIdentity credentials : List.of(BASIC, SESSION)) {
                    assertSame(SdkHttpMethod.HEAD, uri, Map.of(), null, credentials, Instant.parse("2026-12-03T15:04:05Z"));
                    assertSame(SdkHttpMethod.GET, uri, Map.of("If-None-Match", "\"0123456789abcdef\""), null, credentials,
                            Instant.parse("2026-12-03T15:04:05Z"));
                    assertSame(SdkHttpMethod.HEAD, uri, Map.of("x-amz-checksum-mode", "ENABLED"), null, credentials,
                            Instant.parse("2026-02-28T23:59:59Z"));
                }
            }
        }
    }

    @Test
    void listingsWithQueriesAsTheSdkSignsThem() {
        for (String query : List.of(
                "list-type=2&encoding-type=url&max-keys=1000&prefix=" + SdkHttpUtils.urlEncode("fleet/hosts/"),
                "list-type=2&encoding-type=url&max-keys=1&prefix=" + SdkHttpUtils.urlEncode("a b+c/ü")
                        + "&start-after=" + SdkHttpUtils.urlEncode("a b+c/ü/x~y*z")
                        + "&continuation-token=" + SdkHttpUtils.urlEncode("1/ab+c==/\u00e9"),
                "versions&prefix=&max-keys=5", "b=2&a=1&a=0&c")) {
            URI uri = URI.create("https://fleet.s3.us-east-2.amazonaws.com/?" + query);
            assertSame(SdkHttpMethod.GET, uri, Map.of(), null, BASIC, Instant.parse("2026-12-03T00:00:00Z"));
            assertSame(SdkHttpMethod.GET, uri, Map.of(), null, SESSION, Instant.parse("2026-12-31T23:59:59Z"));
        }
    }

    @Test
    void putsWithTheirHeadersAndBodyAsTheSdkSignsThem() {
        byte[] body = "{\"host\":\"web-1\",\"phase\":\"idle\"}\n".getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg==");
        headers.put("x-amz-checksum-sha256", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
        headers.put("x-amz-meta-npc-note", "  spaced \t out\n  value  ");
        headers.put("If-None-Match", "*");
        URI uri = URI.create("http://127.0.0.1:41234/bucket/fleet/hosts/web-1/state.json");
        assertSame(SdkHttpMethod.PUT, uri, headers, body, BASIC, Instant.parse("2026-12-03T15:04:05Z"));
        headers.remove("If-None-Match");
        headers.put("If-Match", "\"etag-of-the-last\"");
        assertSame(SdkHttpMethod.PUT, uri, headers, new byte[0], SESSION, Instant.parse("2027-01-01T00:00:00Z"));
    }

    @Test
    void theKeyKeptForADayIsNotUsedForTheNextOneOrAnotherSecret() {
        URI uri = URI.create("http://127.0.0.1:9000/bucket/fleet/hosts/web-1/desired.json");
        TestClock clock = new TestClock(Instant.parse("2026-12-03T23:59:59Z"));
        SigV4 signer = new SigV4("eu-west-1", clock);
        Map<String, String> first = signer.sign("HEAD", uri, Map.of(), SigV4.UNSIGNED_PAYLOAD, BASIC);
        assertEquals(sdk(SdkHttpMethod.HEAD, uri, Map.of(), null, BASIC, clock.instant()), lower(first));
        clock.advance(java.time.Duration.ofSeconds(1));
        Map<String, String> nextDay = signer.sign("HEAD", uri, Map.of(), SigV4.UNSIGNED_PAYLOAD, BASIC);
        assertEquals(sdk(SdkHttpMethod.HEAD, uri, Map.of(), null, BASIC, clock.instant()), lower(nextDay));
        Map<String, String> rotated = signer.sign("HEAD", uri, Map.of(), SigV4.UNSIGNED_PAYLOAD, SESSION);
        assertEquals(sdk(SdkHttpMethod.HEAD, uri, Map.of(), null, SESSION, clock.instant()), lower(rotated));
        assertNotEquals(first.get("Authorization"), nextDay.get("Authorization"));
    }

    private static void assertSame(SdkHttpMethod method, URI uri, Map<String, String> headers, byte[] body,
                                   AwsCredentialsIdentity credentials, Instant at) {
        Clock clock = Clock.fixed(at, ZoneOffset.UTC);
        String payload = body == null ? SigV4.UNSIGNED_PAYLOAD : dev.npc.digest.Sha256Digest.hex(body);
        Map<String, String> ours = new SigV4("eu-west-1", clock).sign(method.name(), uri, headers, payload, credentials);
        assertEquals(sdk(method, uri, headers, body, credentials, at), lower(ours), method + " " + uri + " " + headers);
    }

    /** What SignedHttp sent before SigV4: the SDK signer with these properties, Host left to the JDK. */
    private static Map<String, String> sdk(SdkHttpMethod method, URI uri, Map<String, String> headers, byte[] body,
                                           AwsCredentialsIdentity credentials, Instant at) {
        SdkHttpRequest.Builder builder = SdkHttpRequest.builder().method(method).uri(uri);
        headers.forEach(builder::putHeader);
        SdkHttpRequest request = builder.build();
        var signed = AwsV4HttpSigner.create().sign(r -> r.identity(credentials)
                .request(request)
                .putProperty(AwsV4HttpSigner.REGION_NAME, "eu-west-1")
                .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(AwsV4FamilyHttpSigner.DOUBLE_URL_ENCODE, false)
                .putProperty(AwsV4FamilyHttpSigner.NORMALIZE_PATH, false)
                .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC))
                .payload(body == null ? null : ContentStreamProvider.fromByteArrayUnsafe(body))
                .putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, body != null));
        Map<String, String> result = new TreeMap<>();
        signed.request().headers().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("Host")) {
                result.put(name.toLowerCase(Locale.ROOT), String.join(",", values));
            }
        });
        return result;
    }

    private static Map<String, String> lower(Map<String, String> headers) {
        Map<String, String> result = new TreeMap<>();
        headers.forEach((name, value) -> result.put(name.toLowerCase(Locale.ROOT), value));
        return result;
    }
}
