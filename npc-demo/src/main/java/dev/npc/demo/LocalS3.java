package dev.npc.demo;

import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import dev.npc.store.StoreOptions;

import java.net.URI;

/**
 * An S3-compatible server (S3Proxy, in memory) on 127.0.0.1 for the demo: the daemons and the
 * CLI reach it through the real AWS SDK with SigV4, exactly as they would reach AWS.
 */
final class LocalS3 implements AutoCloseable {
    static final String ACCESS_KEY = "npc-demo";
    static final String SECRET_KEY = "npc-demo-secret";
    static final String REGION = "us-east-1";

    private final S3Proxy proxy;
    private final URI endpoint;

    private LocalS3(S3Proxy proxy, URI endpoint) {
        this.proxy = proxy;
        this.endpoint = endpoint;
    }

    static LocalS3 start(String bucket) throws Exception {
        BlobStore blobs = new TransientNio2BlobStore();
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(blobs)
                .awsAuthentication(AuthenticationType.AWS_V4, ACCESS_KEY, SECRET_KEY)
                .endpoint(URI.create("http://127.0.0.1:0"))
                .ignoreUnknownHeaders(true)
                .stopTimeout(0)
                .build();
        proxy.start();
        while (!"STARTED".equals(proxy.getState())) {
            if ("FAILED".equals(proxy.getState())) {
                throw new IllegalStateException("the embedded S3 server (S3Proxy) failed to start on 127.0.0.1");
            }
            Thread.sleep(5);
        }
        blobs.createContainer(bucket);
        return new LocalS3(proxy, URI.create("http://127.0.0.1:" + proxy.getPort()));
    }

    String endpointUrl() {
        return endpoint.toString();
    }

    StoreOptions options() {
        return new StoreOptions(endpointUrl(), REGION,
                StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)));
    }

    @Override
    public void close() {
        try {
            proxy.stop();
        } catch (Exception e) {
            // The demo is ending and its JVM exits next; a server that will not stop cleanly is moot.
        }
    }
}
