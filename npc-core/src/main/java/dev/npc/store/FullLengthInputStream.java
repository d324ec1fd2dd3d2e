package dev.npc.store;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Passes an upload's body through and counts it, so a body that ends before the length announced
 * (a file that shrank since it was digested) fails the upload instead of becoming a short object.
 * Mark and reset go to the stream below and rewind the count with it: bytes sent again by a retry
 * are counted once.
 */
final class FullLengthInputStream extends FilterInputStream {
    private final long expected;
    private long count;
    private long markedCount = -1;

    /** @param expected the length the caller promised; ending early is an error, not a short object */
    FullLengthInputStream(InputStream in, long expected) {
        super(in);
        this.expected = expected;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
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
        throw new IOException("skipping would leave bytes uncounted");
    }

    @Override
    public synchronized void mark(int readLimit) {
        in.mark(readLimit);
        markedCount = count;
    }

    @Override
    public synchronized void reset() throws IOException {
        if (markedCount < 0) {
            throw new IOException("reset without mark");
        }
        in.reset();
        count = markedCount;
    }
}
