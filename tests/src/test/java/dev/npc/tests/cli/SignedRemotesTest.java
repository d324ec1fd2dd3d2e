package dev.npc.tests.cli;

import dev.npc.remote.RemoteMetadata;
import dev.npc.store.Layout;
import dev.npc.store.ObjectInfo;
import dev.npc.store.Precondition;
import dev.npc.store.Store;
import dev.npc.testing.EmbeddedS3;
import dev.npc.testing.TestFlakes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** keys generate, push/promote/rollout/rollback --sign-key, verify and pull --trusted-key over the real S3 protocol. */
class SignedRemotesTest {
    static EmbeddedS3 s3;

    @TempDir
    Path tmp;
    Path flake;
    String prefix;
    Store store;
    Path ciKey;
    Path ciPub;
    Path otherPub;
    String ciKeyId;

    @BeforeAll
    static void startS3() {
        s3 = EmbeddedS3.start();
    }

    @AfterAll
    static void stopS3() {
        s3.close();
        // Other tests in this JVM must not inherit the test key.
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
        System.clearProperty("aws.region");
    }

    @BeforeEach
    void setUp() throws Exception {
        flake = TestFlakes.minimal(tmp.resolve("flake"));
        prefix = "signed-" + UUID.randomUUID();
        store = s3.open(prefix);
        Files.createDirectories(tmp.resolve("keys"));
        ciKey = tmp.resolve("keys/ci.key");
        ciPub = tmp.resolve("keys/ci.pub");
        otherPub = tmp.resolve("keys/other.pub");
        CliRun generated = CliRun.npc("keys", "generate", "--private", ciKey.toString(), "--public", ciPub.toString());
        assertEquals(0, generated.exitCode(), generated::toString);
        ciKeyId = generated.out().replaceAll("(?s)^generated key ([0-9a-f]{16}).*", "$1");
        assertTrue(ciKeyId.matches("[0-9a-f]{16}"), generated::toString);
        assertEquals(0, CliRun.npc("keys", "generate", "--private", tmp.resolve("keys/other.key").toString(),
                "--public", otherPub.toString()).exitCode());
    }

    private CliRun npc(String... args) {
        return CliRun.npcWith(java.util.List.of("--store", s3.storeUrl(prefix), "--endpoint-url", s3.endpointUrl()), args);
    }


    private CliRun withS3Env(java.util.function.Supplier<CliRun> run) {
        // The CLI takes credentials from the SDK chain; the test key is passed as system properties.
        System.setProperty("aws.accessKeyId", EmbeddedS3.ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", EmbeddedS3.SECRET_KEY);
        System.setProperty("aws.region", EmbeddedS3.REGION);
        return run.get();
    }

    private CliRun run(String... args) {
        return withS3Env(() -> npc(args));
    }

    @Test
    void everyPublishSignsForItsOwnNameAndANewSequence() throws Exception {
        CliRun push = run("push", "--src", flake.toString(), "--remote", "staging", "--sign-key", ciKey.toString());
        assertEquals(0, push.exitCode(), push::toString);
        assertTrue(push.out().contains("signed by key " + ciKeyId), push::toString);
        ObjectInfo staging = store.head(Layout.remote("staging")).orElseThrow();
        assertEquals(ciKeyId, staging.meta(RemoteMetadata.KEY_ID));
        assertNotNull(staging.meta(RemoteMetadata.SIGNATURE));
        long stagingSequence = Long.parseLong(staging.meta(RemoteMetadata.SEQUENCE));

        CliRun verify = run("verify", "--remote", "staging", "--trusted-key", otherPub.toString(), "--trusted-key", ciPub.toString());
        assertEquals(0, verify.exitCode(), verify::toString);
        assertTrue(verify.out().startsWith("staging: version " + staging.meta(RemoteMetadata.SHA256).substring(0, 8)
                + ", sequence " + stagingSequence + " (published "), verify::toString);
        assertTrue(verify.out().contains("signed for 'staging' by trusted key " + ciKeyId), verify::toString);

        // Without a key a signed remote is not promoted: hosts would refuse the copy.
        CliRun unsignedPromote = run("promote", "staging", "prod");
        assertEquals(1, unsignedPromote.exitCode(), unsignedPromote::toString);
        assertTrue(unsignedPromote.err().contains("not published: remote 'staging' is signed")
                && unsignedPromote.err().contains("--sign-key KEY, or add --unsigned"), unsignedPromote::toString);
        assertTrue(store.head(Layout.remote("prod")).isEmpty(), "nothing written");

        CliRun promote = run("promote", "staging", "prod", "--sign-key", ciKey.toString());
        assertEquals(0, promote.exitCode(), promote::toString);
        assertTrue(promote.out().contains("signed for prod by key " + ciKeyId), promote::toString);
        ObjectInfo prod = store.head(Layout.remote("prod")).orElseThrow();
        assertNotEquals(staging.meta(RemoteMetadata.SIGNATURE), prod.meta(RemoteMetadata.SIGNATURE));
        assertEquals(staging.meta(RemoteMetadata.SHA256), prod.meta(RemoteMetadata.SHA256));
        assertEquals(0, run("verify", "--remote", "prod", "--trusted-key", ciPub.toString()).exitCode());
        CliRun again = run("promote", "staging", "prod", "--sign-key", ciKey.toString());
        assertTrue(again.out().contains("prod unchanged"), again::toString);

        CliRun rollout = run("rollout", "--from", "staging", "--through", "wave-1,wave-2", "--create",
                "--allow-empty-wave", "--timeout", "5s", "--every", "50ms", "--sign-key", ciKey.toString());
        assertEquals(0, rollout.exitCode(), rollout::toString);
        for (String wave : new String[] {"wave-1", "wave-2"}) {
            CliRun check = run("verify", "--remote", wave, "--trusted-key", ciPub.toString());
            assertEquals(0, check.exitCode(), check::toString);
            assertTrue(check.out().contains("signed for '" + wave + "'"), check::toString);
        }

        // A new version on prod, then an intended rollback: it needs the key, and gets a higher sequence.
        TestFlakes.write(flake, "next.nix", "{ }\n");
        assertEquals(0, run("push", "--src", flake.toString(), "--remote", "prod", "--sign-key", ciKey.toString()).exitCode());
        long pushed = Long.parseLong(store.head(Layout.remote("prod")).orElseThrow().meta(RemoteMetadata.SEQUENCE));
        CliRun unsignedRollback = run("rollback", "prod");
        assertEquals(1, unsignedRollback.exitCode(), unsignedRollback::toString);
        assertTrue(unsignedRollback.err().contains("is signed"), unsignedRollback::toString);
        CliRun rollback = run("rollback", "prod", "--sign-key", ciKey.toString());
        assertEquals(0, rollback.exitCode(), rollback::toString);
        ObjectInfo rolledBack = store.head(Layout.remote("prod")).orElseThrow();
        assertEquals(staging.meta(RemoteMetadata.SHA256), rolledBack.meta(RemoteMetadata.SHA256));
        assertTrue(Long.parseLong(rolledBack.meta(RemoteMetadata.SEQUENCE)) > pushed, "the rollback is a newer publish");
        assertEquals(0, run("verify", "--remote", "prod", "--trusted-key", ciPub.toString()).exitCode());

        // --unsigned says a signed remote may be published unsigned; hosts with keys then refuse it.
        CliRun plain = run("promote", "staging", "wave-3", "--unsigned");
        assertEquals(0, plain.exitCode(), plain::toString);
        assertNull(store.head(Layout.remote("wave-3")).orElseThrow().meta(RemoteMetadata.SIGNATURE));
        CliRun refused = run("verify", "--remote", "wave-3", "--trusted-key", ciPub.toString());
        assertEquals(1, refused.exitCode(), refused::toString);
        assertTrue(refused.err().contains("is not signed"), refused::toString);
        CliRun both = run("promote", "staging", "wave-3", "--unsigned", "--sign-key", ciKey.toString());
        assertEquals(2, both.exitCode(), both::toString);
    }

    @Test
    void aCopyMadeWithoutNpcIsNotSignedForItsNewName() throws Exception {
        assertEquals(0, run("push", "--src", flake.toString(), "--remote", "staging", "--sign-key", ciKey.toString()).exitCode());
        store.copy(Layout.remote("staging"), Layout.remote("prod"), null);
        CliRun verify = run("verify", "--remote", "prod", "--trusted-key", ciPub.toString());
        assertEquals(1, verify.exitCode(), verify::toString);
        assertTrue(verify.err().contains("signature does not cover remote 'prod'"), verify::toString);
        CliRun same = run("push", "--src", flake.toString(), "--remote", "prod");
        assertTrue(same.out().contains("prod unchanged"), "the same version without a key changes nothing: " + same);
        CliRun signed = run("push", "--src", flake.toString(), "--remote", "prod", "--sign-key", ciKey.toString());
        assertEquals(0, signed.exitCode(), signed::toString);
        assertTrue(signed.out().startsWith("pushed prod"), "the same bytes signed for prod are published: " + signed);
        assertEquals(0, run("verify", "--remote", "prod", "--trusted-key", ciPub.toString()).exitCode());

        TestFlakes.write(flake, "other.nix", "{ }\n");
        CliRun unsigned = run("push", "--src", flake.toString(), "--remote", "prod");
        assertEquals(1, unsigned.exitCode(), "a new version without a key over a signed remote is refused: " + unsigned);
        assertTrue(unsigned.err().contains("not published: remote 'prod' is signed"), unsigned::toString);
        assertEquals(0, run("push", "--src", flake.toString(), "--remote", "prod", "--unsigned").exitCode());
    }

    @Test
    void pushPrebuiltPutsTheSignedMapInsideTheArchive() throws Exception {
        String toplevel = "/nix/store/0123456789abcdfghijklmnpqrsvwxyz-nixos-system-web-1";
        CliRun push = run("push", "--src", flake.toString(), "--remote", "prod", "--sign-key", ciKey.toString(),
                "--prebuilt", "web-1=" + toplevel, "--json");
        assertEquals(0, push.exitCode(), push::toString);
        assertTrue(push.out().contains("\"web-1\" : \"" + toplevel + "\""), push::toString);
        Path pulled = tmp.resolve("pulled");
        assertEquals(0, run("pull", "--remote", "prod", "--dst", pulled.toString(), "--trusted-key", ciPub.toString()).exitCode());
        assertTrue(Files.readString(pulled.resolve(".npc/prebuilt.json")).contains("\"web-1\": \"" + toplevel + "\""));
        for (String bad : new String[] {"web-1=/nix/store/x", "web-1", "web-1=" + toplevel + ".drv"}) {
            CliRun refused = run("push", "--src", flake.toString(), "--remote", "prod", "--prebuilt", bad);
            assertEquals(2, refused.exitCode(), refused::toString);
            assertTrue(refused.err().startsWith("npc: --prebuilt '"), refused::toString);
        }
    }

    @Test
    void verifySaysWhyAndExits1() throws Exception {
        assertEquals(0, run("push", "--src", flake.toString(), "--remote", "plain").exitCode());
        CliRun unsigned = run("verify", "--remote", "plain", "--trusted-key", ciPub.toString());
        assertEquals(1, unsigned.exitCode(), unsigned::toString);
        assertTrue(unsigned.err().contains("is not signed"), unsigned::toString);

        assertEquals(0, run("push", "--src", flake.toString(), "--remote", "staging", "--sign-key", ciKey.toString()).exitCode());
        CliRun untrusted = run("verify", "--remote", "staging", "--trusted-key", otherPub.toString());
        assertEquals(1, untrusted.exitCode(), untrusted::toString);
        assertTrue(untrusted.err().contains("signed by key " + ciKeyId + ", which this host does not trust"), untrusted::toString);

        // Someone with write access swaps in other bytes and their honest sha256, keeping the signature.
        ObjectInfo original = store.head(Layout.remote("staging")).orElseThrow();
        TestFlakes.write(flake, "extra.nix", "{ }\n");
        assertEquals(0, run("push", "--src", flake.toString(), "--remote", "evil").exitCode());
        ObjectInfo evil = store.head(Layout.remote("evil")).orElseThrow();
        byte[] evilBytes = readAll(Layout.remote("evil"));
        Map<String, String> forged = new HashMap<>(evil.metadata());
        forged.put(RemoteMetadata.SIGNATURE, original.meta(RemoteMetadata.SIGNATURE));
        forged.put(RemoteMetadata.KEY_ID, original.meta(RemoteMetadata.KEY_ID));
        store.put(Layout.remote("staging"), new ByteArrayInputStream(evilBytes), evilBytes.length, forged, Precondition.NONE);
        CliRun swapped = run("verify", "--remote", "staging", "--trusted-key", ciPub.toString());
        assertEquals(1, swapped.exitCode(), swapped::toString);
        assertTrue(swapped.err().contains("signature does not cover remote 'staging'"), swapped::toString);

        // ... or keeps the signed sha256 but changes the bytes.
        forged.put(RemoteMetadata.SHA256, original.meta(RemoteMetadata.SHA256));
        forged.put(RemoteMetadata.SEQUENCE, original.meta(RemoteMetadata.SEQUENCE));
        store.put(Layout.remote("staging"), new ByteArrayInputStream(evilBytes), evilBytes.length, forged, Precondition.NONE);
        CliRun tampered = run("verify", "--remote", "staging", "--trusted-key", ciPub.toString());
        assertEquals(1, tampered.exitCode(), tampered::toString);
        assertTrue(tampered.err().contains("corrupt or was tampered with"), tampered::toString);
    }

    @Test
    void pullWithTrustedKeysCreatesNothingFromAnUnsignedRemote() throws Exception {
        assertEquals(0, run("push", "--src", flake.toString(), "--remote", "plain").exitCode());
        Path dst = tmp.resolve("out/pulled");
        CliRun pull = run("pull", "--remote", "plain", "--dst", dst.toString(), "--trusted-key", ciPub.toString());
        assertEquals(1, pull.exitCode(), pull::toString);
        assertFalse(Files.exists(dst));
        try (var left = Files.list(dst.getParent())) {
            assertEquals(0, left.count(), "no download left behind");
        }
        assertEquals(0, run("push", "--src", flake.toString(), "--remote", "plain", "--sign-key", ciKey.toString()).exitCode(),
                "re-pushing the same version with a signature uploads the signature");
        CliRun signed = run("pull", "--remote", "plain", "--dst", dst.toString(), "--trusted-key", ciPub.toString());
        assertEquals(0, signed.exitCode(), signed::toString);
    }

    @Test
    void keysGenerateNeverOverwrites() throws Exception {
        String before = Files.readString(ciKey);
        CliRun again = CliRun.npc("keys", "generate", "--private", ciKey.toString(), "--public", tmp.resolve("new.pub").toString());
        assertEquals(1, again.exitCode(), again::toString);
        assertTrue(again.err().contains("already exists") && again.err().contains("never overwrites"), again::toString);
        assertEquals(before, Files.readString(ciKey));
        assertFalse(Files.exists(tmp.resolve("new.pub")));
        CliRun privateAsTrusted = run("verify", "--remote", "x", "--trusted-key", ciKey.toString());
        assertEquals(2, privateAsTrusted.exitCode(), privateAsTrusted::toString);
        assertTrue(privateAsTrusted.err().contains("holds a private key"), privateAsTrusted::toString);
    }

    private byte[] readAll(String key) throws Exception {
        try (var result = store.get(key, null)) {
            return ((dev.npc.store.GetResult.Found) result).body().readAllBytes();
        }
    }
}
