package io.shmarray;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Geometry on its own: pure arithmetic, no memory. */
class GeometryTest {

    private static Geometry rowMajor(int elementSize, long... shape) {
        return Geometry.of(shape, Geometry.rowMajorStrides(shape), elementSize);
    }

    @Test
    void rowMajorIsContiguousAndFlatIndexIsThePosition() {
        Geometry g = rowMajor(8, 3, 4);
        assertTrue(g.contiguous());
        assertTrue(g instanceof Geometry.Contiguous);
        assertArrayEquals(new long[] {4, 1}, g.strides);
        assertEquals(12, g.length);
        assertEquals(7, g.element(7));
        assertEquals(1 * 4 + 3, g.elementAt(new long[] {1, 3}));
        assertEquals(96, g.extentBytes());
        assertArrayEquals(new long[] {32, 8}, g.byteStrides());
    }

    @Test
    void aColumnSliceIsStridedWithItsOwnPath() {
        Geometry g = rowMajor(4, 3, 4);
        Geometry cols = g.slice(1, 1, 3); // columns 1 and 2 of every row
        assertFalse(cols.contiguous());
        assertTrue(cols instanceof Geometry.Strided);
        assertEquals(4, g.sliceOffset(1, 1, 3), "starts one int in");
        assertArrayEquals(new long[] {3, 2}, cols.shape);
        // flat index 3 = [1, 1] of the view = element 1*4 + 1 from the view's first one
        assertEquals(5, cols.element(3));
        assertEquals(cols.element(3), cols.elementAt(new long[] {1, 1}));
        assertEquals((2 * 4 + 1 + 1) * 4, cols.extentBytes(), "first to end of last element");
    }

    @Test
    void aRowSliceStaysContiguous() {
        Geometry g = rowMajor(2, 10, 5);
        assertTrue(g.slice(0, 2, 4).contiguous());
        assertEquals(2 * 5 * 2, g.sliceOffset(0, 2, 4));
        assertEquals(0, g.sliceOffset(0, 4, 4), "an empty slice");
    }

    @Test
    void reshapeKeepsTheElements() {
        Geometry g = rowMajor(8, 6);
        Geometry r = g.reshape(new long[] {2, 3});
        assertArrayEquals(new long[] {3, 1}, r.strides);
        assertThrows(IllegalArgumentException.class, () -> g.reshape(new long[] {4, 2}));
        assertThrows(IllegalArgumentException.class, () -> g.reshape(new long[] {-2, -3}));
        assertThrows(UnsupportedOperationException.class, () -> rowMajor(8, 2, 3).slice(1, 0, 2).reshape(new long[] {4}));
    }

    @Test
    void badIndicesAndSlicesAreTypedErrors() {
        Geometry g = rowMajor(8, 3, 4);
        // contiguous: the position is the index; the memory, sliced to the elements, checks it once
        assertEquals(12, g.element(12));
        Geometry cols = g.slice(1, 0, 2);
        assertThrows(IndexOutOfBoundsException.class, () -> cols.element(6));
        assertThrows(IndexOutOfBoundsException.class, () -> cols.element(-1));
        assertThrows(IndexOutOfBoundsException.class, () -> cols.element(Long.MIN_VALUE));
        assertThrows(IndexOutOfBoundsException.class, () -> g.elementAt(new long[] {3, 0}));
        assertThrows(IllegalArgumentException.class, () -> g.elementAt(new long[] {1}));
        assertThrows(IndexOutOfBoundsException.class, () -> g.slice(0, 2, 4));
        assertThrows(IllegalArgumentException.class, () -> g.slice(2, 0, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> g.checkRange(10, 3));
        assertThrows(IllegalArgumentException.class, () -> Geometry.of(new long[] {2}, new long[] {1, 1}, 8));
    }

    @Test
    void emptyAndScalarShapes() {
        Geometry empty = rowMajor(8, 0, 5);
        assertEquals(0, empty.length);
        assertEquals(0, empty.extentBytes());
        Geometry scalar = rowMajor(8);
        assertEquals(1, scalar.length);
        assertEquals(8, scalar.extentBytes());
        assertEquals(0, scalar.elementAt(new long[0]));
    }
}
