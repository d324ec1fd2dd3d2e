package dev.npc.store;

import dev.npc.digest.HmacSha256;
import dev.npc.digest.Sha256Digest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * AWS Signature Version 4 for the S3 requests {@link SignedHttp} sends, in header form: what the
 * SDK's {@code AwsV4HttpSigner} computes for them (SigV4Test compares the two on every kind of
 * request npc sends), without its cost. The SDK's signer builds a request model, a property
 * bag and the key chain for every request and goes through the JDK's {@code Mac}; profiled, it was
 * most of the daemon's CPU per unchanged poll. Here the signing key, which depends only on the
 * secret, the day and the region, is derived once a day, and a request costs two SHA-256 of a few
 * hundred bytes and one HMAC.
 *
 * <p>Paths are signed as sent (S3 wants no second encoding and no normalising of {@code ..});
 * query parameters are decoded, encoded again the strict way and sorted; header values are
 * trimmed with inner runs of spaces made one, as SigV4 defines canonical headers.
 */
final class SigV4 {
    static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
    private static final String ALGORITHM = "AWS4-HMAC-SHA256";
    private static final String SERVICE = "s3";

    private final String region;
    private final Clock clock;
    /** The last key derived: most processes sign under one secret, one day, one region. */
    private volatile DayKey dayKey;

    private record DayKey(String secret, String day, byte[] key) { }

    SigV4(String region, Clock clock) {
        this.region = region;
        this.clock = clock;
    }

    /**
     * The headers to send for {@code method} on {@code uri} with {@code headers}: those given, then
     * {@code x-amz-content-sha256}, {@code x-amz-date}, {@code x-amz-security-token} (with session
     * credentials) and {@code Authorization}. Host is signed from {@code uri} as an HTTP client
     * sends it (the port only when it is not the scheme's default) but not returned: the client
     * writes it.
     *
     * @param payloadSha256Hex the body's SHA-256 in hex, or {@link #UNSIGNED_PAYLOAD}
     */
    Map<String, String> sign(String method, URI uri, Map<String, String> headers, String payloadSha256Hex,
                             AwsCredentialsIdentity credentials) {
        long now = clock.millis() / 1000;
        String amzDate = amzDate(now);
        String day = amzDate.substring(0, 8);
        Map<String, String> sent = new LinkedHashMap<>(headers);
        sent.put("x-amz-content-sha256", payloadSha256Hex);
        sent.put("x-amz-date", amzDate);
        if (credentials instanceof AwsSessionCredentialsIdentity session) {
            sent.put("x-amz-security-token", session.sessionToken());
        }
        TreeMap<String, String> canonicalHeaders = new TreeMap<>();
        canonicalHeaders.put("host", host(uri));
        sent.forEach((name, value) -> canonicalHeaders.merge(name.toLowerCase(Locale.ROOT), trimAll(value),
                (first, second) -> first + "," + second));
        StringBuilder canonical = new StringBuilder(512)
                .append(method).append('\n')
                .append(uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath()).append('\n')
                .append(canonicalQuery(uri.getRawQuery())).append('\n');
        canonicalHeaders.forEach((name, value) -> canonical.append(name).append(':').append(value).append('\n'));
        String signedHeaders = String.join(";", canonicalHeaders.keySet());
        canonical.append('\n').append(signedHeaders).append('\n').append(payloadSha256Hex);
        String scope = day + "/" + region + "/" + SERVICE + "/aws4_request";
        String stringToSign = ALGORITHM + "\n" + amzDate + "\n" + scope + "\n" + Sha256Digest.hex(utf8(canonical.toString()));
        String signature = HexFormat.of().formatHex(HmacSha256.mac(signingKey(credentials.secretAccessKey(), day),
                utf8(stringToSign)));
        sent.put("Authorization", ALGORITHM + " Credential=" + credentials.accessKeyId() + "/" + scope
                + ", SignedHeaders=" + signedHeaders + ", Signature=" + signature);
        return sent;
    }

    private byte[] signingKey(String secret, String day) {
        DayKey known = dayKey;
        if (known != null && known.day().equals(day) && known.secret().equals(secret)) {
            return known.key();
        }
        byte[] key = HmacSha256.mac(utf8("AWS4" + secret), utf8(day));
        key = HmacSha256.mac(key, utf8(region));
        key = HmacSha256.mac(key, utf8(SERVICE));
        key = HmacSha256.mac(key, utf8("aws4_request"));
        dayKey = new DayKey(secret, day, key);
        return key;
    }

    /** The Host header as HttpURLConnection writes it for {@code uri}. */
    static String host(URI uri) {
        int port = uri.getPort();
        boolean defaultPort = port == -1 || "https".equalsIgnoreCase(uri.getScheme()) && port == 443
                || "http".equalsIgnoreCase(uri.getScheme()) && port == 80;
        return defaultPort ? uri.getHost() : uri.getHost() + ":" + port;
    }

    private static String canonicalQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        List<String[]> parameters = new ArrayList<>();
        for (String parameter : rawQuery.split("&")) {
            if (parameter.isEmpty()) {
                continue;
            }
            int equals = parameter.indexOf('=');
            String name = equals < 0 ? parameter : parameter.substring(0, equals);
            String value = equals < 0 ? "" : parameter.substring(equals + 1);
            parameters.add(new String[] {SdkHttpUtils.urlEncode(SdkHttpUtils.urlDecode(name)),
                SdkHttpUtils.urlEncode(SdkHttpUtils.urlDecode(value))});
        }
        parameters.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
        StringBuilder query = new StringBuilder();
        for (String[] parameter : parameters) {
            if (query.length() > 0) {
                query.append('&');
            }
            query.append(parameter[0]).append('=').append(parameter[1]);
        }
        return query.toString();
    }

    /** Leading and trailing whitespace (SigV4's six ASCII characters) removed, every inner run of it made one space. */
    private static String trimAll(String value) {
        StringBuilder trimmed = new StringBuilder(value.length());
        boolean space = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\u000b' || c == '\r' || c == '\f') {
                space = trimmed.length() > 0;
            } else {
                if (space) {
                    trimmed.append(' ');
                    space = false;
                }
                trimmed.append(c);
            }
        }
        return trimmed.toString();
    }

    /** {@code yyyyMMdd'T'HHmmss'Z'} without a DateTimeFormatter, whose set-up costs more than a signature. */
    private static String amzDate(long epochSecond) {
        LocalDateTime time = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
        char[] out = new char[16];
        put(out, 0, time.getYear(), 4);
        put(out, 4, time.getMonthValue(), 2);
        put(out, 6, time.getDayOfMonth(), 2);
        out[8] = 'T';
        put(out, 9, time.getHour(), 2);
        put(out, 11, time.getMinute(), 2);
        put(out, 13, time.getSecond(), 2);
        out[15] = 'Z';
        return new String(out);
    }

    private static void put(char[] out, int at, int value, int digits) {
        for (int i = at + digits - 1; i >= at; i--) {
            out[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
