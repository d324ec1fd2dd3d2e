package dev.npc.digest;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** npc's own SHA-256 gives the NIST examples' digests and, for any input fed in any pieces, the JDK's. */
class Sha256DigestTest {
    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    private static String ours(String text) {
        return Sha256Digest.hex(text.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void nistExamples() {
        // FIPS 180-4 examples (csrc.nist.gov, SHA256.pdf and SHA2_Additional.pdf)
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", ours(""));
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ours("abc"));
        assertEquals("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
                ours("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"));
        assertEquals("cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
                ours("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
                        + "mnopqrstnopqrstu"));
        byte[] million = new byte[1_000_000];
        Arrays.fill(million, (byte) 'a');
        assertEquals("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", Sha256Digest.hex(million));
        assertEquals("68325720aabd7c82f30f554b313d0570c95accbb7dc4b5aae11204c08ffe732b", Sha256Digest.hex(new byte[] {(byte) 0xbd}));
        assertEquals("7abc22c0ae5af26ce93dbb94433a0e0b2e119d014f8e7f65bd56c61ccccd9504",
                Sha256Digest.hex(new byte[] {(byte) 0xc9, (byte) 0x8c, (byte) 0x8e, 0x55}));
        assertEquals("02779466cdec163811d078815c633f21901413081449002f24aa3e80f0b88ef7", Sha256Digest.hex(new byte[55]));
        assertEquals("d4817aa5497628e7c77e6b606107042bbba3130888c5f47a375e6179be789fbb", Sha256Digest.hex(new byte[56]));
        assertEquals("65a16cb7861335d5ace3c60718b5052e44660726da4cd13bb745381b235a1785", Sha256Digest.hex(new byte[57]));
        assertEquals("f5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a92759fb4b", Sha256Digest.hex(new byte[64]));
        assertEquals("541b3e9daa09b20bf85fa273e5cbd3e80185aa4ec298e765db87742b70138a53", Sha256Digest.hex(new byte[1000]));
    }

    /** Every length across several blocks, each fed whole, byte by byte and in random pieces. */
    @Test
    void sameAsTheJdkForEveryLengthAndSplit() throws Exception {
        Random random = new Random(11);
        for (int length = 0; length <= 1100; length++) {
            byte[] input = new byte[length];
            random.nextBytes(input);
            byte[] expected = MessageDigest.getInstance("SHA-256").digest(input);

            assertArrayEquals(expected, new Sha256Digest().digest(input), "whole, length " + length);

            Sha256Digest single = new Sha256Digest();
            for (byte b : input) {
                single.update(b);
            }
            assertArrayEquals(expected, single.digest(), "byte by byte, length " + length);

            Sha256Digest pieces = new Sha256Digest();
            for (int off = 0; off < length; ) {
                int n = Math.min(length - off, random.nextInt(150));
                pieces.update(input, off, n);
                off += n;
            }
            assertArrayEquals(expected, pieces.digest(), "in pieces, length " + length);
        }
    }

    @Test
    void largeInputsAtOffsets() throws Exception {
        Random random = new Random(7);
        for (int i = 0; i < 20; i++) {
            byte[] input = new byte[1 + random.nextInt(3 << 20)];
            random.nextBytes(input);
            int off = random.nextInt(100);
            int len = input.length - off - random.nextInt(Math.max(1, input.length - off));
            MessageDigest jdk = MessageDigest.getInstance("SHA-256");
            jdk.update(input, off, len);
            Sha256Digest digest = new Sha256Digest();
            digest.update(input, off, len);
            assertEquals(hex(jdk.digest()), hex(digest.digest()), "length " + len + " at " + off);
        }
    }

    @Test
    void resetsAfterDigestAndClonesMidway() throws Exception {
        Sha256Digest digest = new Sha256Digest();
        digest.update("ab".getBytes(StandardCharsets.US_ASCII));
        Sha256Digest copy = (Sha256Digest) digest.clone();
        digest.update((byte) 'c');
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", hex(digest.digest()));
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", hex(digest.digest()));
        copy.update((byte) 'c');
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", hex(copy.digest()));
        assertEquals(32, digest.getDigestLength());
        assertEquals("SHA-256", digest.getAlgorithm());
    }

    @Test
    void refusesARangeOutsideTheArray() {
        Sha256Digest digest = new Sha256Digest();
        assertThrows(RuntimeException.class, () -> digest.update(new byte[10], 5, 6));
        assertThrows(RuntimeException.class, () -> digest.update(new byte[10], -1, 2));
    }
}
