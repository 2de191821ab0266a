package io.shmarray.internal;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/** Segment names: generation and validation (the native side checks them again). */
public final class Names {

    /** Prefix of every generated name; also how leftovers of shmarray are recognised. */
    public static final String PREFIX = "shmarray-";

    /** Longest name Linux accepts (NAME_MAX), in UTF-8 bytes, without the leading '/'. */
    public static final int MAX_BYTES = 255;

    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Names() {}

    /**
     * A fresh unpredictable name: {@code shmarray-} and 16 base-32 characters (80 random bits),
     * 25 characters in all, within macOS's 31-character limit.
     */
    public static String generate() {
        byte[] r = new byte[10]; // 80 random bits, 5 per character of a 32-letter alphabet: one draw
        RANDOM.nextBytes(r);
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 5; i++) {
            hi = (hi << 8) | (r[i] & 0xFF);
            lo = (lo << 8) | (r[i + 5] & 0xFF);
        }
        StringBuilder sb = new StringBuilder(PREFIX);
        for (int i = 0; i < 8; i++) sb.append(ALPHABET[(int) (hi >>> (5 * i)) & 31]);
        for (int i = 0; i < 8; i++) sb.append(ALPHABET[(int) (lo >>> (5 * i)) & 31]);
        return sb.toString();
    }

    /**
     * Validates a user-supplied name and returns it without a leading '/'.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static String check(String name) {
        if (name == null) throw new IllegalArgumentException("name is null");
        String n = name.startsWith("/") ? name.substring(1) : name;
        if (n.isEmpty()) throw new IllegalArgumentException("name='" + name + "' is empty");
        if (n.indexOf('/') >= 0) throw new IllegalArgumentException("name='" + name + "' holds a '/' after its start");
        if (n.indexOf('\0') >= 0) throw new IllegalArgumentException("name holds a NUL character");
        if (n.equals(".") || n.equals("..")) throw new IllegalArgumentException("name='" + name + "' is reserved");
        int bytes = n.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            throw new IllegalArgumentException("name is " + bytes + " bytes long, must be <= " + MAX_BYTES);
        }
        return n;
    }
}
