package dev.npc.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StoreLocationTest {

    @Test
    void s3UrlsGiveBucketAndPrefix() {
        assertEquals(new StoreLocation.S3("my-fleet", "prod/eu"), StoreLocation.parse("s3://my-fleet/prod/eu"));
        assertEquals(new StoreLocation.S3("my-fleet", "prod"), StoreLocation.parse("s3://my-fleet/prod/"));
        assertEquals(new StoreLocation.S3("my.fleet", ""), StoreLocation.parse("s3://my.fleet"));
        assertEquals(new StoreLocation.S3("abc", ""), StoreLocation.parse("s3://abc/"));
    }

    @Test
    void canonicalUrlsDropTrailingSlashes() {
        assertEquals("s3://my-fleet/prod", StoreLocation.parse("s3://my-fleet/prod/").url());
        assertEquals("s3://my-fleet", StoreLocation.parse("s3://my-fleet/").url());
        assertEquals("file:///var/lib/npc-store", StoreLocation.parse("file:///var/lib/npc-store/").url());
    }

    @Test
    void aLocationPrintsAsItsUrl() {
        assertEquals("s3://my-fleet/prod/eu", StoreLocation.parse("s3://my-fleet/prod/eu/").toString());
        assertEquals("s3://my-fleet", StoreLocation.parse("s3://my-fleet").toString());
        assertEquals("file:///var/lib/npc-store", StoreLocation.parse("file:///var/lib/npc-store").toString());
    }

    @Test
    void fullKeysJoinPrefixAndKey() {
        assertEquals("prod/hosts/a/state.json", new StoreLocation.S3("b", "prod").fullKey("hosts/a/state.json"));
        assertEquals("hosts/a/state.json", new StoreLocation.S3("b", "").fullKey("hosts/a/state.json"));
    }

    @Test
    void fileUrlsGiveAnAbsoluteDirectory() {
        StoreLocation.File file = assertInstanceOf(StoreLocation.File.class, StoreLocation.parse("file:///tmp/npc store"));
        assertEquals(Path.of("/tmp/npc store"), file.directory());
    }

    @ParameterizedTest
    @ValueSource(strings = {"s3://My-Bucket/p", "s3://ab/p", "s3://-fleet/p", "s3://fleet-/p", "s3://fl..eet",
            "s3://192.168.1.1/p", "s3:///p", "s3://", "s3://fleet_1/p", "s3://xn--fleet/p",
            "s3://a-very-long-bucket-name-that-goes-on-and-on-past-sixty-three-chars/p"})
    void invalidBucketNamesAreRefusedWithTheRule(String url) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StoreLocation.parse(url));
        assertTrue(e.getMessage().contains("not a valid S3 bucket name"), e.getMessage());
        assertTrue(e.getMessage().contains(url), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"s3://fleet/a//b", "s3://fleet/../b", "s3://fleet/a/../b", "s3://fleet/./a",
            "s3://fleet//a", "s3://fleet/a b", "s3://fleet/a?x"})
    void badPrefixesAreRefused(String url) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StoreLocation.parse(url));
        assertTrue(e.getMessage().contains("prefix"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"file://relative/dir", "file:relative", "file:///a/../b", "file:///a/./b",
            "file:///a%20b", "file://host/dir"})
    void badFileUrlsAreRefused(String url) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StoreLocation.parse(url));
        assertTrue(e.getMessage().contains(url), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"gs://bucket/p", "https://bucket.s3.amazonaws.com/p", "/var/lib/store", "bucket/prefix", "S3://b/p"})
    void otherSchemesAreNotSupported(String url) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Stores.open(url, StoreOptions.DEFAULT));
        assertEquals("store URL '" + url + "' is not supported; use s3://bucket/prefix or file:///absolute/dir",
                e.getMessage());
    }

    @Test
    void fileUrlsOpenAFileStore() {
        try (Store store = Stores.open("file:///tmp/npc-test-never-written", null)) {
            assertInstanceOf(FileStore.class, store);
            assertEquals("file:///tmp/npc-test-never-written", store.url());
        }
    }
}
