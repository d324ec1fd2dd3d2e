package dev.npc.store;

import java.time.Instant;
import java.util.Map;

/**
 * What a store knows about one object. {@code etag} keeps its quotes as the store sends it;
 * {@code metadata} keys are lower-case user-metadata names without the {@code x-amz-meta-} prefix.
 *
 * <p>{@code md5} and {@code sha256} are what the store vouches for about the bytes, in lower-case
 * hex, or null when its answer says nothing usable: {@code md5} is the ETag when the ETag is an MD5
 * (S3 without SSE-KMS or SSE-C, single-part; a file store always), {@code sha256} the full-object
 * {@code x-amz-checksum-sha256} the server checked when the object was written. Listings carry
 * neither.
 */
public record ObjectInfo(String key, String etag, long size, Instant lastModified, Map<String, String> metadata,
                         String md5, String sha256) {
    public ObjectInfo {
        metadata = Map.copyOf(metadata);
    }

    /** An object whose bytes the store vouches for by no digest (a listing entry, say). */
    public ObjectInfo(String key, String etag, long size, Instant lastModified, Map<String, String> metadata) {
        this(key, etag, size, lastModified, metadata, null, null);
    }

    public String meta(String name) {
        return metadata.get(name);
    }

    /**
     * Whether the store says it holds exactly {@code body}: TRUE when a digest it vouches for
     * matches (and nothing it says disagrees), FALSE when anything it says disagrees, null when
     * it vouches for no digest, so only a read of the bytes could tell.
     */
    public Boolean holds(BodyDigest body) {
        if (sha256 != null && !sha256.equals(body.sha256())) {
            return Boolean.FALSE;
        }
        if (md5 != null && !md5.equals(body.md5())) {
            return Boolean.FALSE;
        }
        if (size >= 0 && size != body.size()) {
            return Boolean.FALSE;
        }
        return sha256 != null || md5 != null ? Boolean.TRUE : null;
    }

    /** The digests as people read them in a message: what the store answered. */
    public String describeDigests() {
        return "ETag " + etag + (sha256 == null ? "" : ", sha256 " + sha256) + (size < 0 ? "" : ", " + size + " bytes");
    }
}
