package io.shmarray.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The channel's own SHA-256 and HMAC-SHA256 against FIPS/RFC vectors and the JDK's providers. */
class HmacTest {

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void sha256MatchesTheFipsVectors() {
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", hex(Hmac.sha256(new byte[0])));
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", hex(Hmac.sha256(ascii("abc"))));
        assertEquals("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
                hex(Hmac.sha256(ascii("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))));
        byte[] million = new byte[1_000_000];
        java.util.Arrays.fill(million, (byte) 'a');
        assertEquals("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", hex(Hmac.sha256(million)));
    }

    @Test
    void sha256AndHmacMatchTheJdkForEveryLengthAroundTheBlockBoundaries() throws Exception {
        SplittableRandom r = new SplittableRandom(42);
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (int len = 0; len < 300; len++) {
            byte[] m = new byte[len];
            r.nextBytes(m);
            assertArrayEquals(md.digest(m), Hmac.sha256(m), "length " + len);
            int split = len == 0 ? 0 : r.nextInt(len);
            assertArrayEquals(md.digest(m), Hmac.sha256(java.util.Arrays.copyOf(m, split),
                    java.util.Arrays.copyOfRange(m, split, len)), "in two parts, length " + len);
            byte[] key = new byte[r.nextInt(1, 150)]; // shorter and longer than a block
            r.nextBytes(key);
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            assertArrayEquals(mac.doFinal(m), Hmac.hmacSha256(key, m), "HMAC, key " + key.length + ", length " + len);
        }
    }

    @Test
    void hmacMatchesRfc4231() {
        byte[] key = new byte[20];
        java.util.Arrays.fill(key, (byte) 0x0b);
        assertEquals("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
                hex(Hmac.hmacSha256(key, ascii("Hi There"))));
        assertEquals("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                hex(Hmac.hmacSha256(ascii("Jefe"), ascii("what do ya want "), ascii("for nothing?"))));
        byte[] longKey = new byte[131];
        java.util.Arrays.fill(longKey, (byte) 0xaa);
        assertEquals("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
                hex(Hmac.hmacSha256(longKey, ascii("Test Using Larger Than Block-Size Key - Hash Key First"))));
    }

    @Test
    void comparisonAndRandomBytes() {
        assertTrue(Hmac.equalsConstantTime(new byte[] {1, 2}, new byte[] {1, 2}));
        assertFalse(Hmac.equalsConstantTime(new byte[] {1, 2}, new byte[] {1, 3}));
        assertFalse(Hmac.equalsConstantTime(new byte[] {1, 2}, new byte[] {1, 2, 0}));
        byte[] a = Hmac.randomBytes(32);
        byte[] b = Hmac.randomBytes(32);
        assertEquals(32, a.length);
        assertNotEquals(hex(a), hex(b), "two draws of 256 random bits collided");
    }
}
