package dev.npc.store;

import dev.npc.testing.EmbeddedS3;
import dev.npc.testing.SharedS3;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The store contract over the real AWS SDK and SigV4 against S3Proxy on loopback. */
class S3StoreTest extends StoreContract {
    @RegisterExtension
    static final SharedS3 S3 = new SharedS3();

    /** Pages of two keys, so every listing test also proves that all pages are read. */
    @Override
    protected Store newStore() {
        StoreLocation.S3 location = new StoreLocation.S3(S3.get().bucket(), S3.freshPrefix("t") + "/fleet");
        return new S3Store(location, S3Connection.of(S3.get().options(), name -> null), 2);
    }

    @Override
    protected Store sibling(String name) {
        return S3.get().open(S3.freshPrefix("siblings-") + "/" + name);
    }

    @Override
    protected Store storeWithoutBackend() {
        return Stores.open("s3://nowhere/p", new StoreOptions("http://127.0.0.1:1", "us-east-1",
                EmbeddedS3.credentials("x", "y")));
    }

    /** Against AWS the SDK sends trailing checksums; S3Proxy checks them, so that path is proven here too. */
    @Test
    void theSdksDefaultChecksumsAsUsedWithAwsWorkToo() throws Exception {
        S3Connection connection = S3Connection.of(S3.get().options(), name -> null);
        StoreLocation.S3 location = new StoreLocation.S3(S3.get().bucket(), S3.freshPrefix("aws-mode-"));
        try (Store aws = new S3Store(location, connection.newClient(false), connection.describeEndpoint(), true, 1000)) {
            byte[] body = new byte[300_000];
            new java.util.Random(7).nextBytes(body);
            // Large bodies go up as a re-openable Body (what push uses), so a retried attempt can start over.
            ObjectInfo put = aws.put("remotes/prod.npc", () -> new java.io.ByteArrayInputStream(body), body.length,
                    Map.of("npc-sha256", "x"), Precondition.mustNotExist());
            assertEquals(md5Etag(body), put.etag());
            try (GetResult result = aws.get("remotes/prod.npc", null)) {
                GetResult.Found found = assertInstanceOf(GetResult.Found.class, result);
                org.junit.jupiter.api.Assertions.assertArrayEquals(body, found.body().readAllBytes());
            }
            assertEquals(put.etag(), aws.copy("remotes/prod.npc", "remotes/copy.npc", put.etag()).etag());
        }
    }

    @Test
    void wrongSecretIsOneLineNamingTheStoreAndTheFix() {
        StoreOptions wrong = new StoreOptions(S3.get().endpointUrl(), "us-east-1",
                EmbeddedS3.credentials(EmbeddedS3.ACCESS_KEY, "not-the-secret"));
        try (Store store = Stores.open(S3.get().storeUrl("p"), wrong)) {
            StoreException e = assertThrows(StoreException.class, () -> store.get("hosts/h/state.json", null));
            assertOneLine(e);
            assertTrue(e.getMessage().contains("s3://" + S3.get().bucket() + "/p/hosts/h/state.json"), e.getMessage());
            assertTrue(e.getMessage().contains("secret key"), e.getMessage());
        }
    }

    @Test
    void unknownAccessKeyIsOneLine() {
        StoreOptions wrong = new StoreOptions(S3.get().endpointUrl(), "us-east-1", EmbeddedS3.credentials("nobody", "x"));
        try (Store store = Stores.open(S3.get().storeUrl("p"), wrong)) {
            StoreException e = assertThrows(StoreException.class, () -> store.list("hosts/"));
            assertOneLine(e);
            assertTrue(e.getMessage().contains("access key"), e.getMessage());
        }
    }

    @Test
    void missingBucketIsNamed() {
        try (Store store = Stores.open("s3://no-such-bucket/p", S3.get().options())) {
            StoreException e = assertThrows(StoreException.class, () -> store.get("a", null));
            assertOneLine(e);
            assertTrue(e.getMessage().startsWith("bucket 'no-such-bucket' does not exist"), e.getMessage());
            StoreException listing = assertThrows(StoreException.class, () -> store.list(""));
            assertTrue(listing.getMessage().startsWith("bucket 'no-such-bucket' does not exist"), listing.getMessage());
        }
    }

    @Test
    void unreachableEndpointNamesTheEndpoint() {
        try (Store store = storeWithoutBackend()) {
            StoreException e = assertThrows(StoreException.class, () -> store.head("a"));
            assertOneLine(e);
            assertTrue(e.getMessage().startsWith("cannot reach endpoint http://127.0.0.1:1"), e.getMessage());
            assertTrue(e.getMessage().contains("--endpoint-url"), e.getMessage());
        }
    }

    @Test
    void theStoreUrlIsCanonical() {
        try (Store store = Stores.open(S3.get().storeUrl("fleet/"), S3.get().options())) {
            assertInstanceOf(S3Store.class, store);
            assertEquals("s3://" + S3.get().bucket() + "/fleet", store.url());
        }
    }

    @Test
    void aStoreOnTheWholeBucketSeesPrefixedStoresObjects() throws Exception {
        String bucket = S3.freshPrefix("whole-");
        S3.get().createBucket(bucket);
        try (Store whole = Stores.open("s3://" + bucket, S3.get().options());
             Store fleet = Stores.open("s3://" + bucket + "/fleet", S3.get().options())) {
            fleet.put("hosts/h/state.json", bytes("x"), Map.of());
            assertEquals(java.util.List.of("fleet/hosts/h/state.json"), keysOf(whole.list("")));
            assertEquals(java.util.List.of("hosts/h/state.json"), keysOf(fleet.list("")));
        }
    }
}
