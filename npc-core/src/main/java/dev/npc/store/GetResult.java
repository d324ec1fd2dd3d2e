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

    /**
     * The object, with a body stream the caller must close. Whoever made it, the body is checked
     * as it is read against what {@code info} declares and vouches for ({@link FullLengthInputStream}):
     * a body that ends short, runs long, or does not hash to the MD5 its ETag stands for throws an
     * {@link IntegrityException} from the read that would have ended it (a fault of the transfer:
     * the caller keeps nothing of it, not even its ETag, and reads it again). Where the ETag is
     * not an MD5 (SSE-KMS or SSE-C, an upload in parts) only the length is checked, and a body
     * whose info declares neither (size -1, no MD5) is passed as it is.
     */
    record Found(ObjectInfo info, InputStream body) implements GetResult {
        public Found {
            body = FullLengthInputStream.checking(body, info);
        }

        @Override public void close() throws IOException { body.close(); }
    }

    @Override
    void close() throws IOException;
}
