package dev.npc.store;

import dev.npc.digest.Sha256;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The MD5, sha256 and size of a body, computed by npc before it is sent: what every write asks
 * the server to verify ({@code Content-MD5}, {@code x-amz-checksum-sha256}) and what the server's
 * answer is compared with afterwards.
 */
public record BodyDigest(String md5, String sha256, long size) {

    public static BodyDigest of(byte[] body) {
        MessageDigest md5 = Etags.newMd5();
        MessageDigest sha = Sha256.newDigest();
        md5.update(body);
        sha.update(body);
        return new BodyDigest(hex(md5), hex(sha), body.length);
    }

    public static BodyDigest of(Path file) throws IOException {
        return of(Store.Body.of(file));
    }

    /** Reads the body once to the end. */
    public static BodyDigest of(Store.Body body) throws IOException {
        MessageDigest md5 = Etags.newMd5();
        MessageDigest sha = Sha256.newDigest();
        long size = 0;
        try (InputStream in = body.open()) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                md5.update(buffer, 0, n);
                sha.update(buffer, 0, n);
                size += n;
            }
        }
        return new BodyDigest(hex(md5), hex(sha), size);
    }

    /** The {@code Content-MD5} header's value: base64 of the raw MD5. */
    String md5Base64() {
        return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(md5));
    }

    /** The {@code x-amz-checksum-sha256} header's value: base64 of the raw sha256. */
    String sha256Base64() {
        return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(sha256));
    }

    /** How a message names the body sent. */
    public String describe() {
        return "MD5 " + md5 + ", sha256 " + sha256 + ", " + size + " bytes";
    }

    private static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }
}
