package dev.npc.store;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Passes a body through while computing its MD5, so a write whose answer was lost can be
 * recognised by its ETag afterwards. Mark/reset is refused: a buffer above this stream serves
 * the SDK's retries, so every byte is counted here once.
 */
final class Md5Tee extends FilterInputStream {
    private final MessageDigest md5 = Etags.newMd5();
    private final long expected;
    private long count;

    /** @param expected the length the caller promised; ending early is an error, not a short object */
    Md5Tee(InputStream in, long expected) {
        super(in);
        this.expected = expected;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            md5.update((byte) b);
            count++;
        } else {
            checkComplete();
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            md5.update(buffer, offset, n);
            count += n;
        } else if (n < 0) {
            checkComplete();
        }
        return n;
    }

    private void checkComplete() throws ShortBodyException {
        if (count < expected) {
            throw new ShortBodyException(count, expected);
        }
    }

    /** The body ended before the promised length. */
    static final class ShortBodyException extends IOException {
        ShortBodyException(long count, long expected) {
            super("the body ended after " + count + " of " + expected + " bytes");
        }
    }

    @Override
    public long skip(long n) throws IOException {
        throw new IOException("skipping would leave bytes out of the ETag");
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public synchronized void mark(int readLimit) {
        // not supported
    }

    @Override
    public synchronized void reset() throws IOException {
        throw new IOException("mark/reset not supported");
    }

    /** The quoted MD5 of the body when exactly {@code length} bytes went through, else null. */
    String etagIfComplete(long length) {
        return count == length ? Etags.quoted(md5.digest()) : null;
    }
}
