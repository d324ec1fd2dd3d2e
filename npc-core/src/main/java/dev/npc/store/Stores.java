package dev.npc.store;

/** Opens a store from its URL: {@code s3://bucket/prefix} or {@code file:///dir}. */
public final class Stores {
    private Stores() { }

    /**
     * @throws IllegalArgumentException with a one-line message naming the URL and the fix,
     *                                  when the URL is not a supported store URL
     */
    public static Store open(String url, StoreOptions options) {
        return open(StoreLocation.parse(url), options);
    }

    public static Store open(StoreLocation location, StoreOptions options) {
        if (location instanceof StoreLocation.File file) {
            return new FileStore(file.directory());
        }
        return new S3Store((StoreLocation.S3) location, options);
    }
}
