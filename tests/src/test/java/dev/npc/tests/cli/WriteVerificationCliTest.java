package dev.npc.tests.cli;

import dev.npc.remote.RemoteMetadata;
import dev.npc.store.GetResult;
import dev.npc.store.Layout;
import dev.npc.store.ObjectInfo;
import dev.npc.store.Store;
import dev.npc.testing.EmbeddedS3;
import dev.npc.testing.FaultProxy;
import dev.npc.testing.FaultProxy.Fault;
import dev.npc.testing.TestFlakes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * push, hosts set and promote against servers that do not keep writes as sent (played by a
 * {@link FaultProxy}): each fails naming the object and the server's answer, reports nothing as
 * published, and leaves the remote as it was; push repairs a remote whose bytes are damaged.
 */
class WriteVerificationCliTest {
    static EmbeddedS3 s3;
    @TempDir
    Path tmp;
    FaultProxy proxy;
    Store direct;
    String storeUrl;
    Path flake;

    @BeforeAll
    static void startS3() {
        s3 = EmbeddedS3.startUnauthenticated();
    }

    @AfterAll
    static void stopS3() {
        s3.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        proxy = FaultProxy.start(s3.endpoint());
        String prefix = "w-" + UUID.randomUUID();
        storeUrl = s3.storeUrl(prefix);
        direct = s3.open(prefix);
        flake = TestFlakes.minimal(tmp.resolve("flake"));
        System.setProperty("aws.accessKeyId", EmbeddedS3.ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", EmbeddedS3.SECRET_KEY);
        System.setProperty("aws.region", EmbeddedS3.REGION);
    }

    @AfterEach
    void tearDown() {
        direct.close();
        proxy.close();
    }

    private CliRun npc(String... args) {
        return CliRun.npcWith(List.of("--store", storeUrl, "--endpoint-url", proxy.endpointUrl()), args);
    }

    private String version(String remote) throws IOException {
        return direct.head(Layout.remote(remote)).orElseThrow().meta(RemoteMetadata.SHA256);
    }

    @Test
    void pushToAServerThatStoresOtherBytesFailsAndPutsThePreviousVersionBack() throws Exception {
        assertEquals(0, npc("push", "--src", flake.toString(), "--remote", "prod").exitCode());
        String first = version("prod");
        TestFlakes.write(flake, "changed.nix", "{ }\n");
        proxy.inject(Fault.STORE_OTHER_BYTES, "PUT", "/remotes/prod.npc", 1);

        CliRun push = npc("push", "--src", flake.toString(), "--remote", "prod");
        assertEquals(1, push.exitCode(), push::toString);
        assertFalse(push.out().contains("pushed"), push::toString);
        assertTrue(push.err().contains("remote 'prod' not published"), push::toString);
        assertTrue(push.err().contains("/remotes/prod.npc: it answered ETag"), push::toString);
        assertTrue(push.err().contains("put back " + first.substring(0, 8)), push::toString);
        assertEquals(first, version("prod"));
        assertEquals(0, npc("remotes").exitCode(), "what is there now is intact");
    }

    @Test
    void hostsSetToAServerThatStoresOtherBytesFails() {
        proxy.inject(Fault.STORE_OTHER_BYTES, "PUT", "/hosts/web-1/desired.json", 1);
        CliRun set = npc("hosts", "set", "web-1", "--remote", "prod");
        assertEquals(1, set.exitCode(), set::toString);
        assertFalse(set.out().contains("web-1 follows"), set::toString);
        assertTrue(set.err().contains("did not store what npc sent to " + storeUrl + "/hosts/web-1/desired.json"), set::toString);
    }

    @Test
    void aPromoteTheServerCopiedWithoutItsConditionIsUndone() throws Exception {
        assertEquals(0, npc("push", "--src", flake.toString(), "--remote", "staging").exitCode());
        assertEquals(0, npc("promote", "staging", "prod").exitCode());
        String tested = version("staging");
        Path other = TestFlakes.minimal(tmp.resolve("other"));
        TestFlakes.write(other, "untested.nix", "{ }\n");
        // While the copy is on its way, CI pushes an untested version to staging; the server ignores the condition.
        proxy.inject(Fault.DROP_COPY_CONDITION, "PUT", "/remotes/prod.npc", 1, () -> {
            CliRun racing = CliRun.npcWith(List.of("--store", storeUrl, "--endpoint-url", s3.endpointUrl()),
                    "push", "--src", other.toString(), "--remote", "staging");
            if (racing.exitCode() != 0) {
                throw new UncheckedIOException(new IOException(racing.toString()));
            }
        });
        TestFlakes.write(flake, "tested.nix", "{ }\n");
        assertEquals(0, npc("push", "--src", flake.toString(), "--remote", "staging").exitCode());
        String wanted = version("staging");

        CliRun promote = npc("promote", "staging", "prod", "--if-version", wanted.substring(0, 12));
        assertEquals(1, promote.exitCode(), promote::toString);
        assertTrue(promote.err().contains("ignored the copy condition"), promote::toString);
        assertTrue(promote.err().contains("put back " + tested.substring(0, 8)), promote::toString);
        assertFalse(promote.out().contains("promoted"), promote::toString);
        assertEquals(tested, version("prod"), "prod holds what it held before");
    }

    @Test
    void pushRepairsARemoteWhoseStoredBytesAreNotItsVersion() throws Exception {
        assertEquals(0, npc("push", "--src", flake.toString(), "--remote", "prod").exitCode());
        ObjectInfo good = direct.head(Layout.remote("prod")).orElseThrow();
        // Damage: other bytes under the same metadata, as a corrupting server would leave them.
        Map<String, String> metadata = new HashMap<>(good.metadata());
        direct.put(Layout.remote("prod"), "not the archive".getBytes(java.nio.charset.StandardCharsets.UTF_8), metadata);

        CliRun remotes = npc("remotes");
        assertEquals(1, remotes.exitCode(), remotes::toString);
        assertTrue(remotes.out().contains("DAMAGED"), remotes::toString);
        assertTrue(remotes.err().contains("remote 'prod' is damaged: the stored bytes have sha256"), remotes::toString);

        CliRun push = npc("push", "--src", flake.toString(), "--remote", "prod");
        assertEquals(0, push.exitCode(), push::toString);
        assertTrue(push.out().startsWith("repaired prod"), push::toString);
        try (GetResult result = direct.get(Layout.remote("prod"), null)) {
            assertEquals(good.etag(), ((GetResult.Found) result).info().etag());
        }
        CliRun again = npc("push", "--src", flake.toString(), "--remote", "prod");
        assertTrue(again.out().contains("unchanged"), again::toString);
        assertEquals(0, npc("remotes").exitCode());
    }
}
