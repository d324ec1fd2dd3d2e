package dev.npc.trust;

import dev.npc.digest.Sha256;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;

/**
 * The JDK's Ed25519, with keys as their raw 32 bytes (RFC 8032): the form key files hold and the
 * key id is computed from, independent of any ASN.1 wrapping.
 */
final class Ed25519 {
    static final String ALGORITHM = "Ed25519";
    static final int KEY_BYTES = 32;
    /** The fixed DER header of an Ed25519 SubjectPublicKeyInfo (RFC 8410), followed by the raw key. */
    private static final byte[] X509_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

    private Ed25519() { }

    static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no Ed25519 (Java 15 or later has)", e);
        }
    }

    static byte[] rawPublic(PublicKey key) {
        byte[] encoded = key.getEncoded();
        if (encoded.length != X509_PREFIX.length + KEY_BYTES
                || !Arrays.equals(encoded, 0, X509_PREFIX.length, X509_PREFIX, 0, X509_PREFIX.length)) {
            throw new IllegalArgumentException("not an Ed25519 public key");
        }
        return Arrays.copyOfRange(encoded, X509_PREFIX.length, encoded.length);
    }

    static PublicKey publicFromRaw(byte[] raw) throws GeneralSecurityException {
        byte[] encoded = Arrays.copyOf(X509_PREFIX, X509_PREFIX.length + KEY_BYTES);
        System.arraycopy(raw, 0, encoded, X509_PREFIX.length, KEY_BYTES);
        return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(encoded));
    }

    static byte[] rawPrivate(PrivateKey key) {
        return ((EdECPrivateKey) key).getBytes()
                .orElseThrow(() -> new IllegalArgumentException("the private key's bytes are not accessible"));
    }

    static PrivateKey privateFromRaw(byte[] raw) throws GeneralSecurityException {
        return KeyFactory.getInstance(ALGORITHM).generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, raw));
    }

    /** First 16 hex characters of the sha256 of the raw public key. */
    static String keyId(PublicKey key) {
        return Sha256.hex(rawPublic(key)).substring(0, 16);
    }

    static byte[] sign(PrivateKey key, byte[] message) {
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initSign(key);
            signature.update(message);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with Ed25519: " + e.getMessage(), e);
        }
    }

    static boolean verify(PublicKey key, byte[] message, byte[] signatureBytes) {
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initVerify(key);
            signature.update(message);
            return signature.verify(signatureBytes);
        } catch (java.security.SignatureException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot verify with Ed25519: " + e.getMessage(), e);
        }
    }
}
