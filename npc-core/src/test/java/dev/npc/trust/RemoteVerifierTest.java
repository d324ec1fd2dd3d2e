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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RemoteVerifierTest {
    static final long SEQUENCE = 1767225600000L;

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

    private RemoteMetadata signed(String name, String sha256, int format, long sequence) {
        return new RemoteSigner(ci).sign(name, new RemoteMetadata(format, sha256, 3, null, null, null, sequence));
    }

    private RemoteMetadata signed(String sha256, int format) {
        return signed("prod", sha256, format, SEQUENCE);
    }

    @Test
    void theSignedMessageIsExactlyFormatTwo() {
        assertArrayEquals(("npc-remote-v2\nname=prod\nformat=1\nsha256=" + sha + "\nsequence=" + SEQUENCE + "\n")
                .getBytes(StandardCharsets.US_ASCII), SignedMessage.forRemote("prod", 1, sha, SEQUENCE));
        assertThrows(IllegalArgumentException.class, () -> SignedMessage.forRemote("prod", 1, sha, 0));
        assertThrows(IllegalArgumentException.class, () -> SignedMessage.forRemote("../prod", 1, sha, 1));
    }

    @Test
    void aTrustedSignatureNamesItsKeyAndSequence() throws Exception {
        RemoteVerifier.Verified verified = new RemoteVerifier(List.of(otherPublic, ciPublic)).verify("prod", signed(sha, 1));
        assertEquals(ci.keyId(), verified.keyId());
        assertEquals(SEQUENCE, verified.sequence());
    }

    @Test
    void withoutTrustedKeysEverythingPassesAsBefore() throws Exception {
        assertNull(RemoteVerifier.ACCEPT_ALL.verify("prod", new RemoteMetadata(1, sha, 3, null, null, null)));
    }

    @Test
    void unsignedIsRefused() {
        assertRefused("is not signed", new RemoteMetadata(1, sha, 3, null, null, null, SEQUENCE), ciPublic);
    }

    @Test
    void aSignatureByAnUntrustedKeyIsRefused() {
        assertRefused("which this host does not trust", signed(sha, 1), otherPublic);
    }

    @Test
    void aSignatureMovedToOtherContentIsRefused() {
        RemoteMetadata good = signed(sha, 1);
        String otherSha = Sha256.hex("evil".getBytes(StandardCharsets.UTF_8));
        assertRefused("signature does not cover remote 'prod'", new RemoteMetadata(1, otherSha, 3, null, good.signature(),
                good.keyId(), SEQUENCE), ciPublic);
        assertRefused("signature does not cover remote 'prod'", new RemoteMetadata(2, sha, 3, null, good.signature(),
                good.keyId(), SEQUENCE), ciPublic);
    }

    @Test
    void aSignatureForAnotherRemoteOrSequenceIsRefused() {
        assertRefused("signature does not cover remote 'prod'", signed("staging", sha, 1, SEQUENCE), ciPublic);
        assertRefused("signature does not cover remote 'prod'", signed(sha, 1).withSequence(SEQUENCE + 1), ciPublic);
    }

    @Test
    void versionOneSignaturesAreRefusedWithTheFix() {
        String v1 = Base64.getEncoder().encodeToString(Ed25519.sign(ci.key(), SignedMessage.version1(1, sha)));
        RemoteMetadata old = new RemoteMetadata(1, sha, 3, null, v1, ci.keyId());
        assertRefused("version-1 signature", old, ciPublic);
        assertRefused("version-1 signature", old.withSequence(SEQUENCE), ciPublic);
        RemoteException e = assertThrows(RemoteException.class, () -> new RemoteVerifier(List.of(ciPublic)).verify("prod", old));
        assertTrue(e.getMessage().contains("re-publish it with this npc"), e.getMessage());
    }

    @Test
    void aMalformedSequenceIsRefused() {
        assertRefused("malformed npc-sequence", signed(sha, 1).withSequence(dev.npc.remote.Sequence.MALFORMED), ciPublic);
        assertEquals(dev.npc.remote.Sequence.MALFORMED, dev.npc.remote.Sequence.parse("0123"));
        assertEquals(dev.npc.remote.Sequence.MALFORMED, dev.npc.remote.Sequence.parse("9223372036854775808"));
        assertEquals(dev.npc.remote.Sequence.MALFORMED, dev.npc.remote.Sequence.parse("-5"));
        assertEquals(Long.MAX_VALUE, dev.npc.remote.Sequence.parse("9223372036854775807"));
    }

    @Test
    void aKeyIdRelabelledToATrustedKeyDoesNotHelp() {
        RemoteMetadata byOther = new RemoteMetadata(1, sha, 3, null,
                Base64.getEncoder().encodeToString(new byte[64]), ciPublic.keyId(), SEQUENCE);
        assertRefused("signature does not cover", byOther, ciPublic);
    }

    @Test
    void missingKeyIdTriesEveryTrustedKey() throws Exception {
        RemoteMetadata good = signed(sha, 1);
        RemoteMetadata anonymous = good.withSignature(good.signature(), null);
        assertEquals(ci.keyId(), new RemoteVerifier(List.of(otherPublic, ciPublic)).verify("prod", anonymous).keyId());
    }

    @Test
    void malformedSignaturesAndShasAreRefused() {
        RemoteMetadata good = signed(sha, 1);
        assertRefused("malformed npc-signature", good.withSignature("!!not base64!!", good.keyId()), ciPublic);
        assertRefused("signature does not cover", good.withSignature("AAAA", good.keyId()), ciPublic);
        assertRefused("no valid npc-sha256", new RemoteMetadata(1, "abc", 3, null, good.signature(), good.keyId(), SEQUENCE),
                ciPublic);
    }

    @Test
    void theSignerRecognisesItsOwnSignatureOnlyForTheSameNameAndSequence() {
        RemoteSigner signer = new RemoteSigner(ci);
        RemoteMetadata good = signed(sha, 1);
        assertTrue(signer.signed("prod", good));
        assertFalse(signer.signed("staging", good));
        assertFalse(signer.signed("prod", good.withSequence(SEQUENCE + 1)));
    }

    @Test
    void aHostileKeyIdIsNotEchoedRaw() {
        RemoteMetadata weird = signed(sha, 1).withSignature(signed(sha, 1).signature(), "\u001B[2J\u202Eevil");
        RemoteException e = assertThrows(RemoteException.class, () -> new RemoteVerifier(List.of(ciPublic)).verify("prod", weird));
        assertFalse(e.getMessage().contains("\u001B") || e.getMessage().contains("\u202E"), e.getMessage());
    }

    private static void assertRefused(String reason, RemoteMetadata metadata, TrustedKey... keys) {
        RemoteException e = assertThrows(RemoteException.class, () -> new RemoteVerifier(List.of(keys)).verify("prod", metadata));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        assertTrue(e.getMessage().startsWith("remote 'prod'"), e.getMessage());
    }
}
