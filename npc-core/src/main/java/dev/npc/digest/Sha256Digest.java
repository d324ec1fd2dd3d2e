package dev.npc.digest;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * SHA-256 (FIPS 180-4) written for the C1 compiler, which is all npc runs with
 * (bin/jvm.options): the JDK's own SHA-256 is fast only where C2 replaces its compression function
 * with a CPU intrinsic; compiled by C1 it loops over a 64-word array with a bounds check per access
 * and hashed about 125 MB/s, enough to make hashing a pack's output cost as much CPU as
 * compressing it. Here the compression function is one method of straight-line code: sixteen
 * rounds unrolled (run four times), the message schedule in sixteen locals updated in place, the
 * working variables renamed round by round instead of shifted, so the rounds read no array but the
 * constants. All 64 rounds unrolled would be 12 KB of bytecode, which the JVM never compiles
 * (methods over 8,000 bytes stay interpreted). It is a {@link MessageDigest}, so it fits wherever the JDK's does; its bytes are
 * checked against the JDK's and the NIST examples by Sha256DigestTest.
 *
 * <p>Not thread-safe, like every MessageDigest.
 */
public final class Sha256Digest extends MessageDigest implements Cloneable {
    private static final int BLOCK = 64;
    private static final int[] K = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    };
    private static final int[] INITIAL = {
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    };

    private int h0;
    private int h1;
    private int h2;
    private int h3;
    private int h4;
    private int h5;
    private int h6;
    private int h7;
    /** The start of a block not yet complete. */
    private byte[] pending = new byte[BLOCK];
    private int pendingLength;
    private long length;

    public Sha256Digest() {
        super("SHA-256");
        engineReset();
    }

    /** The hex digest of {@code bytes}. */
    public static String hex(byte[] bytes) {
        Sha256Digest digest = new Sha256Digest();
        digest.update(bytes);
        return HexFormat.of().formatHex(digest.digest());
    }

    @Override
    protected int engineGetDigestLength() {
        return 32;
    }

    @Override
    protected void engineReset() {
        h0 = INITIAL[0];
        h1 = INITIAL[1];
        h2 = INITIAL[2];
        h3 = INITIAL[3];
        h4 = INITIAL[4];
        h5 = INITIAL[5];
        h6 = INITIAL[6];
        h7 = INITIAL[7];
        Arrays.fill(pending, (byte) 0);
        pendingLength = 0;
        length = 0;
    }

    @Override
    protected void engineUpdate(byte input) {
        pending[pendingLength++] = input;
        length++;
        if (pendingLength == BLOCK) {
            compress(pending, 0);
            pendingLength = 0;
        }
    }

    @Override
    protected void engineUpdate(byte[] input, int offset, int len) {
        if (offset < 0 || len < 0 || offset > input.length - len) {
            throw new ArrayIndexOutOfBoundsException("offset " + offset + ", length " + len + " in " + input.length);
        }
        length += len;
        int off = offset;
        int end = offset + len;
        if (pendingLength > 0) {
            int step = Math.min(BLOCK - pendingLength, len);
            System.arraycopy(input, off, pending, pendingLength, step);
            pendingLength += step;
            off += step;
            if (pendingLength < BLOCK) {
                return;
            }
            compress(pending, 0);
            pendingLength = 0;
        }
        for (; end - off >= BLOCK; off += BLOCK) {
            compress(input, off);
        }
        System.arraycopy(input, off, pending, 0, end - off);
        pendingLength = end - off;
    }

    @Override
    protected byte[] engineDigest() {
        long bits = length << 3;
        byte[] tail = new byte[pendingLength < BLOCK - 8 ? BLOCK : 2 * BLOCK];
        System.arraycopy(pending, 0, tail, 0, pendingLength);
        tail[pendingLength] = (byte) 0x80;
        for (int i = 0; i < 8; i++) {
            tail[tail.length - 1 - i] = (byte) (bits >>> (8 * i));
        }
        for (int off = 0; off < tail.length; off += BLOCK) {
            compress(tail, off);
        }
        byte[] out = new byte[32];
        int[] h = {h0, h1, h2, h3, h4, h5, h6, h7};
        for (int i = 0; i < 8; i++) {
            out[4 * i] = (byte) (h[i] >>> 24);
            out[4 * i + 1] = (byte) (h[i] >>> 16);
            out[4 * i + 2] = (byte) (h[i] >>> 8);
            out[4 * i + 3] = (byte) h[i];
        }
        engineReset();
        return out;
    }

    @Override
    public Object clone() throws CloneNotSupportedException {
        Sha256Digest copy = (Sha256Digest) super.clone();
        copy.pending = pending.clone();
        return copy;
    }

    /** One 64-byte block at {@code b[o..o+64)}. */
    private void compress(byte[] b, int o) {
        int w0 = (b[o] << 24) | (b[o + 1] & 0xff) << 16 | (b[o + 2] & 0xff) << 8 | (b[o + 3] & 0xff);
        int w1 = (b[o + 4] << 24) | (b[o + 5] & 0xff) << 16 | (b[o + 6] & 0xff) << 8 | (b[o + 7] & 0xff);
        int w2 = (b[o + 8] << 24) | (b[o + 9] & 0xff) << 16 | (b[o + 10] & 0xff) << 8 | (b[o + 11] & 0xff);
        int w3 = (b[o + 12] << 24) | (b[o + 13] & 0xff) << 16 | (b[o + 14] & 0xff) << 8 | (b[o + 15] & 0xff);
        int w4 = (b[o + 16] << 24) | (b[o + 17] & 0xff) << 16 | (b[o + 18] & 0xff) << 8 | (b[o + 19] & 0xff);
        int w5 = (b[o + 20] << 24) | (b[o + 21] & 0xff) << 16 | (b[o + 22] & 0xff) << 8 | (b[o + 23] & 0xff);
        int w6 = (b[o + 24] << 24) | (b[o + 25] & 0xff) << 16 | (b[o + 26] & 0xff) << 8 | (b[o + 27] & 0xff);
        int w7 = (b[o + 28] << 24) | (b[o + 29] & 0xff) << 16 | (b[o + 30] & 0xff) << 8 | (b[o + 31] & 0xff);
        int w8 = (b[o + 32] << 24) | (b[o + 33] & 0xff) << 16 | (b[o + 34] & 0xff) << 8 | (b[o + 35] & 0xff);
        int w9 = (b[o + 36] << 24) | (b[o + 37] & 0xff) << 16 | (b[o + 38] & 0xff) << 8 | (b[o + 39] & 0xff);
        int w10 = (b[o + 40] << 24) | (b[o + 41] & 0xff) << 16 | (b[o + 42] & 0xff) << 8 | (b[o + 43] & 0xff);
        int w11 = (b[o + 44] << 24) | (b[o + 45] & 0xff) << 16 | (b[o + 46] & 0xff) << 8 | (b[o + 47] & 0xff);
        int w12 = (b[o + 48] << 24) | (b[o + 49] & 0xff) << 16 | (b[o + 50] & 0xff) << 8 | (b[o + 51] & 0xff);
        int w13 = (b[o + 52] << 24) | (b[o + 53] & 0xff) << 16 | (b[o + 54] & 0xff) << 8 | (b[o + 55] & 0xff);
        int w14 = (b[o + 56] << 24) | (b[o + 57] & 0xff) << 16 | (b[o + 58] & 0xff) << 8 | (b[o + 59] & 0xff);
        int w15 = (b[o + 60] << 24) | (b[o + 61] & 0xff) << 16 | (b[o + 62] & 0xff) << 8 | (b[o + 63] & 0xff);
        int a = h0;
        int b1 = h1;
        int c = h2;
        int d = h3;
        int e = h4;
        int f = h5;
        int g = h6;
        int h = h7;
        // rounds 0-15 use the block's words as they are
        h += (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) + ((e & f) ^ (~e & g)) + K[0] + w0;
        d += h;
        h += (((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) + ((a & b1) ^ (a & c) ^ (b1 & c));
        g += (((d >>> 6) | (d << 26)) ^ ((d >>> 11) | (d << 21)) ^ ((d >>> 25) | (d << 7))) + ((d & e) ^ (~d & f)) + K[1] + w1;
        c += g;
        g += (((h >>> 2) | (h << 30)) ^ ((h >>> 13) | (h << 19)) ^ ((h >>> 22) | (h << 10))) + ((h & a) ^ (h & b1) ^ (a & b1));
        f += (((c >>> 6) | (c << 26)) ^ ((c >>> 11) | (c << 21)) ^ ((c >>> 25) | (c << 7))) + ((c & d) ^ (~c & e)) + K[2] + w2;
        b1 += f;
        f += (((g >>> 2) | (g << 30)) ^ ((g >>> 13) | (g << 19)) ^ ((g >>> 22) | (g << 10))) + ((g & h) ^ (g & a) ^ (h & a));
        e += (((b1 >>> 6) | (b1 << 26)) ^ ((b1 >>> 11) | (b1 << 21)) ^ ((b1 >>> 25) | (b1 << 7))) + ((b1 & c) ^ (~b1 & d)) + K[3] + w3;
        a += e;
        e += (((f >>> 2) | (f << 30)) ^ ((f >>> 13) | (f << 19)) ^ ((f >>> 22) | (f << 10))) + ((f & g) ^ (f & h) ^ (g & h));
        d += (((a >>> 6) | (a << 26)) ^ ((a >>> 11) | (a << 21)) ^ ((a >>> 25) | (a << 7))) + ((a & b1) ^ (~a & c)) + K[4] + w4;
        h += d;
        d += (((e >>> 2) | (e << 30)) ^ ((e >>> 13) | (e << 19)) ^ ((e >>> 22) | (e << 10))) + ((e & f) ^ (e & g) ^ (f & g));
        c += (((h >>> 6) | (h << 26)) ^ ((h >>> 11) | (h << 21)) ^ ((h >>> 25) | (h << 7))) + ((h & a) ^ (~h & b1)) + K[5] + w5;
        g += c;
        c += (((d >>> 2) | (d << 30)) ^ ((d >>> 13) | (d << 19)) ^ ((d >>> 22) | (d << 10))) + ((d & e) ^ (d & f) ^ (e & f));
        b1 += (((g >>> 6) | (g << 26)) ^ ((g >>> 11) | (g << 21)) ^ ((g >>> 25) | (g << 7))) + ((g & h) ^ (~g & a)) + K[6] + w6;
        f += b1;
        b1 += (((c >>> 2) | (c << 30)) ^ ((c >>> 13) | (c << 19)) ^ ((c >>> 22) | (c << 10))) + ((c & d) ^ (c & e) ^ (d & e));
        a += (((f >>> 6) | (f << 26)) ^ ((f >>> 11) | (f << 21)) ^ ((f >>> 25) | (f << 7))) + ((f & g) ^ (~f & h)) + K[7] + w7;
        e += a;
        a += (((b1 >>> 2) | (b1 << 30)) ^ ((b1 >>> 13) | (b1 << 19)) ^ ((b1 >>> 22) | (b1 << 10))) + ((b1 & c) ^ (b1 & d) ^ (c & d));
        h += (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) + ((e & f) ^ (~e & g)) + K[8] + w8;
        d += h;
        h += (((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) + ((a & b1) ^ (a & c) ^ (b1 & c));
        g += (((d >>> 6) | (d << 26)) ^ ((d >>> 11) | (d << 21)) ^ ((d >>> 25) | (d << 7))) + ((d & e) ^ (~d & f)) + K[9] + w9;
        c += g;
        g += (((h >>> 2) | (h << 30)) ^ ((h >>> 13) | (h << 19)) ^ ((h >>> 22) | (h << 10))) + ((h & a) ^ (h & b1) ^ (a & b1));
        f += (((c >>> 6) | (c << 26)) ^ ((c >>> 11) | (c << 21)) ^ ((c >>> 25) | (c << 7))) + ((c & d) ^ (~c & e)) + K[10] + w10;
        b1 += f;
        f += (((g >>> 2) | (g << 30)) ^ ((g >>> 13) | (g << 19)) ^ ((g >>> 22) | (g << 10))) + ((g & h) ^ (g & a) ^ (h & a));
        e += (((b1 >>> 6) | (b1 << 26)) ^ ((b1 >>> 11) | (b1 << 21)) ^ ((b1 >>> 25) | (b1 << 7))) + ((b1 & c) ^ (~b1 & d)) + K[11] + w11;
        a += e;
        e += (((f >>> 2) | (f << 30)) ^ ((f >>> 13) | (f << 19)) ^ ((f >>> 22) | (f << 10))) + ((f & g) ^ (f & h) ^ (g & h));
        d += (((a >>> 6) | (a << 26)) ^ ((a >>> 11) | (a << 21)) ^ ((a >>> 25) | (a << 7))) + ((a & b1) ^ (~a & c)) + K[12] + w12;
        h += d;
        d += (((e >>> 2) | (e << 30)) ^ ((e >>> 13) | (e << 19)) ^ ((e >>> 22) | (e << 10))) + ((e & f) ^ (e & g) ^ (f & g));
        c += (((h >>> 6) | (h << 26)) ^ ((h >>> 11) | (h << 21)) ^ ((h >>> 25) | (h << 7))) + ((h & a) ^ (~h & b1)) + K[13] + w13;
        g += c;
        c += (((d >>> 2) | (d << 30)) ^ ((d >>> 13) | (d << 19)) ^ ((d >>> 22) | (d << 10))) + ((d & e) ^ (d & f) ^ (e & f));
        b1 += (((g >>> 6) | (g << 26)) ^ ((g >>> 11) | (g << 21)) ^ ((g >>> 25) | (g << 7))) + ((g & h) ^ (~g & a)) + K[14] + w14;
        f += b1;
        b1 += (((c >>> 2) | (c << 30)) ^ ((c >>> 13) | (c << 19)) ^ ((c >>> 22) | (c << 10))) + ((c & d) ^ (c & e) ^ (d & e));
        a += (((f >>> 6) | (f << 26)) ^ ((f >>> 11) | (f << 21)) ^ ((f >>> 25) | (f << 7))) + ((f & g) ^ (~f & h)) + K[15] + w15;
        e += a;
        a += (((b1 >>> 2) | (b1 << 30)) ^ ((b1 >>> 13) | (b1 << 19)) ^ ((b1 >>> 22) | (b1 << 10))) + ((b1 & c) ^ (b1 & d) ^ (c & d));
        // rounds 16-63, sixteen at a time: each first replaces the word sixteen rounds old
        for (int k = 16; k < 64; k += 16) {
            w0 += (((w14 >>> 17) | (w14 << 15)) ^ ((w14 >>> 19) | (w14 << 13)) ^ (w14 >>> 10)) + w9 + (((w1 >>> 7) | (w1 << 25)) ^ ((w1 >>> 18) | (w1 << 14)) ^ (w1 >>> 3));
            h += (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) + ((e & f) ^ (~e & g)) + K[k] + w0;
            d += h;
            h += (((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) + ((a & b1) ^ (a & c) ^ (b1 & c));
            w1 += (((w15 >>> 17) | (w15 << 15)) ^ ((w15 >>> 19) | (w15 << 13)) ^ (w15 >>> 10)) + w10 + (((w2 >>> 7) | (w2 << 25)) ^ ((w2 >>> 18) | (w2 << 14)) ^ (w2 >>> 3));
            g += (((d >>> 6) | (d << 26)) ^ ((d >>> 11) | (d << 21)) ^ ((d >>> 25) | (d << 7))) + ((d & e) ^ (~d & f)) + K[k + 1] + w1;
            c += g;
            g += (((h >>> 2) | (h << 30)) ^ ((h >>> 13) | (h << 19)) ^ ((h >>> 22) | (h << 10))) + ((h & a) ^ (h & b1) ^ (a & b1));
            w2 += (((w0 >>> 17) | (w0 << 15)) ^ ((w0 >>> 19) | (w0 << 13)) ^ (w0 >>> 10)) + w11 + (((w3 >>> 7) | (w3 << 25)) ^ ((w3 >>> 18) | (w3 << 14)) ^ (w3 >>> 3));
            f += (((c >>> 6) | (c << 26)) ^ ((c >>> 11) | (c << 21)) ^ ((c >>> 25) | (c << 7))) + ((c & d) ^ (~c & e)) + K[k + 2] + w2;
            b1 += f;
            f += (((g >>> 2) | (g << 30)) ^ ((g >>> 13) | (g << 19)) ^ ((g >>> 22) | (g << 10))) + ((g & h) ^ (g & a) ^ (h & a));
            w3 += (((w1 >>> 17) | (w1 << 15)) ^ ((w1 >>> 19) | (w1 << 13)) ^ (w1 >>> 10)) + w12 + (((w4 >>> 7) | (w4 << 25)) ^ ((w4 >>> 18) | (w4 << 14)) ^ (w4 >>> 3));
            e += (((b1 >>> 6) | (b1 << 26)) ^ ((b1 >>> 11) | (b1 << 21)) ^ ((b1 >>> 25) | (b1 << 7))) + ((b1 & c) ^ (~b1 & d)) + K[k + 3] + w3;
            a += e;
            e += (((f >>> 2) | (f << 30)) ^ ((f >>> 13) | (f << 19)) ^ ((f >>> 22) | (f << 10))) + ((f & g) ^ (f & h) ^ (g & h));
            w4 += (((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10)) + w13 + (((w5 >>> 7) | (w5 << 25)) ^ ((w5 >>> 18) | (w5 << 14)) ^ (w5 >>> 3));
            d += (((a >>> 6) | (a << 26)) ^ ((a >>> 11) | (a << 21)) ^ ((a >>> 25) | (a << 7))) + ((a & b1) ^ (~a & c)) + K[k + 4] + w4;
            h += d;
            d += (((e >>> 2) | (e << 30)) ^ ((e >>> 13) | (e << 19)) ^ ((e >>> 22) | (e << 10))) + ((e & f) ^ (e & g) ^ (f & g));
            w5 += (((w3 >>> 17) | (w3 << 15)) ^ ((w3 >>> 19) | (w3 << 13)) ^ (w3 >>> 10)) + w14 + (((w6 >>> 7) | (w6 << 25)) ^ ((w6 >>> 18) | (w6 << 14)) ^ (w6 >>> 3));
            c += (((h >>> 6) | (h << 26)) ^ ((h >>> 11) | (h << 21)) ^ ((h >>> 25) | (h << 7))) + ((h & a) ^ (~h & b1)) + K[k + 5] + w5;
            g += c;
            c += (((d >>> 2) | (d << 30)) ^ ((d >>> 13) | (d << 19)) ^ ((d >>> 22) | (d << 10))) + ((d & e) ^ (d & f) ^ (e & f));
            w6 += (((w4 >>> 17) | (w4 << 15)) ^ ((w4 >>> 19) | (w4 << 13)) ^ (w4 >>> 10)) + w15 + (((w7 >>> 7) | (w7 << 25)) ^ ((w7 >>> 18) | (w7 << 14)) ^ (w7 >>> 3));
            b1 += (((g >>> 6) | (g << 26)) ^ ((g >>> 11) | (g << 21)) ^ ((g >>> 25) | (g << 7))) + ((g & h) ^ (~g & a)) + K[k + 6] + w6;
            f += b1;
            b1 += (((c >>> 2) | (c << 30)) ^ ((c >>> 13) | (c << 19)) ^ ((c >>> 22) | (c << 10))) + ((c & d) ^ (c & e) ^ (d & e));
            w7 += (((w5 >>> 17) | (w5 << 15)) ^ ((w5 >>> 19) | (w5 << 13)) ^ (w5 >>> 10)) + w0 + (((w8 >>> 7) | (w8 << 25)) ^ ((w8 >>> 18) | (w8 << 14)) ^ (w8 >>> 3));
            a += (((f >>> 6) | (f << 26)) ^ ((f >>> 11) | (f << 21)) ^ ((f >>> 25) | (f << 7))) + ((f & g) ^ (~f & h)) + K[k + 7] + w7;
            e += a;
            a += (((b1 >>> 2) | (b1 << 30)) ^ ((b1 >>> 13) | (b1 << 19)) ^ ((b1 >>> 22) | (b1 << 10))) + ((b1 & c) ^ (b1 & d) ^ (c & d));
            w8 += (((w6 >>> 17) | (w6 << 15)) ^ ((w6 >>> 19) | (w6 << 13)) ^ (w6 >>> 10)) + w1 + (((w9 >>> 7) | (w9 << 25)) ^ ((w9 >>> 18) | (w9 << 14)) ^ (w9 >>> 3));
            h += (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) + ((e & f) ^ (~e & g)) + K[k + 8] + w8;
            d += h;
            h += (((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) + ((a & b1) ^ (a & c) ^ (b1 & c));
            w9 += (((w7 >>> 17) | (w7 << 15)) ^ ((w7 >>> 19) | (w7 << 13)) ^ (w7 >>> 10)) + w2 + (((w10 >>> 7) | (w10 << 25)) ^ ((w10 >>> 18) | (w10 << 14)) ^ (w10 >>> 3));
            g += (((d >>> 6) | (d << 26)) ^ ((d >>> 11) | (d << 21)) ^ ((d >>> 25) | (d << 7))) + ((d & e) ^ (~d & f)) + K[k + 9] + w9;
            c += g;
            g += (((h >>> 2) | (h << 30)) ^ ((h >>> 13) | (h << 19)) ^ ((h >>> 22) | (h << 10))) + ((h & a) ^ (h & b1) ^ (a & b1));
            w10 += (((w8 >>> 17) | (w8 << 15)) ^ ((w8 >>> 19) | (w8 << 13)) ^ (w8 >>> 10)) + w3 + (((w11 >>> 7) | (w11 << 25)) ^ ((w11 >>> 18) | (w11 << 14)) ^ (w11 >>> 3));
            f += (((c >>> 6) | (c << 26)) ^ ((c >>> 11) | (c << 21)) ^ ((c >>> 25) | (c << 7))) + ((c & d) ^ (~c & e)) + K[k + 10] + w10;
            b1 += f;
            f += (((g >>> 2) | (g << 30)) ^ ((g >>> 13) | (g << 19)) ^ ((g >>> 22) | (g << 10))) + ((g & h) ^ (g & a) ^ (h & a));
            w11 += (((w9 >>> 17) | (w9 << 15)) ^ ((w9 >>> 19) | (w9 << 13)) ^ (w9 >>> 10)) + w4 + (((w12 >>> 7) | (w12 << 25)) ^ ((w12 >>> 18) | (w12 << 14)) ^ (w12 >>> 3));
            e += (((b1 >>> 6) | (b1 << 26)) ^ ((b1 >>> 11) | (b1 << 21)) ^ ((b1 >>> 25) | (b1 << 7))) + ((b1 & c) ^ (~b1 & d)) + K[k + 11] + w11;
            a += e;
            e += (((f >>> 2) | (f << 30)) ^ ((f >>> 13) | (f << 19)) ^ ((f >>> 22) | (f << 10))) + ((f & g) ^ (f & h) ^ (g & h));
            w12 += (((w10 >>> 17) | (w10 << 15)) ^ ((w10 >>> 19) | (w10 << 13)) ^ (w10 >>> 10)) + w5 + (((w13 >>> 7) | (w13 << 25)) ^ ((w13 >>> 18) | (w13 << 14)) ^ (w13 >>> 3));
            d += (((a >>> 6) | (a << 26)) ^ ((a >>> 11) | (a << 21)) ^ ((a >>> 25) | (a << 7))) + ((a & b1) ^ (~a & c)) + K[k + 12] + w12;
            h += d;
            d += (((e >>> 2) | (e << 30)) ^ ((e >>> 13) | (e << 19)) ^ ((e >>> 22) | (e << 10))) + ((e & f) ^ (e & g) ^ (f & g));
            w13 += (((w11 >>> 17) | (w11 << 15)) ^ ((w11 >>> 19) | (w11 << 13)) ^ (w11 >>> 10)) + w6 + (((w14 >>> 7) | (w14 << 25)) ^ ((w14 >>> 18) | (w14 << 14)) ^ (w14 >>> 3));
            c += (((h >>> 6) | (h << 26)) ^ ((h >>> 11) | (h << 21)) ^ ((h >>> 25) | (h << 7))) + ((h & a) ^ (~h & b1)) + K[k + 13] + w13;
            g += c;
            c += (((d >>> 2) | (d << 30)) ^ ((d >>> 13) | (d << 19)) ^ ((d >>> 22) | (d << 10))) + ((d & e) ^ (d & f) ^ (e & f));
            w14 += (((w12 >>> 17) | (w12 << 15)) ^ ((w12 >>> 19) | (w12 << 13)) ^ (w12 >>> 10)) + w7 + (((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3));
            b1 += (((g >>> 6) | (g << 26)) ^ ((g >>> 11) | (g << 21)) ^ ((g >>> 25) | (g << 7))) + ((g & h) ^ (~g & a)) + K[k + 14] + w14;
            f += b1;
            b1 += (((c >>> 2) | (c << 30)) ^ ((c >>> 13) | (c << 19)) ^ ((c >>> 22) | (c << 10))) + ((c & d) ^ (c & e) ^ (d & e));
            w15 += (((w13 >>> 17) | (w13 << 15)) ^ ((w13 >>> 19) | (w13 << 13)) ^ (w13 >>> 10)) + w8 + (((w0 >>> 7) | (w0 << 25)) ^ ((w0 >>> 18) | (w0 << 14)) ^ (w0 >>> 3));
            a += (((f >>> 6) | (f << 26)) ^ ((f >>> 11) | (f << 21)) ^ ((f >>> 25) | (f << 7))) + ((f & g) ^ (~f & h)) + K[k + 15] + w15;
            e += a;
            a += (((b1 >>> 2) | (b1 << 30)) ^ ((b1 >>> 13) | (b1 << 19)) ^ ((b1 >>> 22) | (b1 << 10))) + ((b1 & c) ^ (b1 & d) ^ (c & d));
        }
        h0 += a;
        h1 += b1;
        h2 += c;
        h3 += d;
        h4 += e;
        h5 += f;
        h6 += g;
        h7 += h;
    }
}
