package io.shmarray.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shmarray.ProtocolException;
import io.shmarray.internal.CompactValues;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The compact value encoding (results, chunks, queue items): every type it covers round-trips
 * exactly, everything else is left to Java serialization, and decoding keeps the codec's limits
 * and filter — a forged length allocates nothing, a pattern that rejects a class rejects it here.
 */
class CompactValuesTest {

    static Object roundTrip(Object o) throws Exception {
        return Codec.decodeValue(Codec.encodeValue(o, "value"), 1 << 24);
    }

    @Test
    void everyCoveredTypeRoundTripsExactlyAndCompactly() throws Exception {
        List<Object> values = new ArrayList<>(Arrays.asList(null, 1, -7L, 2.5, Double.NaN, -0.0, 1.5f, (short) 3,
                (byte) -4, 'x', true, false, "", "latin1 é", "utf16 \u20ac \ud83d\ude00", "\ud800 lone surrogate",
                Integer.MIN_VALUE, Long.MAX_VALUE));
        for (Object v : values) {
            byte[] b = Codec.encodeValue(v, "value");
            assertEquals(CompactValues.MAGIC, b[0], "compact: " + v);
            Object back = roundTrip(v);
            assertEquals(v, back);
            if (v != null) assertEquals(v.getClass(), back.getClass());
        }
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits((Double) roundTrip(-0.0)));
        ArrayList<Object> nested = new ArrayList<>(values);
        nested.add(new ArrayList<>(List.of(1, new ArrayList<>(List.of("deep")))));
        assertEquals(nested, roundTrip(nested));

        assertArrayEquals(new int[] {1, -2, 3}, (int[]) roundTrip(new int[] {1, -2, 3}));
        assertArrayEquals(new long[] {Long.MIN_VALUE, 5}, (long[]) roundTrip(new long[] {Long.MIN_VALUE, 5}));
        assertArrayEquals(new double[] {1.5, Double.NaN}, (double[]) roundTrip(new double[] {1.5, Double.NaN}));
        assertArrayEquals(new float[] {2.5f}, (float[]) roundTrip(new float[] {2.5f}));
        assertArrayEquals(new short[] {7, -8}, (short[]) roundTrip(new short[] {7, -8}));
        assertArrayEquals(new char[] {'a', '\u20ac'}, (char[]) roundTrip(new char[] {'a', '\u20ac'}));
        assertArrayEquals(new byte[] {1, 2, -3}, (byte[]) roundTrip(new byte[] {1, 2, -3}));
        assertArrayEquals(new boolean[] {true, false}, (boolean[]) roundTrip(new boolean[] {true, false}));
        assertArrayEquals(new double[0], (double[]) roundTrip(new double[0]));

        ArrayList<Integer> chunk = new ArrayList<>();
        for (int i = 0; i < 1000; i++) chunk.add(i);
        byte[] compact = Codec.encodeValue(chunk, "chunk");
        byte[] java = Codec.encode(chunk, "chunk");
        assertTrue(compact.length < java.length, compact.length + " compact bytes vs " + java.length + " serialized");
    }

    /** Lists of only Integers, Longs or Doubles (a map's chunk, its results) go as their values, no tag each. */
    @Test
    void uniformListsRoundTripAsTheirValuesAndMixedOnesElementByElement() throws Exception {
        ArrayList<Integer> ints = new ArrayList<>(List.of(Integer.MIN_VALUE, -1, 0, 127, 128, Integer.MAX_VALUE));
        ArrayList<Long> longs = new ArrayList<>(List.of(Long.MIN_VALUE, 0L, Long.MAX_VALUE));
        ArrayList<Double> doubles = new ArrayList<>(List.of(-0.0, Double.NaN, Double.MIN_VALUE, 1e300));
        for (List<?> l : List.of(ints, longs, doubles)) {
            byte[] b = Codec.encodeValue(l, "chunk");
            int element = l.get(0) instanceof Integer ? 4 : 8;
            assertEquals(1 + 1 + 4 + element * l.size(), b.length, "magic, tag, length, values: " + l);
            @SuppressWarnings("unchecked")
            List<Object> back = (List<Object>) roundTrip(l);
            assertEquals(ArrayList.class, back.getClass());
            assertEquals(l.size(), back.size());
            for (int i = 0; i < l.size(); i++) {
                assertEquals(l.get(i).getClass(), back.get(i).getClass());
                assertEquals(l.get(i), back.get(i));
            }
        }
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits((Double) ((List<?>) roundTrip(doubles)).get(0)));
        // mixed, with a null, empty, nested: the general list encoding, same values back
        ArrayList<Object> mixed = new ArrayList<>(List.of(1, 2L));
        ArrayList<Object> withNull = new ArrayList<>(Arrays.asList(1, null, 3));
        ArrayList<Object> nested = new ArrayList<>(List.of(ints, longs));
        for (List<?> l : List.of(mixed, withNull, new ArrayList<>(), nested)) {
            assertEquals(l, roundTrip(l));
            assertEquals(ArrayList.class, roundTrip(l).getClass());
        }
        assertTrue(Codec.encodeValue(mixed, "v").length > 1 + 1 + 4 + 4 + 8, "mixed lists carry a tag per value");
    }

    @Test
    void uniformListsKeepTheLimitsAndTheFilter() throws Exception {
        // a forged length allocates nothing, an empty uniform list is refused, the count of values is limited
        byte[] forged = ByteBuffer.allocate(6).put(CompactValues.MAGIC).put((byte) 21).putInt(1 << 30).array();
        assertTrue(assertThrows(ProtocolException.class, () -> Codec.decodeValue(forged, 1 << 20)).getMessage()
                .contains("exceeds"));
        byte[] empty = ByteBuffer.allocate(6).put(CompactValues.MAGIC).put((byte) 22).putInt(0).array();
        assertThrows(ProtocolException.class, () -> Codec.decodeValue(empty, 1 << 20));
        int n = Codec.MAX_REFS + 1;
        ByteBuffer tooMany = ByteBuffer.allocate(6 + 4 * n).put(CompactValues.MAGIC).put((byte) 21).putInt(n);
        ProtocolException refs = assertThrows(ProtocolException.class, () -> Codec.decodeValue(tooMany.array(), Integer.MAX_VALUE - 8L));
        assertTrue(refs.getMessage().contains("values"), refs.getMessage());
        String old = System.getProperty(Codec.FILTER_PROPERTY);
        try {
            System.setProperty(Codec.FILTER_PROPERTY, "!java.lang.Long");
            assertThrows(ProtocolException.class, () -> roundTrip(new ArrayList<>(List.of(1L, 2L))), "the element class");
            System.setProperty(Codec.FILTER_PROPERTY, "maxarray=3");
            assertThrows(ProtocolException.class, () -> roundTrip(new ArrayList<>(List.of(1, 2, 3, 4))),
                    "the list's array, as ArrayList shows it to the filter");
            assertEquals(List.of(1, 2, 3), roundTrip(new ArrayList<>(List.of(1, 2, 3))));
        } finally {
            if (old == null) System.clearProperty(Codec.FILTER_PROPERTY);
            else System.setProperty(Codec.FILTER_PROPERTY, old);
        }
    }

    @Test
    void everythingElseIsLeftToJavaSerializationWithItsSemantics() throws Exception {
        assertNull(CompactValues.encode(new java.util.HashMap<>()), "not a covered type");
        assertNull(CompactValues.encode(List.of(1, 2)), "an immutable list keeps its own class");
        assertNull(CompactValues.encode(new ArrayList<>(List.of(1, new java.util.LinkedList<>()))), "one element");
        double[] shared = {1, 2};
        ArrayList<Object> twice = new ArrayList<>(List.of(shared, shared));
        assertNull(CompactValues.encode(twice), "an array twice stays one object only through Java serialization");
        @SuppressWarnings("unchecked")
        List<Object> back = (List<Object>) roundTrip(twice);
        assertSame(back.get(0), back.get(1));
        assertEquals(List.of(1, 2), roundTrip(List.of(1, 2)));
        assertEquals(List.of(1, 2).getClass(), roundTrip(List.of(1, 2)).getClass());
    }

    @Test
    void malformedAndForgedEncodingsAreProtocolErrorsThatAllocateNothing() throws Exception {
        byte[] forged = ByteBuffer.allocate(6).put(CompactValues.MAGIC).put((byte) 14).putInt(Integer.MAX_VALUE).array();
        ProtocolException e = assertThrows(ProtocolException.class, () -> Codec.decodeValue(forged, 1 << 20));
        assertTrue(e.getMessage().contains("exceeds"), e.getMessage());
        byte[] list = ByteBuffer.allocate(6).put(CompactValues.MAGIC).put((byte) 20).putInt(1 << 30).array();
        assertThrows(ProtocolException.class, () -> Codec.decodeValue(list, 1 << 20));
        byte[] negative = ByteBuffer.allocate(6).put(CompactValues.MAGIC).put((byte) 10).putInt(-1).array();
        assertThrows(ProtocolException.class, () -> Codec.decodeValue(negative, 1 << 20));
        assertThrows(ProtocolException.class, () -> Codec.decodeValue(new byte[] {CompactValues.MAGIC, 99}, 1 << 20));
        assertThrows(ProtocolException.class, () -> Codec.decodeValue(new byte[] {CompactValues.MAGIC, 1, 0}, 1 << 20));
        byte[] trailing = Arrays.copyOf(Codec.encodeValue(5, "v"), 7);
        assertThrows(ProtocolException.class, () -> Codec.decodeValue(trailing, 1 << 20));
        byte[] big = Codec.encodeValue(new byte[1000], "v");
        assertThrows(ProtocolException.class, () -> Codec.decodeValue(big, 100), "the stream limit");

        // nested deeper than the codec's depth limit
        ArrayList<Object> deep = new ArrayList<>();
        ArrayList<Object> cur = deep;
        for (int i = 0; i < Codec.MAX_DEPTH + 5; i++) {
            ArrayList<Object> next = new ArrayList<>();
            cur.add(next);
            cur = next;
        }
        assertNull(CompactValues.encode(deep), "too deep to encode compactly");
        ByteBuffer d = ByteBuffer.allocate(2 + 5 * (Codec.MAX_DEPTH + 5) + 1).put(CompactValues.MAGIC);
        for (int i = 0; i < Codec.MAX_DEPTH + 5; i++) d.put((byte) 20).putInt(1);
        d.put((byte) 0);
        assertThrows(ProtocolException.class, () -> Codec.decodeValue(Arrays.copyOf(d.array(), d.position()), 1 << 20));

        Random r = new Random(42); // fuzz: never anything but a value or a ProtocolException
        byte[] good = Codec.encodeValue(new ArrayList<>(List.of(1, "two", new double[] {3}, 4L)), "v");
        for (int i = 0; i < 20_000; i++) {
            byte[] b = good.clone();
            b[1 + r.nextInt(b.length - 1)] = (byte) r.nextInt(256);
            try {
                Codec.decodeValue(b, 1 << 20);
            } catch (ProtocolException expected) {
                // refused
            }
        }
    }

    @Test
    void theFilterDecidesOnCompactValuesAsOnSerializedOnes() throws Exception {
        String old = System.getProperty(Codec.FILTER_PROPERTY);
        try {
            System.setProperty(Codec.FILTER_PROPERTY, "!java.lang.String");
            ProtocolException e = assertThrows(ProtocolException.class, () -> roundTrip("no strings"));
            assertTrue(e.getMessage().contains("java.lang.String"), e.getMessage());
            assertThrows(ProtocolException.class, () -> roundTrip(new ArrayList<>(List.of(1, "x"))));
            assertEquals(7, roundTrip(7));
            System.setProperty(Codec.FILTER_PROPERTY, "maxarray=10");
            assertThrows(ProtocolException.class, () -> roundTrip(new int[11]), "the user's array limit");
            assertArrayEquals(new int[10], (int[]) roundTrip(new int[10]));
        } finally {
            if (old == null) System.clearProperty(Codec.FILTER_PROPERTY);
            else System.setProperty(Codec.FILTER_PROPERTY, old);
        }
    }
}
