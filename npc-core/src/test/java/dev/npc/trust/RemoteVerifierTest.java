package dev.npc.trust;

import dev.npc.digest.Sha256;
import dev.npc.remote.RemoteException;
import dev.npc.remote.RemoteMetadata;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RemoteVerifierTest {
    @TempDir
    Path dir;
    SigningKey ci;
    TrustedKey ciPublic;
    TrustedKey otherPublic;
    final String sha = Sha256.hex("archive".getBytes(StandardCharsets.UTF_8));

    @BeforeEach
    void keys() throws Exception {
        KeyFiles.generate(dir.resolve("ci.key"), dir.resolve("ci.pub"));
        KeyFiles.generate(dir.resolve("other.key"), dir.resolve("other.pub"));
        ci = KeyFiles.readSigningKey(dir.resolve("ci.key"));
        ciPublic = KeyFiles.readTrustedKey(dir.resolve("ci.pub").toString());
        otherPublic = KeyFiles.readTrustedKey(dir.resolve("other.pub").toString());
    }

    private RemoteMetadata signed(String sha256, int format) {
        Map<String, String> m = new RemoteSigner(ci).metadata(format, sha256);
        return new RemoteMetadata(format, sha256, 3, null, m.get(RemoteMetadata.SIGNATURE), m.get(RemoteMetadata.KEY_ID));
    }

    @Test
    void aTrustedSignatureNamesItsKey() throws Exception {
        assertEquals(ci.keyId(), new RemoteVerifier(List.of(otherPublic, ciPublic)).verify("prod", signed(sha, 1)));
    }

    @Test
    void withoutTrustedKeysEverythingPassesAsBefore() throws Exception {
        assertNull(RemoteVerifier.ACCEPT_ALL.verify("prod", new RemoteMetadata(1, sha, 3, null, null, null)));
    }

    @Test
    void unsignedIsRefused() {
        assertRefused("is not signed", new RemoteMetadata(1, sha, 3, null, null, null), ciPublic);
    }

    @Test
    void aSignatureByAnUntrustedKeyIsRefused() {
        assertRefused("which this host does not trust", signed(sha, 1), otherPublic);
    }

    @Test
    void aSignatureMovedToOtherContentIsRefused() {
        RemoteMetadata good = signed(sha, 1);
        String otherSha = Sha256.hex("evil".getBytes(StandardCharsets.UTF_8));
        assertRefused("does not match its content", new RemoteMetadata(1, otherSha, 3, null, good.signature(), good.keyId()), ciPublic);
        assertRefused("does not match its content", new RemoteMetadata(2, sha, 3, null, good.signature(), good.keyId()), ciPublic);
    }

    @Test
    void aKeyIdRelabelledToATrustedKeyDoesNotHelp() {
        RemoteMetadata byOther = new RemoteMetadata(1, sha, 3, null,
                Base64.getEncoder().encodeToString(new byte[64]), ciPublic.keyId());
        assertRefused("does not match its content", byOther, ciPublic);
    }

    @Test
    void missingKeyIdTriesEveryTrustedKey() throws Exception {
        RemoteMetadata good = signed(sha, 1);
        RemoteMetadata anonymous = new RemoteMetadata(1, sha, 3, null, good.signature(), null);
        assertEquals(ci.keyId(), new RemoteVerifier(List.of(otherPublic, ciPublic)).verify("prod", anonymous));
    }

    @Test
    void malformedSignaturesAndShasAreRefused() {
        RemoteMetadata good = signed(sha, 1);
        assertRefused("malformed npc-signature", new RemoteMetadata(1, sha, 3, null, "!!not base64!!", good.keyId()), ciPublic);
        assertRefused("does not match its content", new RemoteMetadata(1, sha, 3, null, "AAAA", good.keyId()), ciPublic);
        assertRefused("no valid npc-sha256", new RemoteMetadata(1, "abc", 3, null, good.signature(), good.keyId()), ciPublic);
    }

    private static void assertRefused(String reason, RemoteMetadata metadata, TrustedKey... keys) {
        RemoteException e = assertThrows(RemoteException.class, () -> new RemoteVerifier(List.of(keys)).verify("prod", metadata));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        assertTrue(e.getMessage().startsWith("remote 'prod'"), e.getMessage());
    }
}
