package dev.npc.store;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** ETag helpers: S3's single-part ETag is the quoted hex MD5 of the bytes. */
final class Etags {
    private Etags() { }

    static MessageDigest newMd5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no MD5", e);
        }
    }

    static String quoted(byte[] md5) {
        return '"' + HexFormat.of().formatHex(md5) + '"';
    }

    /** Compares ETags the way HTTP does for strong validators, tolerating a missing pair of quotes. */
    static boolean same(String a, String b) {
        return a != null && b != null && unquote(a).equals(unquote(b));
    }

    /**
     * The MD5 an S3 ETag stands for, in lower-case hex, or null when it stands for none: SSE-KMS
     * and SSE-C objects have ETags that are not the MD5 of their bytes, and a multipart ETag
     * ends in "-N".
     *
     * @param serverSideEncryption  the answer's {@code x-amz-server-side-encryption}, or null
     * @param customerKeyAlgorithm  the answer's {@code x-amz-server-side-encryption-customer-algorithm}, or null
     */
    static String contentMd5Of(String etag, String serverSideEncryption, String customerKeyAlgorithm) {
        if (etag == null || customerKeyAlgorithm != null
                || serverSideEncryption != null && serverSideEncryption.toLowerCase(java.util.Locale.ROOT).startsWith("aws:kms")) {
            return null;
        }
        String value = unquote(etag).toLowerCase(java.util.Locale.ROOT);
        return value.matches("[0-9a-f]{32}") ? value : null;
    }

    /** Lower-case hex of a base64 sha256 checksum, or null when absent or not a whole-object sha256. */
    static String sha256HexOf(String base64) {
        if (base64 == null || base64.isBlank()) {
            return null;
        }
        try {
            byte[] raw = java.util.Base64.getDecoder().decode(base64.trim());
            return raw.length == 32 ? HexFormat.of().formatHex(raw) : null;
        } catch (IllegalArgumentException e) {
            return null; // a composite (multipart) checksum ends in "-N"
        }
    }

    static String unquote(String etag) {
        String value = etag.startsWith("W/") ? etag.substring(2) : etag;
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }
}
