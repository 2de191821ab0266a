package io.shmarray;

import io.shmarray.internal.Attachment;
import io.shmarray.internal.Memory;
import java.lang.ref.Reference;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.util.Objects;

/**
 * A shared array of {@code double} elements ({@code float64} in numpy) in a named POSIX
 * shared-memory segment. See {@link SharedArray} for lifetime, views, handles and serialization.
 *
 * <pre>{@code
 * try (SharedDoubleArray a = SharedDoubleArray.create(1000)) {
 *     a.set(0, (double) 7);
 *     // another process: SharedDoubleArray.attach(a.name()).get(0) == 7
 *     a.unlink();
 * }
 * }</pre>
 *
 * <p>Atomics ({@link #getVolatile}, {@link #setVolatile}, {@link #getAcquire}, {@link #setRelease},
 * {@link #compareAndSet}, {@link #getAndAdd}) work across processes on the same segment; they are
 * refused on {@link AccessMode#COPY_ON_WRITE} arrays. Floating-point atomics compare bit patterns (as {@code Double.doubleToRawLongBits}), so {@code -0.0} and {@code 0.0} differ and a NaN matches only its own bits.
 */
// Generated from java/src/template/SharedXArray.java.tmpl by java/src/template/generate.py:
// edit the template and run the generator, not this file.
public final class SharedDoubleArray extends SharedArray {

    private static final long serialVersionUID = 1L;

    SharedDoubleArray(Attachment attachment, long base, long[] shape, long[] strides) {
        super(attachment, DType.DOUBLE, base, shape, strides);
    }

    /**
     * Creates a zero-filled array of the given shape ({@code create(n)} is one-dimensional) under
     * a fresh unpredictable name; a generated name that turns out to be taken (squatted by a planted
     * file or link) is replaced by another, never adopted.
     *
     * @throws InsufficientSharedMemoryException when /dev/shm cannot hold it
     */
    public static SharedDoubleArray create(long... shape) {
        return (SharedDoubleArray) SharedArray.create(DType.DOUBLE, shape);
    }

    /**
     * Creates a zero-filled array under {@code name}.
     *
     * @throws SegmentExistsException when the name is taken
     */
    public static SharedDoubleArray createNamed(String name, long... shape) {
        return (SharedDoubleArray) SharedArray.createNamed(name, DType.DOUBLE, shape);
    }

    /** Creates a zero-filled array under {@code name} with the given {@link Lifetime}. */
    public static SharedDoubleArray createNamed(String name, Lifetime lifetime, long... shape) {
        return (SharedDoubleArray) SharedArray.createNamed(name, lifetime, DType.DOUBLE, shape);
    }

    /** Attaches read-write to the array named {@code name}. */
    public static SharedDoubleArray attach(String name) {
        return attach(name, AccessMode.READ_WRITE);
    }

    /**
     * Attaches to the array named {@code name} in the given mode.
     *
     * @throws IllegalArgumentException when the segment holds another element type
     */
    public static SharedDoubleArray attach(String name, AccessMode mode) {
        return expect(SharedArray.attach(name, mode), SharedDoubleArray.class, DType.DOUBLE);
    }

    /** Attaches to row-major {@code double} data in a segment without a shmarray header. */
    public static SharedDoubleArray attachRaw(String name, long byteOffset, AccessMode mode, long... shape) {
        return (SharedDoubleArray) SharedArray.attachRaw(name, DType.DOUBLE, byteOffset, mode, shape);
    }

    // ---------------------------------------------------------------- elements

    /** The element at a row-major flat index. */
    public double get(long index) {
        Memory m = memory();
        try {
            return m.getDouble(geometry.element(index));
        } catch (InternalError e) {
            throw memoryFault(e);
        }
    }

    public void set(long index, double value) {
        checkWritable();
        Memory m = memory();
        try {
            m.putDouble(geometry.element(index), value);
        } catch (InternalError e) {
            throw memoryFault(e);
        }
    }

    /** The element at a multi-index ({@code getAt(i, j)} is {@code a[i, j]}). */
    public double getAt(long... indices) {
        Memory m = memory();
        try {
            return m.getDouble(geometry.elementAt(indices));
        } catch (InternalError e) {
            throw memoryFault(e);
        }
    }

    /** Sets the element at a multi-index ({@code setAt(v, i, j)} is {@code a[i, j] = v}). */
    public void setAt(double value, long... indices) {
        checkWritable();
        Memory m = memory();
        try {
            m.putDouble(geometry.elementAt(indices), value);
        } catch (InternalError e) {
            throw memoryFault(e);
        }
    }

    /** Sets every element to {@code value}. */
    public void fill(double value) {
        checkWritable();
        Memory m = bulk(0, length);
        Geometry g = geometry;
        try {
            for (long i = 0; i < length; i++) m.putDouble(g.element(i), value);
        } catch (InternalError e) {
            throw memoryFault(e);
        } finally {
            Reference.reachabilityFence(this); // a received array is not released while a bulk operation runs
        }
    }

    /** Copies {@code len} elements from flat index {@code srcIndex} into {@code dst[dstPos...]}. */
    public void copyTo(long srcIndex, double[] dst, int dstPos, int len) {
        Objects.checkFromIndexSize(dstPos, len, dst.length);
        Memory m = bulk(srcIndex, len);
        Geometry g = geometry;
        try {
            if (contiguous) {
                m.copyTo(srcIndex, dst, dstPos, len);
            } else {
                for (int k = 0; k < len; k++) dst[dstPos + k] = m.getDouble(g.element(srcIndex + k));
            }
        } catch (InternalError e) {
            throw memoryFault(e);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** Copies {@code len} elements from {@code src[srcPos...]} to flat index {@code dstIndex}. */
    public void copyFrom(double[] src, int srcPos, long dstIndex, int len) {
        checkWritable();
        Objects.checkFromIndexSize(srcPos, len, src.length);
        Memory m = bulk(dstIndex, len);
        Geometry g = geometry;
        try {
            if (contiguous) {
                m.copyFrom(src, srcPos, dstIndex, len);
            } else {
                for (int k = 0; k < len; k++) m.putDouble(g.element(dstIndex + k), src[srcPos + k]);
            }
        } catch (InternalError e) {
            throw memoryFault(e);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** Copies all of {@code src} to the start of this array. */
    public void copyFrom(double[] src) {
        copyFrom(src, 0, 0, src.length);
    }

    /** A new Java array holding a copy of every element, row-major. */
    public double[] toArray() {
        if (length > Integer.MAX_VALUE - 8) {
            throw new UnsupportedOperationException(length + " elements do not fit a Java array; use copyTo in parts");
        }
        double[] out = new double[(int) length];
        copyTo(0, out, 0, out.length);
        return out;
    }


    /** A native-order DoubleBuffer over this contiguous array (at most 2 GiB). */
    public DoubleBuffer asDoubleBuffer() {
        return asByteBuffer().order(ByteOrder.nativeOrder()).asDoubleBuffer();
    }

    // ---------------------------------------------------------------- atomics

    /** Reads with volatile semantics (sequentially consistent with other volatile accesses). */
    public double getVolatile(long index) {
        long off = atomicElement(index, false);
        try {
            return Double.longBitsToDouble(memory().getLongVolatile(off));
        } catch (InternalError e) {
            throw memoryFault(e);
        }
    }

    /** Writes with volatile semantics. */
    public void setVolatile(long index, double value) {
        long off = atomicElement(index, true);
        try {
            memory().putLongVolatile(off, Double.doubleToRawLongBits(value));
        } catch (InternalError e) {
            throw memoryFault(e);
        }
    }

    /** Reads with acquire semantics: pairs with {@link #setRelease} in any process. */
    public double getAcquire(long index) {
        long off = atomicElement(index, false);
        try {
            return Double.longBitsToDouble(memory().getLongAcquire(off));
        } catch (InternalError e) {
            throw memoryFault(e);
        }
    }

    /** Writes with release semantics: everything written before it is visible to a later {@link #getAcquire}. */
    public void setRelease(long index, double value) {
        long off = atomicElement(index, true);
        try {
            memory().putLongRelease(off, Double.doubleToRawLongBits(value));
        } catch (InternalError e) {
            throw memoryFault(e);
        }
    }

    /** Atomically sets the element to {@code newValue} if it equals {@code expected} (bitwise comparison). */
    public boolean compareAndSet(long index, double expected, double newValue) {
        long off = atomicElement(index, true);
        try {
            return memory().compareAndSetLong(off, Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(newValue));
        } catch (InternalError e) {
            throw memoryFault(e);
        }
    }

    /** Atomically adds {@code delta} and returns the previous value (a compare-and-set loop). */
    public double getAndAdd(long index, double delta) {
        long off = atomicElement(index, true);
        Memory m = memory();
        try {
            while (true) {
                long current = m.getLongVolatile(off);
                long next = Double.doubleToRawLongBits(Double.longBitsToDouble(current) + delta);
                if (m.compareAndSetLong(off, current, next)) return Double.longBitsToDouble(current);
            }
        } catch (InternalError e) {
            throw memoryFault(e);
        }
    }

    // ---------------------------------------------------------------- views (same memory)

    @Override
    public SharedDoubleArray reshape(long... newShape) {
        return (SharedDoubleArray) super.reshape(newShape);
    }

    @Override
    public SharedDoubleArray slice(long from, long to) {
        return (SharedDoubleArray) super.slice(from, to);
    }

    @Override
    public SharedDoubleArray slice(int axis, long from, long to) {
        return (SharedDoubleArray) super.slice(axis, from, to);
    }
}
