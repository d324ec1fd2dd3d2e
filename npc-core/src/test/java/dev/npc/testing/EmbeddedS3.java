package dev.npc.testing;

import dev.npc.store.S3Connection;
import dev.npc.store.Store;
import dev.npc.store.StoreOptions;
import dev.npc.store.Stores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * An S3-compatible server (S3Proxy, in memory) on 127.0.0.1 at a free port, speaking SigV4 with a
 * fixed test key, for tests that must use the real AWS SDK and wire protocol. One bucket exists
 * from the start; more can be made. Shared with other modules through npc-core's test-jar.
 *
 * <pre>
 * try (EmbeddedS3 s3 = EmbeddedS3.start(); Store store = s3.open("fleet")) { ... }
 * </pre>
 */
public final class EmbeddedS3 implements AutoCloseable {
    public static final String ACCESS_KEY = "npc-test-access-key";
    public static final String SECRET_KEY = "npc-test-secret-key";
    public static final String REGION = "us-east-1";
    public static final String DEFAULT_BUCKET = "npc-test";

    private final BlobStore blobs;
    private final boolean authenticated;
    private final URI endpoint;
    private final String bucket;
    private final Duration startup;
    private S3Proxy proxy;

    private EmbeddedS3(BlobStore blobs, boolean authenticated, S3Proxy proxy, URI endpoint, String bucket,
                       Duration startup) {
        this.blobs = blobs;
        this.authenticated = authenticated;
        this.proxy = proxy;
        this.endpoint = endpoint;
        this.bucket = bucket;
        this.startup = startup;
    }

    public static EmbeddedS3 start() {
        return start(DEFAULT_BUCKET);
    }

    public static EmbeddedS3 start(String bucket) {
        return start(bucket, true);
    }

    /**
     * A server that does not check signatures, for a {@link FaultProxy} that rewrites signed
     * headers (a server storing other bytes than sent, or ignoring a copy condition).
     */
    public static EmbeddedS3 startUnauthenticated() {
        return start(DEFAULT_BUCKET, false);
    }

    /**
     * A server whose store is S3Proxy's in-memory one as {@code wrap} returns it, e.g. with a
     * middleware in front (a benchmark's faster listing).
     */
    public static EmbeddedS3 startWith(java.util.function.UnaryOperator<BlobStore> wrap) {
        return start(DEFAULT_BUCKET, true, wrap);
    }

    private static EmbeddedS3 start(String bucket, boolean authenticated) {
        return start(bucket, authenticated, java.util.function.UnaryOperator.identity());
    }

    private static EmbeddedS3 start(String bucket, boolean authenticated, java.util.function.UnaryOperator<BlobStore> wrap) {
        long begin = System.nanoTime();
        BlobStore blobs = wrap.apply(new TransientNio2BlobStore());
        S3Proxy proxy = serve(blobs, 0, authenticated);
        blobs.createContainer(bucket);
        URI endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
        return new EmbeddedS3(blobs, authenticated, proxy, endpoint, bucket, Duration.ofNanos(System.nanoTime() - begin));
    }

    private static S3Proxy serve(BlobStore blobs, int port, boolean authenticated) {
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(blobs)
                .awsAuthentication(authenticated ? AuthenticationType.AWS_V4 : AuthenticationType.NONE,
                        ACCESS_KEY, SECRET_KEY)
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .ignoreUnknownHeaders(true)
                .stopTimeout(0)
                .build();
        try {
            proxy.start();
            while (!"STARTED".equals(proxy.getState())) {
                if ("FAILED".equals(proxy.getState())) {
                    throw new IllegalStateException("S3Proxy failed to start on 127.0.0.1:" + port);
                }
                Thread.sleep(5);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot start S3Proxy on 127.0.0.1:" + port + ": " + e, e);
        }
        return proxy;
    }

    /**
     * An outage: the endpoint refuses connections until {@link #resume}, and the objects are
     * kept, so tests can show that a failed upload is retried later and nothing is lost.
     */
    public synchronized void suspend() {
        if (proxy != null) {
            stop(proxy);
            proxy = null;
        }
    }

    /** Serves the same objects on the same port again. */
    public synchronized void resume() {
        if (proxy == null) {
            proxy = serve(blobs, endpoint.getPort(), authenticated);
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    public String endpointUrl() {
        return endpoint.toString();
    }

    public String bucket() {
        return bucket;
    }

    /** How long {@link #start} took, for the curious; never assert on it. */
    public Duration startup() {
        return startup;
    }

    /** Options that reach this server with the test key: what a CLI would build from --endpoint-url and a profile. */
    public StoreOptions options() {
        return new StoreOptions(endpointUrl(), REGION, credentials(ACCESS_KEY, SECRET_KEY));
    }

    public static StaticCredentialsProvider credentials(String accessKey, String secretKey) {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey));
    }

    /** {@code s3://<bucket>/<prefix>}, or the bare bucket for an empty prefix. */
    public String storeUrl(String prefix) {
        return "s3://" + bucket + (prefix == null || prefix.isEmpty() ? "" : "/" + prefix);
    }

    public Store open(String prefix) {
        return Stores.open(storeUrl(prefix), options());
    }

    /**
     * This server's store under {@code prefix}, reached through {@code endpointUrl} (a
     * {@link FaultProxy} in front of it) with the test key.
     *
     * @param socketTimeout the client's socket timeout, or null for the default
     */
    public Store openThrough(String endpointUrl, String prefix, Duration socketTimeout) {
        return Stores.open(storeUrl(prefix), new StoreOptions(endpointUrl, REGION, credentials(ACCESS_KEY, SECRET_KEY),
                socketTimeout));
    }

    /** A plain SDK client for looking at what a test wrote, as another S3 client would see it. */
    public S3Client newClient() {
        return S3Connection.of(options()).newClient();
    }

    /** The environment a child process needs to reach this server with the AWS CLI or npc. */
    public Map<String, String> environment() {
        return Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY,
                "AWS_REGION", REGION, "AWS_ENDPOINT_URL", endpointUrl());
    }

    public void createBucket(String name) {
        try (S3Client client = newClient()) {
            client.createBucket(b -> b.bucket(name));
        }
    }

    @Override
    public synchronized void close() {
        suspend();
    }

    private static void stop(S3Proxy proxy) {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop S3Proxy: " + e, e);
        }
    }
}
