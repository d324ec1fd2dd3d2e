package dev.npc.digest;

import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class HmacSha256Test {
    /** RFC 4231's test cases 1, 2, 6 and 7 (short key, text key, key longer than a block with a short and a long text). */
    @Test
    void rfc4231Examples() {
        assertEquals("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
                hex(HmacSha256.mac(bytes("0b".repeat(20)), "Hi There".getBytes(StandardCharsets.US_ASCII))));
        assertEquals("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                hex(HmacSha256.mac("Jefe".getBytes(StandardCharsets.US_ASCII),
                        "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII))));
        assertEquals("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
                hex(HmacSha256.mac(bytes("aa".repeat(131)),
                        "Test Using Larger Than Block-Size Key - Hash Key First".getBytes(StandardCharsets.US_ASCII))));
        assertEquals("9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
                hex(HmacSha256.mac(bytes("aa".repeat(131)), ("This is a test using a larger than block-size key and a larger"
                        + " than block-size data. The key needs to be hashed before being used by the HMAC algorithm.")
                        .getBytes(StandardCharsets.US_ASCII))));
    }

    @Test
    void sameAsTheJdksMacForKeysAndMessagesOfEveryLengthAroundABlock() throws Exception {
        Random random = new Random(42);
        for (int keyLength : new int[] {0, 1, 32, 63, 64, 65, 200}) {
            for (int messageLength : new int[] {0, 1, 55, 56, 63, 64, 65, 119, 1000}) {
                byte[] key = new byte[keyLength];
                byte[] message = new byte[messageLength];
                random.nextBytes(key);
                random.nextBytes(message);
                Mac mac = Mac.getInstance("HmacSHA256");
                // The JDK refuses an empty key; HMAC itself pads it with zeros like any short key.
                mac.init(new SecretKeySpec(keyLength == 0 ? new byte[64] : key, "HmacSHA256"));
                assertArrayEquals(mac.doFinal(message), HmacSha256.mac(key, message), keyLength + "/" + messageLength);
            }
        }
    }

    private static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
