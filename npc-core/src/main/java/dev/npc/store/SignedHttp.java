package dev.npc.store;

import dev.npc.digest.Sha256Digest;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

import javax.net.ssl.SSLSocketFactory;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * SigV4-signed S3 requests without the S3 client: the client's request path (interceptors,
 * endpoint rules, pipeline stages) costs several ms of CPU per request and its classes most of a
 * small process's memory, which matters for a daemon polling once a second and a CLI reading a
 * fleet. Signing is {@link SigV4}'s, with credentials from the client's own provider.
 *
 * <p>It addresses objects exactly as {@link S3Connection#newClient()} does: path-style under a
 * custom endpoint, virtual-host style at AWS (path-style for bucket names with dots, which a
 * wildcard certificate does not cover); where the client's addressing depends on more (FIPS or
 * dual-stack endpoints from the environment, the global, China, GovCloud and ISO partitions, a
 * proxy named in the environment for a store not on loopback) there is none, and callers use the client.
 * HEADs go over one {@link KeptConnection} (unless the JVM has a proxy), the other requests over the
 * JDK's kept-alive connections. Callers treat every answer as hostile and anything unexpected as
 * "ask the client".
 */
final class SignedHttp implements Closeable {
    static final int TIMEOUT_MILLIS = 10_000;
    /**
     * How long credentials once resolved sign requests: resolving goes through the SDK's provider
     * chain (a third of an unchanged poll's CPU when done for every request), and the providers
     * that rotate credentials (instance profile, container, SSO) renew them minutes before expiry.
     */
    static final Duration CREDENTIALS_REUSE = Duration.ofMinutes(1);
    /** Credentials this close to their expiry are resolved again for every request. */
    static final Duration CREDENTIALS_MARGIN = Duration.ofMinutes(5);
    private static final String[] PROXY_VARIABLES = {"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy",
        "ALL_PROXY", "all_proxy"};

    private final SigV4 signer;
    private final URI base;
    private final AwsCredentialsProvider credentials;
    private final StoreLocation.S3 location;
    private final Clock clock;
    /**
     * {@link Proxy#NO_PROXY} when no proxy is configured for the JVM (none of the proxy system
     * properties, no system proxies, the JDK's own selector): the JDK then skips the proxy
     * selection it makes for every request (a URI built and matched against the non-proxy hosts).
     * Null, the JDK's selection, when one is.
     */
    private final Proxy proxy = configuredProxy() ? null : Proxy.NO_PROXY;
    private volatile Resolved resolved;
    /** Made at the first HEAD: a store that never sends one never sets up TLS for it. */
    private KeptConnection kept;

    private record Resolved(AwsCredentialsIdentity identity, Instant at) { }

    /**
     * Set when S3 answers that the bucket lives elsewhere (a redirect, or 400 naming its region):
     * the client follows that (cross-region access), this class does not, so callers stop asking
     * rather than add a request to every call.
     */
    private volatile boolean elsewhere;

    private SignedHttp(URI base, String region, AwsCredentialsProvider credentials, StoreLocation.S3 location) {
        this.clock = Clock.systemUTC();
        this.signer = new SigV4(region, clock);
        this.base = base;
        this.credentials = credentials;
        this.location = location;
    }

    /** Signed requests to the store, or empty when only the client knows how to address it. */
    static Optional<SignedHttp> of(StoreLocation.S3 location, S3Connection connection) {
        return of(location, connection, System::getenv);
    }

    static Optional<SignedHttp> of(StoreLocation.S3 location, S3Connection connection, Function<String, String> env) {
        boolean loopback = connection.endpoint().map(URI::getHost)
                .map(host -> host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]")).orElse(false);
        for (String variable : PROXY_VARIABLES) {
            if (!loopback && env.apply(variable) != null) {
                // A proxy from the environment: the JDK's connections would not take it (the SDK's
                // client does), and a host that reaches the store only through it would wait out a
                // connect timeout at every request before asking the client. Loopback is never
                // proxied (as the JDK's and curl's defaults have it).
                return Optional.empty();
            }
        }
        Region region = connection.region();
        if (connection.endpoint().isPresent()) {
            URI endpoint = connection.endpoint().get();
            String path = endpoint.getRawPath() == null ? "" : endpoint.getRawPath().replaceAll("/+$", "");
            return Optional.of(new SignedHttp(URI.create(endpoint.getScheme() + "://" + endpoint.getRawAuthority()
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
        return Optional.of(new SignedHttp(base, region.id(), connection.credentials(), location));
    }

    /** The URL of the object under {@code key} (relative to the store's prefix). */
    URI uri(String key) {
        StoreKeys.check(key);
        return URI.create(base + "/" + SdkHttpUtils.urlEncodeIgnoreSlashes(location.fullKey(key)));
    }

    /** The bucket's own URL with {@code rawQuery} (already encoded), for listings. */
    URI bucketUri(String rawQuery) {
        return URI.create(base + "/?" + rawQuery);
    }

    /**
     * The URL of one list-objects-v2 page under {@code fullPrefix} (the bucket's key, with the
     * store's prefix), keys URL-encoded in the answer ({@code encoding-type=url}, as the SDK asks).
     *
     * @param startAfter        a full key to start after, or null
     * @param continuationToken the previous page's token, or null for the first page
     */
    URI listUri(String fullPrefix, String startAfter, String continuationToken, int maxKeys) {
        StringBuilder query = new StringBuilder("list-type=2&encoding-type=url&max-keys=").append(maxKeys)
                .append("&prefix=").append(SdkHttpUtils.urlEncode(fullPrefix));
        if (startAfter != null) {
            query.append("&start-after=").append(SdkHttpUtils.urlEncode(startAfter));
        }
        if (continuationToken != null) {
            query.append("&continuation-token=").append(SdkHttpUtils.urlEncode(continuationToken));
        }
        return bucketUri(query.toString());
    }

    StoreLocation.S3 location() {
        return location;
    }

    /** Whether S3 said the bucket lives elsewhere: no point in asking again. */
    boolean elsewhere() {
        return elsewhere;
    }

    /**
     * A connection for {@code method} on {@code uri}, signed with {@code headers} and an unsigned
     * payload (HEAD, GET), not yet sent. The caller reads the answer through {@link #status}.
     */
    HttpURLConnection open(SdkHttpMethod method, URI uri, Map<String, String> headers) throws IOException {
        return open(method, uri, headers, SigV4.UNSIGNED_PAYLOAD);
    }

    private HttpURLConnection open(SdkHttpMethod method, URI uri, Map<String, String> headers, String payloadSha256Hex)
            throws IOException {
        Map<String, String> signed = signer.sign(method.name(), uri, headers, payloadSha256Hex, credentials());
        HttpURLConnection connection = (HttpURLConnection) (proxy == null ? uri.toURL().openConnection()
                : uri.toURL().openConnection(proxy));
        connection.setRequestMethod(method.name());
        connection.setInstanceFollowRedirects(false);
        connection.setUseCaches(false);
        connection.setConnectTimeout(TIMEOUT_MILLIS);
        connection.setReadTimeout(TIMEOUT_MILLIS);
        // The JDK writes Host itself, from the same URL the signature covers.
        signed.forEach(connection::setRequestProperty);
        return connection;
    }

    /**
     * A signed HEAD of {@code uri} with {@code headers} (and an unsigned payload): over the kept
     * connection, or through {@link HttpURLConnection} when the JVM has a proxy configured, which
     * only the JDK's connections take. Notes what {@link #status} notes.
     */
    KeptConnection.Answer head(URI uri, Map<String, String> headers) throws IOException {
        if (proxy == null) {
            HttpURLConnection connection = open(SdkHttpMethod.HEAD, uri, headers);
            try {
                int status = status(connection);
                if (status < 400) {
                    drain(connection.getInputStream());
                }
                Map<String, String> answer = new HashMap<>();
                connection.getHeaderFields().forEach((name, values) -> {
                    if (name != null && !values.isEmpty()) {
                        answer.putIfAbsent(name.toLowerCase(Locale.ROOT), values.get(0));
                    }
                });
                return new KeptConnection.Answer(status, answer);
            } catch (IOException | RuntimeException e) {
                connection.disconnect();
                throw e;
            }
        }
        Map<String, String> signed = signer.sign(SdkHttpMethod.HEAD.name(), uri, headers, SigV4.UNSIGNED_PAYLOAD,
                credentials());
        String target = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        KeptConnection.Answer answer = kept().head(target, SigV4.host(uri), signed);
        note(answer.status(), answer.header("x-amz-bucket-region"));
        return answer;
    }

    private synchronized KeptConnection kept() {
        if (kept == null) {
            kept = new KeptConnection(base, "https".equalsIgnoreCase(base.getScheme())
                    ? (SSLSocketFactory) SSLSocketFactory.getDefault() : null, TIMEOUT_MILLIS, clock);
        }
        return kept;
    }

    /** Closes the kept connection, if one was made. */
    @Override
    public synchronized void close() {
        if (kept != null) {
            kept.close();
        }
    }

    /**
     * Sends a PUT of {@code body} to {@code uri}, the body signed by its SHA-256 (which the server
     * checks) and {@code headers} signed too, with its length up front (no chunk framing); returns
     * the connection, the body sent, whose answer the caller reads through {@link #status}.
     */
    HttpURLConnection put(URI uri, Map<String, String> headers, byte[] body) throws IOException {
        HttpURLConnection connection = open(SdkHttpMethod.PUT, uri, headers, Sha256Digest.hex(body));
        connection.setDoOutput(true);
        connection.setFixedLengthStreamingMode(body.length);
        try (OutputStream out = connection.getOutputStream()) {
            out.write(body);
        }
        return connection;
    }

    /**
     * Sends the request (if not yet sent) and returns the status; notes a bucket that lives
     * elsewhere. An error body is read to its end (bounded) so the connection is kept.
     */
    int status(HttpURLConnection connection) throws IOException {
        int status = connection.getResponseCode();
        note(status, connection.getHeaderField("x-amz-bucket-region"));
        if (status >= 400) {
            drain(connection.getErrorStream());
        }
        return status;
    }

    /** A bucket that lives elsewhere, and credentials refused (perhaps rotated: resolved again next time). */
    private void note(int status, String bucketRegion) {
        if (status == 301 || status == 307 || status == 400 && bucketRegion != null) {
            elsewhere = true;
        }
        if (status == 403) {
            resolved = null;
        }
    }

    /** The credentials resolved at most {@link #CREDENTIALS_REUSE} ago, unless they expire soon. */
    private AwsCredentialsIdentity credentials() {
        Instant now = clock.instant();
        Resolved known = resolved;
        if (known != null && known.at().plus(CREDENTIALS_REUSE).isAfter(now)
                && known.identity().expirationTime().map(expiry -> expiry.isAfter(now.plus(CREDENTIALS_MARGIN))).orElse(true)) {
            return known.identity();
        }
        AwsCredentialsIdentity fresh = credentials.resolveCredentials();
        resolved = new Resolved(fresh, now);
        return fresh;
    }

    private static boolean configuredProxy() {
        for (String property : new String[] {"http.proxyHost", "https.proxyHost", "socksProxyHost"}) {
            if (System.getProperty(property) != null) {
                return true;
            }
        }
        ProxySelector selector = ProxySelector.getDefault();
        return Boolean.getBoolean("java.net.useSystemProxies") || selector == null
                || !selector.getClass().getName().equals("sun.net.spi.DefaultProxySelector");
    }

    /** The MD5 of the content an answer's ETag vouches for, when its encryption headers say it is one. */
    static String contentMd5(HttpURLConnection connection, String etag) {
        return contentMd5(connection::getHeaderField, etag);
    }

    /** The same, from an answer's headers by name. */
    static String contentMd5(Function<String, String> header, String etag) {
        return Etags.contentMd5Of(etag, header.apply("x-amz-server-side-encryption"),
                header.apply("x-amz-server-side-encryption-customer-algorithm"));
    }

    /** An HTTP {@code Date} header as an instant, or null when absent or unreadable. */
    static Instant date(String header) {
        if (header == null) {
            return null;
        }
        try {
            return ZonedDateTime.parse(header, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** Reads a body to its end, bounded, so the kept-alive connection serves the next request. */
    static void drain(InputStream body) throws IOException {
        if (body != null) {
            try (InputStream in = body) {
                in.readNBytes(64 * 1024);
            }
        }
    }
}
