package dev.npc.store;

import java.nio.file.Path;

/**
 * A parsed store URL: {@code s3://bucket[/prefix]} or {@code file:///absolute/dir}.
 * Parsing is strict so a typo fails here, with the fix, instead of writing to a surprising place.
 */
public sealed interface StoreLocation {
    String FIX = "use s3://bucket/prefix or file:///absolute/dir";

    /** The canonical URL: no trailing slash, prefix without surrounding slashes. */
    String url();

    // Each record's toString is its URL: picocli formats every option's value for its trace at
    // every start, and a record's generated toString is linked through method handles on first
    // use (about 6% of a follow --once's main thread).

    /** @param prefix the key prefix without surrounding slashes, or "" for the whole bucket */
    record S3(String bucket, String prefix) implements StoreLocation {
        @Override
        public String url() {
            return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
        }

        @Override
        public String toString() {
            return url();
        }

        /** The full S3 key of a store key. */
        public String fullKey(String key) {
            return prefix.isEmpty() ? key : prefix + "/" + key;
        }
    }

    record File(Path directory) implements StoreLocation {
        @Override
        public String url() {
            return "file://" + directory;
        }

        @Override
        public String toString() {
            return url();
        }
    }

    /** @throws IllegalArgumentException with a one-line message naming the URL and the fix */
    static StoreLocation parse(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("no store URL given; " + FIX);
        }
        if (url.startsWith("s3://")) {
            return parseS3(url);
        }
        if (url.startsWith("file://")) {
            return parseFile(url);
        }
        throw new IllegalArgumentException("store URL '" + url + "' is not supported; " + FIX);
    }

    private static StoreLocation parseS3(String url) {
        String rest = url.substring("s3://".length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1);
        S3BucketNames.check(bucket, url);
        if (prefix.endsWith("/")) {
            prefix = prefix.substring(0, prefix.length() - 1);
        }
        if (!prefix.isEmpty()) {
            try {
                StoreKeys.check(prefix);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("store URL '" + url + "' has prefix '" + prefix
                        + "'; a prefix is plain segments of [A-Za-z0-9._-] separated by single '/', without '.' or '..'");
            }
        }
        return new S3(bucket, prefix);
    }

    private static StoreLocation parseFile(String url) {
        String path = url.substring("file://".length());
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("store URL '" + url + "' must name an absolute local directory, "
                    + "with three slashes: file:///absolute/dir");
        }
        for (String segment : path.split("/")) {
            if (segment.equals("..") || segment.equals(".")) {
                throw new IllegalArgumentException("store URL '" + url
                        + "' must not contain '.' or '..' segments; write the directory's plain absolute path");
            }
        }
        if (path.contains("?") || path.contains("#") || path.contains("%")) {
            throw new IllegalArgumentException("store URL '" + url
                    + "' must be a plain path without '?', '#' or '%' escapes; file:///absolute/dir");
        }
        return new File(Path.of(path).normalize());
    }
}
