package dev.npc.digest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** The identity of a remote's version: the hex sha256 of its bytes. */
public final class Sha256 {
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    private Sha256() { }

    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(newDigest().digest(bytes));
    }

    public static String hex(Path file) throws IOException {
        MessageDigest digest = newDigest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Copies {@code body} into {@code target} and returns the sha256 of what was copied, in one pass. */
    public static String copyHashing(InputStream body, Path target) throws IOException {
        MessageDigest digest = newDigest();
        try (InputStream in = new java.security.DigestInputStream(body, digest);
             java.io.OutputStream out = Files.newOutputStream(target)) {
            in.transferTo(out);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    public static boolean isHex(String value) {
        return value != null && HEX64.matcher(value).matches();
    }

    /** The short form people read in tables: the first 8 hex characters. */
    public static String shortForm(String sha256) {
        // Metadata is written by whoever writes the bucket: never print it raw.
        return sha256 == null ? "-" : dev.npc.text.SafeText.line(sha256.substring(0, Math.min(8, sha256.length())));
    }
}
