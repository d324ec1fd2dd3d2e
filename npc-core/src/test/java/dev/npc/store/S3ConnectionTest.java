package dev.npc.store;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class S3ConnectionTest {
    private static final StoreOptions NO_OPTIONS = StoreOptions.DEFAULT;

    @Test
    void explicitEndpointWinsOverTheEnvironment() {
        Map<String, String> env = Map.of("AWS_ENDPOINT_URL_S3", "http://s3-env:9000", "AWS_ENDPOINT_URL", "http://any:9000");
        StoreOptions options = new StoreOptions("http://cli:9000", null, null);
        assertEquals(Optional.of(URI.create("http://cli:9000")), S3Connection.endpoint(options, env::get));
    }

    @Test
    void serviceSpecificVariableWinsOverTheGeneralOne() {
        Map<String, String> env = Map.of("AWS_ENDPOINT_URL_S3", "http://s3-env:9000", "AWS_ENDPOINT_URL", "http://any:9000");
        assertEquals(Optional.of(URI.create("http://s3-env:9000")), S3Connection.endpoint(NO_OPTIONS, env::get));
    }

    @Test
    void generalVariableIsTheLastResort() {
        Map<String, String> env = Map.of("AWS_ENDPOINT_URL", "https://minio.example:9000", "AWS_ENDPOINT_URL_S3", " ");
        assertEquals(Optional.of(URI.create("https://minio.example:9000")), S3Connection.endpoint(NO_OPTIONS, env::get));
    }

    @Test
    void noEndpointMeansAws() {
        assertEquals(Optional.empty(), S3Connection.endpoint(NO_OPTIONS, name -> null));
        assertEquals(Optional.empty(), S3Connection.endpoint(new StoreOptions("", null, null), name -> null));
    }

    @Test
    void configuredEndpointsCanBeIgnoredAsInTheAwsTools() {
        Map<String, String> env = Map.of("AWS_ENDPOINT_URL", "http://any:9000", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");
        assertEquals(Optional.empty(), S3Connection.endpoint(NO_OPTIONS, env::get));
        StoreOptions options = new StoreOptions("http://cli:9000", null, null);
        assertEquals(Optional.of(URI.create("http://cli:9000")), S3Connection.endpoint(options, env::get));
    }

    @Test
    void badEndpointsNameTheirSource() {
        IllegalArgumentException fromEnv = assertThrows(IllegalArgumentException.class,
                () -> S3Connection.endpoint(NO_OPTIONS, Map.of("AWS_ENDPOINT_URL_S3", "localhost:9000")::get));
        assertTrue(fromEnv.getMessage().contains("AWS_ENDPOINT_URL_S3"), fromEnv.getMessage());
        IllegalArgumentException fromOption = assertThrows(IllegalArgumentException.class,
                () -> S3Connection.endpoint(new StoreOptions("ftp://x", null, null), name -> null));
        assertTrue(fromOption.getMessage().contains("--endpoint-url"), fromOption.getMessage());
    }

    @Test
    void explicitRegionAndCredentialsAreUsedAsGiven() {
        var credentials = dev.npc.testing.EmbeddedS3.credentials("a", "b");
        S3Connection connection = S3Connection.of(new StoreOptions("http://127.0.0.1:9", "eu-central-1", credentials),
                name -> null);
        assertEquals(Region.EU_CENTRAL_1, connection.region());
        assertSame(credentials, connection.credentials());
        assertEquals("http://127.0.0.1:9", connection.describeEndpoint());
    }

    @Test
    void withoutAnyRegionConfiguredUsEast1IsUsed() {
        boolean configured = System.getenv("AWS_REGION") != null || System.getProperty("aws.region") != null
                || System.getenv("AWS_CONFIG_FILE") != null || System.getenv("AWS_PROFILE") != null
                || java.nio.file.Files.exists(java.nio.file.Path.of(System.getProperty("user.home"), ".aws"));
        org.junit.jupiter.api.Assumptions.assumeFalse(configured, "this machine configures an AWS region");
        S3Connection connection = S3Connection.of(new StoreOptions("http://127.0.0.1:9", null,
                dev.npc.testing.EmbeddedS3.credentials("a", "b")), name -> null);
        assertEquals(Region.US_EAST_1, connection.region());
    }

    @Test
    void awsEndpointIsDescribedByRegion() {
        S3Connection connection = new S3Connection(Optional.empty(), Region.EU_WEST_1, null);
        assertEquals("https://s3.eu-west-1.amazonaws.com", connection.describeEndpoint());
    }
}
