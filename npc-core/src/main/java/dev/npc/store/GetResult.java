package dev.npc.store;

import java.io.IOException;
import java.io.InputStream;

/** The answer to a conditional read. */
public sealed interface GetResult extends AutoCloseable {

    /** The object still has the ETag the caller already knows: no body was transferred. */
    record NotModified(String etag) implements GetResult {
        @Override public void close() { }
    }

    /** No object under that key. */
    record Missing(String key) implements GetResult {
        @Override public void close() { }
    }

    /** The object, with a body stream the caller must close. */
    record Found(ObjectInfo info, InputStream body) implements GetResult {
        @Override public void close() throws IOException { body.close(); }
    }

    @Override
    void close() throws IOException;
}
