package io.shmarray.internal;

import io.shmarray.ProtocolException;

import java.io.ObjectInputFilter;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;

/**
 * The compact encoding of the values most tasks, chunks, results and queue items are made of —
 * {@code null}, boxed primitives, {@code String}, primitive arrays, and {@code ArrayList}s of
 * these — written field by field instead of through {@link java.io.ObjectOutputStream} (no
 * class descriptors, no handle table, no reflection). Anything else, or a graph in which one
 * array appears twice (Java serialization would keep it one object), is left to Java
 * serialization: {@link #encode} then returns null.
 *
 * <p>Decoding keeps the limits and the filter of {@link Serialization}: every length is checked against
 * the bytes left before anything is allocated, lists nest at most {@value Serialization#MAX_DEPTH} deep
 * and hold at most {@value Serialization#MAX_REFS} values, and the same {@link ObjectInputFilter} decides
 * on each class (once per class and per array length) — a pattern that rejects
 * {@code java.lang.String} rejects it here too.
 *
 * <p>Format: {@link #MAGIC}, then one value: a tag byte and its data (big-endian). A Java
 * serialization stream starts with {@code 0xACED}, so the first byte tells the two apart.
 */
public final class CompactValues {

    /** First byte of a compact encoding (never the first byte of a Java serialization stream). */
    public static final byte MAGIC = 0x53;

    private static final byte NULL = 0, INT = 1, LONG = 2, DOUBLE = 3, FLOAT = 4, SHORT = 5, BYTE = 6, CHAR = 7,
            TRUE = 8, FALSE = 9, LATIN1 = 10, UTF16 = 11, INTS = 12, LONGS = 13, DOUBLES = 14, FLOATS = 15,
            BYTES = 16, SHORTS = 17, CHARS = 18, BOOLEANS = 19, LIST = 20,
            /* an ArrayList whose elements are all Integer (Long, Double): the values only, no tag each */
            INT_LIST = 21, LONG_LIST = 22, DOUBLE_LIST = 23;

    private CompactValues() {}

    /** Whether {@code b[off]} starts a compact encoding. */
    public static boolean isCompact(byte[] b, int off, int len) {
        return len > 0 && b[off] == MAGIC;
    }

    /** The compact encoding of {@code o}, or null when it needs Java serialization. */
    public static byte[] encode(Object o) {
        Sizer s = new Sizer();
        long size = s.size(o, 0);
        if (size < 0 || size > Serialization.MAX_FRAME_BYTES) return null;
        ByteBuffer out = ByteBuffer.allocate((int) size + 1);
        out.put(MAGIC);
        write(out, o);
        return out.array();
    }

    /** Sizes a value, or -1 when it is not compactable. */
    private static final class Sizer {
        IdentityHashMap<Object, Boolean> arrays;
        long values;

        long size(Object o, int depth) {
            if (++values > Serialization.MAX_REFS || depth > Serialization.MAX_DEPTH) return -1;
            if (o == null) return 1;
            Class<?> c = o.getClass();
            if (c == Integer.class || c == Float.class) return 5;
            if (c == Long.class || c == Double.class) return 9;
            if (c == Boolean.class) return 1;
            if (c == Short.class || c == Character.class) return 3;
            if (c == Byte.class) return 2;
            if (c == String.class) {
                String s = (String) o;
                return 5L + (latin1(s) ? s.length() : 2L * s.length());
            }
            if (c == ArrayList.class) {
                List<?> l = (List<?>) o;
                int bytes = uniformBytes(l);
                if (bytes > 0) {
                    values += l.size();
                    if (values > Serialization.MAX_REFS || depth + 1 > Serialization.MAX_DEPTH) return -1;
                    return 5L + (long) bytes * l.size();
                }
                long n = 5;
                for (Object e : l) {
                    long k = size(e, depth + 1);
                    if (k < 0) return -1;
                    n += k;
                }
                return n;
            }
            if (!c.isArray() || !c.getComponentType().isPrimitive()) return -1;
            if (arrays == null) arrays = new IdentityHashMap<>();
            if (arrays.put(o, Boolean.TRUE) != null) return -1; // shared: Java serialization keeps it one
            return 5L + (long) java.lang.reflect.Array.getLength(o) * elementBytes(c.getComponentType());
        }
    }

    /**
     * 4 when {@code l} is not empty and holds only Integers, 8 for only Longs or only Doubles
     * (written as {@link #INT_LIST}, {@link #LONG_LIST}, {@link #DOUBLE_LIST}), else 0.
     */
    private static int uniformBytes(List<?> l) {
        if (l.isEmpty()) return 0;
        Object first = l.get(0);
        Class<?> c = first == null ? null : first.getClass();
        if (c != Integer.class && c != Long.class && c != Double.class) return 0;
        for (int i = 1, n = l.size(); i < n; i++) {
            Object e = l.get(i);
            if (e == null || e.getClass() != c) return 0;
        }
        return c == Integer.class ? 4 : 8;
    }

    private static int elementBytes(Class<?> c) {
        if (c == long.class || c == double.class) return 8;
        if (c == int.class || c == float.class) return 4;
        if (c == short.class || c == char.class) return 2;
        return 1;
    }

    private static boolean latin1(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xFF) return false;
        }
        return true;
    }

    private static void write(ByteBuffer out, Object o) {
        if (o == null) {
            out.put(NULL);
            return;
        }
        Class<?> c = o.getClass();
        if (c == Integer.class) {
            out.put(INT).putInt((Integer) o);
        } else if (c == Long.class) {
            out.put(LONG).putLong((Long) o);
        } else if (c == Double.class) {
            out.put(DOUBLE).putLong(Double.doubleToRawLongBits((Double) o));
        } else if (c == Float.class) {
            out.put(FLOAT).putInt(Float.floatToRawIntBits((Float) o));
        } else if (c == Boolean.class) {
            out.put((Boolean) o ? TRUE : FALSE);
        } else if (c == Short.class) {
            out.put(SHORT).putShort((Short) o);
        } else if (c == Character.class) {
            out.put(CHAR).putChar((Character) o);
        } else if (c == Byte.class) {
            out.put(BYTE).put((Byte) o);
        } else if (c == String.class) {
            String s = (String) o;
            if (latin1(s)) {
                out.put(LATIN1).putInt(s.length());
                for (int i = 0; i < s.length(); i++) out.put((byte) s.charAt(i));
            } else {
                out.put(UTF16).putInt(s.length());
                for (int i = 0; i < s.length(); i++) out.putChar(s.charAt(i));
            }
        } else if (c == ArrayList.class) {
            List<?> l = (List<?>) o;
            int n = l.size();
            if (uniformBytes(l) > 0) {
                Class<?> e = l.get(0).getClass();
                if (e == Integer.class) {
                    out.put(INT_LIST).putInt(n);
                    for (int i = 0; i < n; i++) out.putInt((Integer) l.get(i));
                } else if (e == Long.class) {
                    out.put(LONG_LIST).putInt(n);
                    for (int i = 0; i < n; i++) out.putLong((Long) l.get(i));
                } else {
                    out.put(DOUBLE_LIST).putInt(n);
                    for (int i = 0; i < n; i++) out.putLong(Double.doubleToRawLongBits((Double) l.get(i)));
                }
                return;
            }
            out.put(LIST).putInt(n);
            for (Object e : l) write(out, e);
        } else if (c == int[].class) {
            int[] a = (int[]) o;
            out.put(INTS).putInt(a.length);
            out.asIntBuffer().put(a);
            out.position(out.position() + 4 * a.length);
        } else if (c == long[].class) {
            long[] a = (long[]) o;
            out.put(LONGS).putInt(a.length);
            out.asLongBuffer().put(a);
            out.position(out.position() + 8 * a.length);
        } else if (c == double[].class) {
            double[] a = (double[]) o;
            out.put(DOUBLES).putInt(a.length);
            out.asDoubleBuffer().put(a);
            out.position(out.position() + 8 * a.length);
        } else if (c == float[].class) {
            float[] a = (float[]) o;
            out.put(FLOATS).putInt(a.length);
            out.asFloatBuffer().put(a);
            out.position(out.position() + 4 * a.length);
        } else if (c == short[].class) {
            short[] a = (short[]) o;
            out.put(SHORTS).putInt(a.length);
            out.asShortBuffer().put(a);
            out.position(out.position() + 2 * a.length);
        } else if (c == char[].class) {
            char[] a = (char[]) o;
            out.put(CHARS).putInt(a.length);
            out.asCharBuffer().put(a);
            out.position(out.position() + 2 * a.length);
        } else if (c == byte[].class) {
            byte[] a = (byte[]) o;
            out.put(BYTES).putInt(a.length).put(a);
        } else if (c == boolean[].class) {
            boolean[] a = (boolean[]) o;
            out.put(BOOLEANS).putInt(a.length);
            for (boolean v : a) out.put((byte) (v ? 1 : 0));
        } else {
            throw new IllegalStateException("not compact: " + c.getName()); // sized first: not reached
        }
    }

    /**
     * Decodes {@code len} bytes from {@code off} (starting with {@link #MAGIC}) under
     * {@code filter}; a malformed encoding, an exceeded limit or a rejected class is a
     * {@link ProtocolException}.
     */
    public static Object decode(byte[] b, int off, int len, ObjectInputFilter filter) {
        Reader r = new Reader(ByteBuffer.wrap(b, off, len), filter);
        if (r.in.get() != MAGIC) throw new ProtocolException("not a compact encoding");
        try {
            Object o = r.read(1);
            if (r.in.hasRemaining()) throw new ProtocolException("compact encoding: " + r.in.remaining() + " bytes after the value");
            return o;
        } catch (java.nio.BufferUnderflowException e) {
            throw new ProtocolException("compact encoding: truncated");
        }
    }

    private static final class Reader implements ObjectInputFilter.FilterInfo {
        final ByteBuffer in;
        final int start;
        final ObjectInputFilter filter;
        /** Classes the filter allowed in this value (beyond arrays, whose lengths it sees each time). */
        final java.util.Set<Class<?>> allowed = new java.util.HashSet<>();
        long refs;
        long depth;
        Class<?> serialClass;
        long arrayLength;

        Reader(ByteBuffer in, ObjectInputFilter filter) {
            this.in = in;
            this.start = in.position();
            this.filter = filter;
        }

        private void check(Class<?> c, long length, long d) {
            if (++refs > Serialization.MAX_REFS || d > Serialization.MAX_DEPTH) {
                throw new ProtocolException("the codec's filter rejected a class or a limit: more than "
                        + Serialization.MAX_REFS + " values or deeper than " + Serialization.MAX_DEPTH);
            }
            if (length < 0 && allowed.contains(c)) return;
            serialClass = c;
            arrayLength = length;
            depth = d;
            if (filter != null && filter.checkInput(this) == ObjectInputFilter.Status.REJECTED) {
                throw new ProtocolException("the codec's filter rejected a class or a limit: " + c.getName()
                        + (length >= 0 ? " of length " + length : ""));
            }
            if (length < 0) allowed.add(c);
        }

        private int length(int elementBytes) {
            int n = in.getInt();
            if (n < 0 || (long) n * elementBytes > in.remaining()) {
                throw new ProtocolException("compact encoding: length " + n + " exceeds the " + in.remaining()
                        + " bytes left");
            }
            return n;
        }

        Object read(long d) {
            byte tag = in.get();
            switch (tag) {
                case NULL: return null;
                case INT: check(Integer.class, -1, d); return in.getInt();
                case LONG: check(Long.class, -1, d); return in.getLong();
                case DOUBLE: check(Double.class, -1, d); return Double.longBitsToDouble(in.getLong());
                case FLOAT: check(Float.class, -1, d); return Float.intBitsToFloat(in.getInt());
                case SHORT: check(Short.class, -1, d); return in.getShort();
                case CHAR: check(Character.class, -1, d); return in.getChar();
                case BYTE: check(Byte.class, -1, d); return in.get();
                case TRUE: check(Boolean.class, -1, d); return Boolean.TRUE;
                case FALSE: check(Boolean.class, -1, d); return Boolean.FALSE;
                case LATIN1: {
                    check(String.class, -1, d);
                    int n = length(1);
                    String s = new String(in.array(), in.arrayOffset() + in.position(), n,
                            java.nio.charset.StandardCharsets.ISO_8859_1);
                    in.position(in.position() + n);
                    return s;
                }
                case UTF16: {
                    check(String.class, -1, d);
                    char[] cs = new char[length(2)];
                    in.asCharBuffer().get(cs);
                    in.position(in.position() + 2 * cs.length);
                    return new String(cs);
                }
                case LIST: {
                    check(ArrayList.class, -1, d);
                    int n = length(1);
                    check(Object[].class, n, d); // as ArrayList.readObject shows its array to the filter
                    ArrayList<Object> l = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) l.add(read(d + 1));
                    return l;
                }
                case INT_LIST: {
                    int n = uniformList(Integer.class, 4, d);
                    ArrayList<Object> l = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) l.add(in.getInt());
                    return l;
                }
                case LONG_LIST: {
                    int n = uniformList(Long.class, 8, d);
                    ArrayList<Object> l = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) l.add(in.getLong());
                    return l;
                }
                case DOUBLE_LIST: {
                    int n = uniformList(Double.class, 8, d);
                    ArrayList<Object> l = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) l.add(Double.longBitsToDouble(in.getLong()));
                    return l;
                }
                case INTS: {
                    int n = peekLength(int[].class, 4, d);
                    int[] a = new int[n];
                    in.asIntBuffer().get(a);
                    in.position(in.position() + 4 * n);
                    return a;
                }
                case LONGS: {
                    int n = peekLength(long[].class, 8, d);
                    long[] a = new long[n];
                    in.asLongBuffer().get(a);
                    in.position(in.position() + 8 * n);
                    return a;
                }
                case DOUBLES: {
                    int n = peekLength(double[].class, 8, d);
                    double[] a = new double[n];
                    in.asDoubleBuffer().get(a);
                    in.position(in.position() + 8 * n);
                    return a;
                }
                case FLOATS: {
                    int n = peekLength(float[].class, 4, d);
                    float[] a = new float[n];
                    in.asFloatBuffer().get(a);
                    in.position(in.position() + 4 * n);
                    return a;
                }
                case SHORTS: {
                    int n = peekLength(short[].class, 2, d);
                    short[] a = new short[n];
                    in.asShortBuffer().get(a);
                    in.position(in.position() + 2 * n);
                    return a;
                }
                case CHARS: {
                    int n = peekLength(char[].class, 2, d);
                    char[] a = new char[n];
                    in.asCharBuffer().get(a);
                    in.position(in.position() + 2 * n);
                    return a;
                }
                case BYTES: {
                    byte[] a = new byte[peekLength(byte[].class, 1, d)];
                    in.get(a);
                    return a;
                }
                case BOOLEANS: {
                    boolean[] a = new boolean[peekLength(boolean[].class, 1, d)];
                    for (int i = 0; i < a.length; i++) a[i] = in.get() != 0;
                    return a;
                }
                default:
                    throw new ProtocolException("compact encoding: unknown tag " + tag);
            }
        }

        /**
         * The length of a list of {@code n} values of {@code element}: shown to the filter as an
         * {@link #LIST} of them would be (the list, its array, the element class once), the values
         * counted against the limit one by one, all before anything is allocated.
         */
        private int uniformList(Class<?> element, int elementBytes, long d) {
            check(ArrayList.class, -1, d);
            int n = length(elementBytes);
            if (n == 0) throw new ProtocolException("compact encoding: an empty uniform list");
            check(Object[].class, n, d);
            refs += n - 1; // the first counts in the check below
            check(element, -1, d + 1);
            return n;
        }

        /** An array's length, checked against the bytes left and shown to the filter first. */
        private int peekLength(Class<?> arrayClass, int elementBytes, long d) {
            int n = length(elementBytes);
            check(arrayClass, n, d);
            return n;
        }

        @Override
        public Class<?> serialClass() {
            return serialClass;
        }

        @Override
        public long arrayLength() {
            return arrayLength;
        }

        @Override
        public long depth() {
            return depth;
        }

        @Override
        public long references() {
            return refs;
        }

        @Override
        public long streamBytes() {
            return in.position() - start;
        }
    }
}
