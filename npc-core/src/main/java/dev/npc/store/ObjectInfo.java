package dev.npc.store;

import java.time.Instant;
import java.util.Map;

/**
 * What a store knows about one object. {@code etag} keeps its quotes as the store sends it;
 * {@code metadata} keys are lower-case user-metadata names without the {@code x-amz-meta-} prefix.
 */
public record ObjectInfo(String key, String etag, long size, Instant lastModified, Map<String, String> metadata) {
    public ObjectInfo {
        metadata = Map.copyOf(metadata);
    }

    public String meta(String name) {
        return metadata.get(name);
    }
}
