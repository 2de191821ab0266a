package io.shmarray.runtime;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * HMAC-SHA256 (RFC 2104 over FIPS 180-4 SHA-256), random bytes from the kernel, and a
 * constant-time comparison: what the channel's authentication needs, without the JCA provider
 * framework. {@code Mac.getInstance("HmacSHA256")} and {@code new SecureRandom()} cost a fresh JVM
 * 30-70 ms of provider set-up, on every worker's path to its first result; this costs
 * microseconds. Checked against {@code javax.crypto.Mac} and the published test vectors.
 */
final class Hmac {

    private Hmac() {}

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

    /** SHA-256 of the concatenation of {@code parts}. */
    static byte[] sha256(byte[]... parts) {
        long total = 0;
        for (byte[] p : parts) total += p.length;
        int[] h = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
        byte[] block = new byte[64];
        int[] w = new int[64];
        int fill = 0;
        for (byte[] p : parts) {
            for (byte b : p) {
                block[fill++] = b;
                if (fill == 64) {
                    compress(h, block, w);
                    fill = 0;
                }
            }
        }
        block[fill++] = (byte) 0x80;
        if (fill > 56) {
            java.util.Arrays.fill(block, fill, 64, (byte) 0);
            compress(h, block, w);
            fill = 0;
        }
        java.util.Arrays.fill(block, fill, 56, (byte) 0);
        long bits = total * 8;
        for (int i = 0; i < 8; i++) block[56 + i] = (byte) (bits >>> (56 - 8 * i));
        compress(h, block, w);
        byte[] out = new byte[32];
        for (int i = 0; i < 8; i++) {
            out[4 * i] = (byte) (h[i] >>> 24);
            out[4 * i + 1] = (byte) (h[i] >>> 16);
            out[4 * i + 2] = (byte) (h[i] >>> 8);
            out[4 * i + 3] = (byte) h[i];
        }
        return out;
    }

    private static void compress(int[] h, byte[] block, int[] w) {
        for (int i = 0; i < 16; i++) {
            w[i] = (block[4 * i] & 0xff) << 24 | (block[4 * i + 1] & 0xff) << 16 | (block[4 * i + 2] & 0xff) << 8
                    | (block[4 * i + 3] & 0xff);
        }
        for (int i = 16; i < 64; i++) {
            int s0 = Integer.rotateRight(w[i - 15], 7) ^ Integer.rotateRight(w[i - 15], 18) ^ (w[i - 15] >>> 3);
            int s1 = Integer.rotateRight(w[i - 2], 17) ^ Integer.rotateRight(w[i - 2], 19) ^ (w[i - 2] >>> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        int a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
        for (int i = 0; i < 64; i++) {
            int s1 = Integer.rotateRight(e, 6) ^ Integer.rotateRight(e, 11) ^ Integer.rotateRight(e, 25);
            int ch = (e & f) ^ (~e & g);
            int t1 = hh + s1 + ch + K[i] + w[i];
            int s0 = Integer.rotateRight(a, 2) ^ Integer.rotateRight(a, 13) ^ Integer.rotateRight(a, 22);
            int maj = (a & b) ^ (a & c) ^ (b & c);
            int t2 = s0 + maj;
            hh = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
        h[4] += e;
        h[5] += f;
        h[6] += g;
        h[7] += hh;
    }

    /** HMAC-SHA256 of the concatenation of {@code message} under {@code key}. */
    static byte[] hmacSha256(byte[] key, byte[]... message) {
        byte[] k = key.length > 64 ? sha256(key) : key;
        byte[] ipad = new byte[64];
        byte[] opad = new byte[64];
        for (int i = 0; i < 64; i++) {
            byte b = i < k.length ? k[i] : 0;
            ipad[i] = (byte) (b ^ 0x36);
            opad[i] = (byte) (b ^ 0x5c);
        }
        byte[][] inner = new byte[message.length + 1][];
        inner[0] = ipad;
        System.arraycopy(message, 0, inner, 1, message.length);
        return sha256(opad, sha256(inner));
    }

    /** Whether {@code a} and {@code b} are equal, in time that depends only on their lengths. */
    static boolean equalsConstantTime(byte[] a, byte[] b) {
        if (a.length != b.length) return false;
        int diff = 0;
        for (int i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
        return diff == 0;
    }

    /**
     * {@code n} bytes from the kernel's random source ({@code /dev/urandom}, as
     * {@code SecureRandom}'s NativePRNG reads it); {@code SecureRandom} where it cannot be read.
     */
    static byte[] randomBytes(int n) {
        byte[] out = new byte[n];
        try (InputStream in = new FileInputStream("/dev/urandom")) {
            int off = 0;
            while (off < n) {
                int r = in.read(out, off, n - off);
                if (r < 0) throw new IOException("end of /dev/urandom");
                off += r;
            }
            return out;
        } catch (IOException | SecurityException e) {
            new java.security.SecureRandom().nextBytes(out);
            return out;
        }
    }
}
