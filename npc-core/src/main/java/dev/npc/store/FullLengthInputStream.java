package dev.npc.store;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Passes a body through, counts it and checks it against what was announced for it, both ways:
 * npc's one check that a body is the one its sender vouched for.
 *
 * <ul>
 * <li>An upload's body must not end before the length announced (a file that shrank since it was
 * digested), so it fails the upload instead of becoming a short object; the server checks the
 * bytes against the digests sent ({@link BodyDigest}). Mark and reset go to the stream below and
 * rewind the count with it: bytes sent again by a retry are counted once.</li>
 * <li>A read's body ({@link GetResult.Found}) must have the length the answer declared, and hash
 * to the MD5 the answer vouched for ({@link ObjectInfo#md5()}), so a body cut short or changed on
 * the way is an {@link IntegrityException}, thrown by the read that would have ended it, not a
 * document a reader acts on or remembers under its ETag. Where the ETag is not an MD5 (SSE-KMS or
 * SSE-C, an upload in parts) there is nothing to hash against: only the length is checked.</li>
 * </ul>
 */
final class FullLengthInputStream extends FilterInputStream {
    private final long expected;
    /** The answer a read's body is checked against; null for an upload. */
    private final ObjectInfo answer;
    /** The MD5 of what was read so far, when the answer vouches for one. */
    private MessageDigest md5;
    private long count;
    private boolean hashed;
    private long markedCount = -1;
    private MessageDigest markedMd5;
    private boolean markedHashed;

    /** @param expected the length the caller promised; ending early is an error, not a short object */
    FullLengthInputStream(InputStream in, long expected) {
        this(in, expected, null);
    }

    private FullLengthInputStream(InputStream in, long expected, ObjectInfo answer) {
        super(in);
        this.expected = expected;
        this.answer = answer;
        this.md5 = answer == null || answer.md5() == null ? null : Etags.newMd5();
    }

    /**
     * A read's body, checked as it is read against what {@code answer} declares (its size) and
     * vouches for (its MD5); as it is when the answer does neither (a size of -1: unknown).
     */
    static InputStream checking(InputStream body, ObjectInfo answer) {
        if (answer == null || body instanceof FullLengthInputStream checked && checked.answer == answer
                || answer.size() < 0 && answer.md5() == null) {
            return body;
        }
        return new FullLengthInputStream(body, answer.size(), answer);
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            if (md5 != null) {
                md5.update((byte) b);
            }
            counted(1);
        } else {
            checkComplete();
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            if (md5 != null) {
                md5.update(buffer, offset, n);
            }
            counted(n);
        } else if (n < 0) {
            checkComplete();
        }
        return n;
    }

    /** Read through, so that what is skipped is counted and hashed too. */
    @Override
    public long skip(long n) throws IOException {
        byte[] buffer = new byte[(int) Math.min(Math.max(n, 0), 8192)];
        long skipped = 0;
        while (skipped < n) {
            int read = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
            if (read < 0) {
                break;
            }
            skipped += read;
        }
        return skipped;
    }

    /** A read's last byte is checked when it arrives: a caller that reads exactly the declared length sees no end. */
    private void counted(int n) throws IOException {
        count += n;
        if (answer == null) {
            return;
        }
        if (expected >= 0 && count > expected) {
            throw damaged("more than the " + expected + " bytes its answer declared came");
        }
        if (count == expected) {
            checkHash();
        }
    }

    private void checkComplete() throws IOException {
        if (count < expected) {
            if (answer == null) {
                throw new ShortBodyException(count, expected);
            }
            throw damaged("it ended after " + count + " of the " + expected + " bytes its answer declared");
        }
        if (answer != null) {
            checkHash();
        }
    }

    private void checkHash() throws IntegrityException {
        if (md5 == null || hashed) {
            return;
        }
        hashed = true;
        String actual = HexFormat.of().formatHex(md5.digest());
        if (!actual.equals(answer.md5())) {
            throw damaged("its " + count + " bytes have MD5 " + actual + ", not the " + answer.md5()
                    + " its ETag vouches for");
        }
    }

    private IntegrityException damaged(String why) {
        return new IntegrityException(answer.key() + " arrived damaged (" + why + "): refused as a fault on the way,"
                + " not of the object; read it again", answer.key(), answer);
    }

    /** The body ended before the promised length. */
    static final class ShortBodyException extends IOException {
        ShortBodyException(long count, long expected) {
            super("the body ended after " + count + " of " + expected + " bytes");
        }
    }

    @Override
    public synchronized void mark(int readLimit) {
        in.mark(readLimit);
        markedCount = count;
        markedHashed = hashed;
        markedMd5 = md5 == null ? null : copy(md5);
    }

    @Override
    public synchronized void reset() throws IOException {
        if (markedCount < 0) {
            throw new IOException("reset without mark");
        }
        in.reset();
        count = markedCount;
        hashed = markedHashed;
        md5 = markedMd5 == null ? null : copy(markedMd5);
    }

    private static MessageDigest copy(MessageDigest digest) {
        try {
            return (MessageDigest) digest.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's MD5 cannot be copied", e);
        }
    }
}
