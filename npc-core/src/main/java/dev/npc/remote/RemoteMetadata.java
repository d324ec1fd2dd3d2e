package dev.npc.remote;

import dev.npc.store.ObjectInfo;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The user metadata a remote carries (S3 {@code x-amz-meta-*}; a sidecar in a file store).
 * Field names are the contract of docs/format.md.
 *
 * @param sequence the publish sequence ({@link Sequence}): {@link Sequence#ABSENT} when the
 *                 remote has none (published by npc 0.1), {@link Sequence#MALFORMED} when it is
 *                 not a valid one
 */
public record RemoteMetadata(int format, String sha256, int files, String sourceRev, String signature, String keyId,
                             long sequence) {
    public static final String FORMAT = "npc-format";
    public static final String SHA256 = "npc-sha256";
    public static final String FILES = "npc-files";
    public static final String SOURCE_REV = "npc-source-rev";
    public static final String SIGNATURE = "npc-signature";
    public static final String KEY_ID = "npc-key-id";
    /**
     * Hex MD5 of the archive, written by push beside npc-sha256: on a server that returns no
     * sha256 checksum, a plain (non-KMS) ETag is compared with it to spot damaged bytes cheaply.
     */
    public static final String MD5 = "npc-md5";
    public static final String SEQUENCE = "npc-sequence";
    public static final int CURRENT_FORMAT = 1;

    /** Without a sequence, as npc 0.1 wrote remotes (tests and tools that write objects directly). */
    public RemoteMetadata(int format, String sha256, int files, String sourceRev, String signature, String keyId) {
        this(format, sha256, files, sourceRev, signature, keyId, Sequence.ABSENT);
    }

    public boolean signed() {
        return signature != null && !signature.isBlank();
    }

    public RemoteMetadata withSequence(long value) {
        return new RemoteMetadata(format, sha256, files, sourceRev, signature, keyId, value);
    }

    /** With this signature and key id, or with none when both are null. */
    public RemoteMetadata withSignature(String value, String signingKeyId) {
        return new RemoteMetadata(format, sha256, files, sourceRev, value, signingKeyId, sequence);
    }

    public Map<String, String> toMap() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put(FORMAT, Integer.toString(format));
        map.put(SHA256, sha256);
        map.put(FILES, Integer.toString(files));
        if (sourceRev != null) {
            map.put(SOURCE_REV, sourceRev);
        }
        if (signature != null) {
            map.put(SIGNATURE, signature);
        }
        if (keyId != null) {
            map.put(KEY_ID, keyId);
        }
        if (sequence > 0) {
            map.put(SEQUENCE, Long.toString(sequence));
        }
        return map;
    }

    /** {@link #toMap()} plus the archive's MD5 ({@link #MD5}) a copy carries over from its source, when known. */
    public Map<String, String> toMap(String md5) {
        Map<String, String> map = toMap();
        if (md5 != null) {
            map.put(MD5, md5);
        }
        return map;
    }

    /** Reads the metadata of a remote object; missing numbers read as 0, missing strings as null. */
    public static RemoteMetadata of(ObjectInfo info) {
        return new RemoteMetadata(intOr0(info.meta(FORMAT)), info.meta(SHA256), intOr0(info.meta(FILES)),
                info.meta(SOURCE_REV), info.meta(SIGNATURE), info.meta(KEY_ID), Sequence.parse(info.meta(SEQUENCE)));
    }

    private static int intOr0(String value) {
        try {
            return value == null ? 0 : Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
