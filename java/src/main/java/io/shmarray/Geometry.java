package io.shmarray;

import java.util.Arrays;
import java.util.Objects;

/**
 * The geometry of an array or view: shape, strides (in elements), the byte offset of each element
 * from the view's first one, and the arithmetic of slicing and reshaping. Pure arithmetic, no
 * memory. Two layouts, two classes — never a per-element branch: {@link Contiguous} (row-major,
 * offset = index × element size) and {@link Strided} (a slice along an inner axis).
 *
 * <p><b>NOTE:</b> every access is checked once, with {@link Objects#checkIndex(long, long)}, which
 * the JIT hoists out of counted loops: for contiguous arrays by the memory layer (whose memory is
 * sliced to exactly the array's elements), for strided views here and again by the memory.
 * {@code -Dio.shmarray.disableBoundsChecks=true} removes the strided views' own check (benchmarks
 * only); memory safety never depends on it.
 */
abstract sealed class Geometry permits Geometry.Contiguous, Geometry.Strided {

    /** shmarray's own index checks; the memory layer checks offsets regardless. */
    static final boolean CHECKS = !Boolean.getBoolean("io.shmarray.disableBoundsChecks");

    final long[] shape;
    final long[] strides;
    final long length;
    /** log2 of the element size. */
    final int shift;

    private Geometry(long[] shape, long[] strides, long length, int shift) {
        this.shape = shape;
        this.strides = strides;
        this.length = length;
        this.shift = shift;
    }

    /** The geometry of {@code shape} with {@code strides} (elements) for elements of {@code elementSize} bytes. */
    static Geometry of(long[] shape, long[] strides, int elementSize) {
        if (shape.length != strides.length) {
            throw new IllegalArgumentException("strides.length=" + strides.length + " != rank " + shape.length);
        }
        long n = 1;
        for (long e : shape) n = Math.multiplyExact(n, e);
        int shift = Integer.numberOfTrailingZeros(elementSize);
        if (n <= 1 || Arrays.equals(strides, rowMajorStrides(shape))) return new Contiguous(shape, strides, n, shift);
        return new Strided(shape, strides, n, shift);
    }

    /** Row-major strides (in elements) for a shape. */
    static long[] rowMajorStrides(long[] shape) {
        long[] s = new long[shape.length];
        long stride = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = stride;
            stride *= Math.max(shape[i], 1);
        }
        return s;
    }

    abstract boolean contiguous();

    /**
     * Position, in elements from the first one, of the element at row-major flat {@code index}.
     * Callers multiply by the element size as a constant (the typed classes do): a constant scale
     * is what lets the JIT eliminate range checks and vectorize a loop.
     */
    abstract long element(long index);

    /** Position, in elements from the first one, of the element at a multi-index. */
    final long elementAt(long[] indices) {
        if (indices.length != shape.length) {
            throw new IllegalArgumentException(indices.length + " indices for an array of rank " + shape.length);
        }
        long off = 0;
        for (int d = 0; d < indices.length; d++) {
            long i = indices[d];
            if (CHECKS) Objects.checkIndex(i, shape[d]);
            off += i * strides[d];
        }
        return off;
    }

    /** Bytes from the first element to the end of the last (0 for no elements). */
    final long extentBytes() {
        if (length == 0) return 0;
        long last = 0;
        for (int d = 0; d < shape.length; d++) last += (shape[d] - 1) * strides[d];
        return (last + 1) << shift;
    }

    /** Throws unless {@code [first, first + count)} lies inside the flat index range. */
    final void checkRange(long first, long count) {
        if (first < 0 || count < 0 || first > length - count) {
            throw new IndexOutOfBoundsException("range [" + first + ", +" + count + ") of length " + length);
        }
    }

    /** Byte offset of the first element of {@code slice(axis, from, to)} from this view's first element. */
    final long sliceOffset(int axis, long from, long to) {
        checkSlice(axis, from, to);
        return to == from ? 0 : (from * strides[axis]) << shift;
    }

    /** The geometry of {@code [from, to)} along {@code axis}, other axes whole. */
    final Geometry slice(int axis, long from, long to) {
        checkSlice(axis, from, to);
        long[] s = shape.clone();
        s[axis] = to - from;
        return of(s, strides.clone(), 1 << shift);
    }

    private void checkSlice(int axis, long from, long to) {
        if (axis < 0 || axis >= shape.length) {
            throw new IllegalArgumentException("axis=" + axis + ", must be in [0, " + shape.length + ")");
        }
        if (from < 0 || from > to || to > shape[axis]) {
            throw new IndexOutOfBoundsException("slice [" + from + ", " + to + ") of axis " + axis + " with extent "
                    + shape[axis]);
        }
    }

    /** The row-major geometry of the same elements in {@code newShape}; needs a contiguous layout. */
    final Geometry reshape(long[] newShape) {
        if (!contiguous()) throw new UnsupportedOperationException("reshape needs a contiguous array");
        long n = 1;
        for (int i = 0; i < newShape.length; i++) {
            if (newShape[i] < 0) throw new IllegalArgumentException("newShape[" + i + "]=" + newShape[i] + ", must be >= 0");
            n = Math.multiplyExact(n, newShape[i]);
        }
        if (n != length) {
            throw new IllegalArgumentException("cannot reshape " + length + " elements into " + Arrays.toString(newShape));
        }
        long[] s = newShape.clone();
        return of(s, rowMajorStrides(s), 1 << shift);
    }

    /** Strides in bytes (numpy's convention). */
    final long[] byteStrides() {
        long[] b = new long[strides.length];
        for (int i = 0; i < b.length; i++) b[i] = strides[i] << shift;
        return b;
    }

    /** Row-major elements: the offset is the index times the element size. */
    static final class Contiguous extends Geometry {
        Contiguous(long[] shape, long[] strides, long length, int shift) {
            super(shape, strides, length, shift);
        }

        @Override
        boolean contiguous() {
            return true;
        }

        /**
         * The index itself: the array's memory is sliced to exactly its elements, so the memory's
         * one bound check is this array's index check (same exception, same message).
         */
        @Override
        long element(long index) {
            return index;
        }
    }

    /** A view with gaps between elements: the flat index is split into a multi-index. */
    static final class Strided extends Geometry {
        Strided(long[] shape, long[] strides, long length, int shift) {
            super(shape, strides, length, shift);
        }

        @Override
        boolean contiguous() {
            return false;
        }

        @Override
        long element(long index) {
            if (CHECKS) Objects.checkIndex(index, length);
            long off = 0;
            long rest = index;
            for (int d = shape.length - 1; d >= 0; d--) {
                long q = rest / shape[d];
                off += (rest - q * shape[d]) * strides[d];
                rest = q;
            }
            return off;
        }
    }
}
