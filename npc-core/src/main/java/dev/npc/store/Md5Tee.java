package dev.npc.store;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Passes a body through while computing its MD5, so a write whose answer was lost can be
 * recognised by its ETag afterwards. Mark and reset pass through to the stream below when it
 * supports them, and a reset rewinds the digest and the count to the mark, so bytes the SDK sends
 * again after a rewind are counted once; skipping is refused (it would leave bytes out).
 */
final class Md5Tee extends FilterInputStream {
    private final long expected;
    private MessageDigest md5 = Etags.newMd5();
    private long count;
    private MessageDigest markedMd5;
    private long markedCount;

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

    /** Marks the underlying stream and remembers the digest so far, so a rewind is counted once. */
    @Override
    public synchronized void mark(int readLimit) {
        in.mark(readLimit);
        try {
            markedMd5 = (MessageDigest) md5.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's MD5 cannot be cloned", e);
        }
        markedCount = count;
    }

    @Override
    public synchronized void reset() throws IOException {
        if (markedMd5 == null) {
            throw new IOException("reset without mark");
        }
        in.reset();
        try {
            md5 = (MessageDigest) markedMd5.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's MD5 cannot be cloned", e);
        }
        count = markedCount;
    }

    long count() {
        return count;
    }

    /** The quoted MD5 of the body when exactly {@code length} bytes went through, else null. */
    String etagIfComplete(long length) {
        if (count != length) {
            return null;
        }
        try {
            return Etags.quoted(((MessageDigest) md5.clone()).digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's MD5 cannot be cloned", e);
        }
    }
}
