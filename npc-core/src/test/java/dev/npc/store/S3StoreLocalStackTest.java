package dev.npc.store;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.s3.S3Client;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The store contract against LocalStack's S3, a second independent implementation of the
 * protocol. Needs a Docker engine; without one the class is skipped, not failed.
 */
@Testcontainers(disabledWithoutDocker = true)
class S3StoreLocalStackTest extends StoreContract {
    /** Pinned: conditional writes need LocalStack 4; newer tags may require an account. */
    private static final DockerImageName IMAGE = DockerImageName.parse("localstack/localstack:4.4");
    private static final String BUCKET = "npc-localstack";
    private static final AtomicInteger PREFIXES = new AtomicInteger();

    private static LocalStackContainer localstack;

    @BeforeAll
    static void startLocalStack() {
        localstack = new LocalStackContainer(IMAGE).withServices(LocalStackContainer.Service.S3);
        localstack.start();
        try (S3Client client = S3Connection.of(options()).newClient()) {
            client.createBucket(b -> b.bucket(BUCKET));
        }
    }

    @AfterAll
    static void stopLocalStack() {
        if (localstack != null) {
            localstack.stop();
        }
    }

    private static StoreOptions options() {
        return new StoreOptions(localstack.getEndpoint().toString(), localstack.getRegion(),
                StaticCredentialsProvider.create(AwsBasicCredentials.create(localstack.getAccessKey(),
                        localstack.getSecretKey())));
    }

    @Override
    protected Store newStore() {
        StoreLocation.S3 location = new StoreLocation.S3(BUCKET, "t" + PREFIXES.incrementAndGet());
        return new S3Store(location, S3Connection.of(options(), name -> null), 2);
    }

    @Override
    protected Store sibling(String name) {
        return Stores.open("s3://" + BUCKET + "/siblings-" + PREFIXES.incrementAndGet() + "/" + name, options());
    }

    @Override
    protected Store storeWithoutBackend() {
        return Stores.open("s3://nowhere/p", new StoreOptions("http://127.0.0.1:1", "us-east-1",
                StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "y"))));
    }
}
