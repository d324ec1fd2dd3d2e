package dev.npc.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One object store location (an S3 bucket and prefix, or a local directory).
 * Keys are relative to the store's prefix and use '/' as separator; implementations refuse
 * keys that could escape the prefix ({@link StoreKeys#check}).
 */
public interface Store extends AutoCloseable {

    /** The URL this store was opened from, e.g. {@code s3://bucket/prefix} or {@code file:///dir}. */
    String url();

    /**
     * Which store this is, for a local copy of its objects: the URL and, when it names one, the
     * server, so two servers holding a bucket of the same name never share a cache.
     */
    default String identity() {
        return url();
    }

    /**
     * Reads an object unless its ETag still equals {@code ifNoneMatch}. A not-modified answer
     * transfers no body bytes. The caller must close a {@link GetResult.Found}, whose body fails
     * with an {@link IntegrityException} when it is not the length its answer declared or not the
     * MD5 its ETag stands for (when it is one): a fault of the transfer, so read it again.
     *
     * @param ifNoneMatch an ETag from an earlier read, or null to always read
     */
    GetResult get(String key, String ifNoneMatch) throws IOException;

    /**
     * Like {@link #get(String, String)} for a small document the caller reads whole, at most
     * {@code maxBytes} + 1 bytes of it (one more than it accepts, to tell it was cut): a store may
     * read such a document more cheaply than it streams a large one. A found document's info
     * carries its ETag; its time and metadata may be left out (null, empty).
     */
    default GetResult getSmall(String key, String ifNoneMatch, int maxBytes) throws IOException {
        return get(key, ifNoneMatch);
    }

    /**
     * Whether the object still has ETag {@code etag}, asked as cheaply as the store can: unchanged,
     * changed (it exists with another ETag: read it with {@link #get} and {@code etag} as
     * If-None-Match), or cannot tell (gone, refused, unreachable, anything odd: ask with
     * {@link #head} or {@link #get}, which report what went wrong). Never a source of content.
     * Stores without a cheaper way than {@link #head} cannot tell.
     */
    default EtagProbe probe(String key, String etag) {
        return EtagProbe.CANNOT_TELL;
    }

    /** The object's ETag, size and metadata, or empty when it does not exist. */
    Optional<ObjectInfo> head(String key) throws IOException;

    /**
     * Writes an object with user metadata, subject to {@code precondition}.
     *
     * @throws PreconditionFailedException when the precondition does not hold; nothing is written
     */
    ObjectInfo put(String key, InputStream body, long length, Map<String, String> metadata,
                   Precondition precondition) throws IOException;

    /** A body that can be read again from its start, e.g. a file: what makes a large upload retryable. */
    @FunctionalInterface
    interface Body {
        InputStream open() throws IOException;

        static Body of(Path file) {
            return () -> Files.newInputStream(file);
        }
    }

    /**
     * Like {@link #put(String, InputStream, long, Map, Precondition)}, but the store may open the
     * body again to retry a failed attempt. Stores that do not retry read it once.
     */
    default ObjectInfo put(String key, Body body, long length, Map<String, String> metadata,
                           Precondition precondition) throws IOException {
        try (InputStream in = body.open()) {
            return put(key, in, length, metadata, precondition);
        }
    }

    /**
     * Like {@link #put(String, Body, long, Map, Precondition)} for a body whose digests the caller
     * computed already, so the store need not read it an extra time to send them. A body that is
     * not what {@code digest} says is refused by the server (BadDigest) or by the store's checks.
     */
    default ObjectInfo put(String key, Body body, BodyDigest digest, Map<String, String> metadata,
                           Precondition precondition) throws IOException {
        return put(key, body, digest.size(), metadata, precondition);
    }

    default ObjectInfo put(String key, byte[] body, Map<String, String> metadata) throws IOException {
        return put(key, new java.io.ByteArrayInputStream(body), body.length, metadata, Precondition.NONE);
    }

    /**
     * Like {@link #put(String, byte[], Map)} for an object a web server hands to browsers as it is
     * (the fleet page): S3 keeps {@code contentType} and serves it as the Content-Type. A file store
     * has no content types; a web server serving its directory goes by the name.
     */
    default ObjectInfo put(String key, byte[] body, Map<String, String> metadata, String contentType)
            throws IOException {
        return put(key, body, metadata);
    }

    /**
     * Objects whose key starts with {@code prefix} (relative to the store), sorted by key, every
     * page read. Entries carry ETag, size and time but no metadata (S3 listings do not return
     * it): {@link #head} the objects whose metadata matters.
     */
    List<ObjectInfo> list(String prefix) throws IOException;

    /**
     * Like {@link #list(String)}, only the keys after {@code startAfter} up to and including
     * {@code through} (either null: no bound), so that several callers can list parts of a large
     * prefix at once. Stores override this when the server can start a listing at a key.
     */
    default List<ObjectInfo> list(String prefix, String startAfter, String through) throws IOException {
        List<ObjectInfo> result = new java.util.ArrayList<>();
        for (ObjectInfo object : list(prefix)) {
            if ((startAfter == null || object.key().compareTo(startAfter) > 0)
                    && (through == null || object.key().compareTo(through) <= 0)) {
                result.add(object);
            }
        }
        return result;
    }

    /**
     * The names one level below {@code prefix} (which ends with '/'), like the common prefixes of
     * an S3 listing with delimiter '/': for {@code hosts/} the host names, however much history
     * each host keeps. Stores override this when they can ask the server to do the grouping.
     */
    default List<String> listChildren(String prefix) throws IOException {
        java.util.TreeSet<String> names = new java.util.TreeSet<>();
        for (ObjectInfo object : list(prefix)) {
            String rest = object.key().substring(prefix.length());
            int slash = rest.indexOf('/');
            if (slash > 0) {
                names.add(rest.substring(0, slash));
            }
        }
        return List.copyOf(names);
    }

    /**
     * Server-side copy keeping the source's metadata.
     *
     * @param sourceIfMatch when not null, copy only if the source's ETag still equals it
     * @throws PreconditionFailedException when the source changed since it was inspected
     * @throws NoSuchKeyException when the source does not exist
     */
    ObjectInfo copy(String fromKey, String toKey, String sourceIfMatch) throws IOException;

    /**
     * Like {@link #copy(String, String, String)}, but the copy carries {@code metadata} instead of
     * the source's (null: the source's): how promote and rollback give the destination its own
     * sequence and signature. Stores that cannot copy server side with new metadata read the
     * source and write it again.
     */
    default ObjectInfo copy(String fromKey, String toKey, String sourceIfMatch, Map<String, String> metadata)
            throws IOException {
        if (metadata == null) {
            return copy(fromKey, toKey, sourceIfMatch);
        }
        try (GetResult result = get(fromKey, null)) {
            if (!(result instanceof GetResult.Found found)) {
                throw new NoSuchKeyException("cannot copy " + fromKey + ": it does not exist");
            }
            if (sourceIfMatch != null && !Etags.same(sourceIfMatch, found.info().etag())) {
                throw new PreconditionFailedException("cannot copy " + fromKey + " to " + toKey + ": it changed (ETag "
                        + found.info().etag() + ", expected " + sourceIfMatch + "); inspect it again and retry");
            }
            return put(toKey, found.body(), found.info().size(), metadata, Precondition.NONE);
        }
    }

    /** Deletes an object; deleting a missing object is not an error. */
    void delete(String key) throws IOException;

    @Override
    void close();
}
