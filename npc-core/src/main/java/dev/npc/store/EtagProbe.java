package dev.npc.store;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Asks S3 whether an object still has an ETag with one SigV4-signed HEAD, without the S3 client:
 * the client's request path (interceptors, endpoint rules, pipeline stages) costs several ms of
 * CPU per request in a daemon that polls once a second, and its classes most of its memory.
 *
 * <p>The answer is only ever "certainly unchanged" or "ask the client": any other status, a
 * missing or different ETag, an I/O failure, all return false, and the caller then goes through
 * the client as before, which reports, retries and reads the bytes through the verified path.
 * Nothing the probe sees is used as content. It addresses the object exactly as
 * {@link S3Connection#newClient()} does: path-style under a custom endpoint, virtual-host style at
 * AWS (path-style for bucket names with dots, which a wildcard certificate does not cover); where
 * the client's addressing depends on more (FIPS or dual-stack endpoints from the environment) there
 * is no probe. Requests go over the JDK's kept-alive HTTP connection.
 */
final class EtagProbe {
    private static final int TIMEOUT_MILLIS = 10_000;

    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();
    private final URI base;
    private final String region;
    private final AwsCredentialsProvider credentials;
    private final StoreLocation.S3 location;
    /**
     * Set when S3 answers that the bucket lives elsewhere (a redirect, or 400 naming its region):
     * the client follows that (cross-region access), the probe does not, so it stops asking rather
     * than add a request to every poll.
     */
    private volatile boolean elsewhere;

    private EtagProbe(URI base, String region, AwsCredentialsProvider credentials, StoreLocation.S3 location) {
        this.base = base;
        this.region = region;
        this.credentials = credentials;
        this.location = location;
    }

    /** A probe for the store, or empty when only the client knows how to address it. */
    static Optional<EtagProbe> of(StoreLocation.S3 location, S3Connection connection) {
        return of(location, connection, System::getenv);
    }

    static Optional<EtagProbe> of(StoreLocation.S3 location, S3Connection connection, Function<String, String> env) {
        Region region = connection.region();
        if (connection.endpoint().isPresent()) {
            URI endpoint = connection.endpoint().get();
            String path = endpoint.getRawPath() == null ? "" : endpoint.getRawPath().replaceAll("/+$", "");
            return Optional.of(new EtagProbe(URI.create(endpoint.getScheme() + "://" + endpoint.getRawAuthority()
                    + path + "/" + SdkHttpUtils.urlEncode(location.bucket())), region.id(),
                    connection.credentials(), location));
        }
        for (String variable : new String[] {"AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT",
                "AWS_S3_US_EAST_1_REGIONAL_ENDPOINT", "AWS_S3_DISABLE_MULTIREGION_ACCESS_POINTS"}) {
            if (env.apply(variable) != null) {
                return Optional.empty();
            }
        }
        if (region.isGlobalRegion() || region.id().startsWith("cn-") || region.id().startsWith("us-gov-")
                || region.id().startsWith("us-iso")) {
            return Optional.empty();
        }
        String host = "s3." + region.id() + ".amazonaws.com";
        URI base = location.bucket().contains(".")
                ? URI.create("https://" + host + "/" + location.bucket())
                : URI.create("https://" + location.bucket() + "." + host);
        return Optional.of(new EtagProbe(base, region.id(), connection.credentials(), location));
    }

    /** The URL of the object under {@code key} (relative to the store's prefix). */
    URI uri(String key) {
        return URI.create(base + "/" + SdkHttpUtils.urlEncodeIgnoreSlashes(location.fullKey(key)));
    }

    /**
     * Whether the object under {@code key} certainly still has ETag {@code etag}: a signed HEAD
     * answered 200 with exactly that ETag. False means "don't know", never "changed" for sure.
     */
    boolean unchanged(String key, String etag) {
        StoreKeys.check(key);
        if (elsewhere) {
            return false;
        }
        HttpURLConnection connection = null;
        try {
            SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.HEAD).uri(uri(key)).build();
            SignedRequest signed = signer.sign(r -> r.identity(credentials.resolveCredentials())
                    .request(request)
                    .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                    .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "s3")
                    // S3 signs paths as sent: no second encoding, no normalising of "..".
                    .putProperty(AwsV4FamilyHttpSigner.DOUBLE_URL_ENCODE, false)
                    .putProperty(AwsV4FamilyHttpSigner.NORMALIZE_PATH, false)
                    .putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, false));
            connection = (HttpURLConnection) signed.request().getUri().toURL().openConnection();
            connection.setRequestMethod("HEAD");
            connection.setInstanceFollowRedirects(false);
            connection.setUseCaches(false);
            connection.setConnectTimeout(TIMEOUT_MILLIS);
            connection.setReadTimeout(TIMEOUT_MILLIS);
            for (Map.Entry<String, List<String>> header : signed.request().headers().entrySet()) {
                // The JDK writes Host itself, from the same URL the signature covers.
                if (!header.getKey().equalsIgnoreCase("Host")) {
                    connection.setRequestProperty(header.getKey(), String.join(",", header.getValue()));
                }
            }
            int status = connection.getResponseCode();
            drain(connection, status);
            if (status == 301 || status == 307 || status == 400 && connection.getHeaderField("x-amz-bucket-region") != null) {
                elsewhere = true;
            }
            return status == 200 && etag.equals(connection.getHeaderField("ETag"));
        } catch (IOException | RuntimeException e) {
            // Unreachable, unsigned credentials, anything odd: the client will say what it was.
            if (connection != null) {
                connection.disconnect();
            }
            return false;
        }
    }

    /** Reads an error body to its end (bounded), so the connection is kept for the next poll. */
    private static void drain(HttpURLConnection connection, int status) throws IOException {
        try (InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
            if (in != null) {
                in.readNBytes(64 * 1024);
            }
        }
    }
}
