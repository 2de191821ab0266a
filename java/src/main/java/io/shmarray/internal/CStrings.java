package io.shmarray.internal;

import java.nio.charset.StandardCharsets;

/** NUL-terminated UTF-8 encoding of names, shared by both backends so they behave alike. */
final class CStrings {
    private CStrings() {}

    /**
     * The UTF-8 bytes of {@code s} followed by a NUL, or {@code null} when {@code s} is null or
     * holds a NUL itself (C would silently cut the name there; callers report {@code -EINVAL}).
     */
    static byte[] encode(String s) {
        if (s == null || s.indexOf('\0') >= 0) return null;
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[utf8.length + 1];
        System.arraycopy(utf8, 0, out, 0, utf8.length);
        return out;
    }

    static void checkHeaderBuffer(byte[] headerOut) {
        if (headerOut == null || headerOut.length < SegmentHeaderDescriptor.HEADER_SIZE) {
            throw new IllegalArgumentException("header buffer must hold " + SegmentHeaderDescriptor.HEADER_SIZE + " bytes");
        }
    }
}
