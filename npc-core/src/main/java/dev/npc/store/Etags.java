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

    static String unquote(String etag) {
        String value = etag.startsWith("W/") ? etag.substring(2) : etag;
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }
}
