package io.shmarray;

import io.shmarray.internal.Attachment;
import io.shmarray.internal.Memory;
import java.lang.ref.Reference;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Objects;

/**
 * A shared array of {@code float} elements ({@code float32} in numpy) in a named POSIX
 * shared-memory segment. See {@link SharedArray} for lifetime, views, handles and serialization.
 *
 * <pre>{@code
 * try (SharedFloatArray a = SharedFloatArray.create(1000)) {
 *     a.set(0, (float) 7);
 *     // another process: SharedFloatArray.attach(a.name()).get(0) == 7
 *     a.unlink();
 * }
 * }</pre>
 *
 * <p>Atomics ({@link #getVolatile}, {@link #setVolatile}, {@link #getAcquire}, {@link #setRelease},
 * {@link #compareAndSet}, {@link #getAndAdd}) work across processes on the same segment; they are
 * refused on {@link AccessMode#COPY_ON_WRITE} arrays. Floating-point atomics compare bit patterns (as {@code Float.floatToRawIntBits}), so {@code -0.0} and {@code 0.0} differ and a NaN matches only its own bits.
 */
// Generated from java/src/template/SharedXArray.java.tmpl by java/src/template/generate.py:
// edit the template and run the generator, not this file.
public final class SharedFloatArray extends SharedArray {

    private static final long serialVersionUID = 1L;

    SharedFloatArray(Attachment attachment, long base, long[] shape, long[] strides) {
        super(attachment, DType.FLOAT, base, shape, strides);
    }

    /**
     * Creates a zero-filled array of the given shape ({@code create(n)} is one-dimensional) under
     * a fresh unpredictable name; a generated name that turns out to be taken (squatted by a planted
     * file or link) is replaced by another, never adopted.
     *
     * @param shape the extents, row-major; none for a scalar (one element)
     * @return the new array, owned by this process ({@link Lifetime#OWNER_SCOPED})
     * @throws IllegalArgumentException for negative extents, a rank over 8, or a size over 2^63
     * @throws InsufficientSharedMemoryException when /dev/shm cannot hold it
     */
    public static SharedFloatArray create(long... shape) {
        return (SharedFloatArray) SharedArray.create(DType.FLOAT, shape);
    }

    /**
     * Creates a zero-filled, owner-scoped array under {@code name}.
     *
     * @param name the segment name (a leading '/' is dropped)
     * @param shape the extents, row-major; none for a scalar (one element)
     * @return the new array, owned by this process
     * @throws SegmentExistsException when the name is taken
     */
    public static SharedFloatArray createNamed(String name, long... shape) {
        return (SharedFloatArray) SharedArray.createNamed(name, DType.FLOAT, shape);
    }

    /**
     * Creates a zero-filled array under {@code name} with the given {@link Lifetime}.
     *
     * @param name the segment name (a leading '/' is dropped)
     * @param lifetime how long the name lives ({@link Lifetime#PERSISTENT}: until {@link #unlink()})
     * @param shape the extents, row-major; none for a scalar (one element)
     * @return the new array
     * @throws SegmentExistsException when the name is taken
     */
    public static SharedFloatArray createNamed(String name, Lifetime lifetime, long... shape) {
        return (SharedFloatArray) SharedArray.createNamed(name, lifetime, DType.FLOAT, shape);
    }

    /**
     * Attaches read-write to the array named {@code name}.
     *
     * @param name the segment name (a leading '/' is dropped)
     * @return a new array over the whole segment; close it when done
     * @throws SegmentNotFoundException when no segment has this name
     * @throws IllegalArgumentException when the segment holds another element type
     */
    public static SharedFloatArray attach(String name) {
        return attach(name, AccessMode.READ_WRITE);
    }

    /**
     * Attaches to the array named {@code name} in the given mode.
     *
     * @param name the segment name (a leading '/' is dropped)
     * @param mode how to map the data
     * @return a new array over the whole segment; close it when done
     * @throws SegmentNotFoundException when no segment has this name
     * @throws IllegalArgumentException when the segment holds another element type
     */
    public static SharedFloatArray attach(String name, AccessMode mode) {
        return expect(SharedArray.attach(name, mode), SharedFloatArray.class, DType.FLOAT);
    }

    /**
     * Attaches to row-major {@code float} data in a segment without a shmarray header (see
     * {@link SharedArray#attachRaw}).
     *
     * @param name the segment name (a leading '/' is dropped)
     * @param byteOffset where element 0 starts, in bytes from the segment's start
     * @param mode how to map the data
     * @param shape the extents, row-major
     * @return a new array over those elements; close it when done
     * @throws IllegalArgumentException when the geometry is invalid or does not fit the segment
     */
    public static SharedFloatArray attachRaw(String name, long byteOffset, AccessMode mode, long... shape) {
        return (SharedFloatArray) SharedArray.attachRaw(name, DType.FLOAT, byteOffset, mode, shape);
    }

    // ---------------------------------------------------------------- elements

    /**
     * The element at a row-major flat index.
     *
     * @param index the flat index, in {@code [0, length())}
     * @return the element
     * @throws IndexOutOfBoundsException when {@code index} is out of range
     */
    public float get(long index) {
        Memory m = memory();
        try {
            return m.getFloat(geometry.element(index));
        } catch (InternalError e) {
            throw memoryFault(e);
        }
    }

    /**
     * Sets the element at a row-major flat index.
     *
     * @param index the flat index, in {@code [0, length())}
     * @param value the new element
     * @throws IndexOutOfBoundsException when {@code index} is out of range
     * @throws UnsupportedOperationException when the array was attached {@link AccessMode#READ_ONLY}
     */
    public void set(long index, float value) {
        checkWritable();
        Memory m = memory();
        try {
            m.putFloat(geometry.element(index), value);
        } catch (InternalError e) {
            throw memoryFault(e);
        }
    }

    /**
     * The element at a multi-index ({@code getAt(i, j)} is {@code a[i, j]}).
     *
     * @param indices one index per dimension
     * @return the element
     * @throws IllegalArgumentException when the number of indices is not the rank
     * @throws IndexOutOfBoundsException when an index is outside its dimension
     */
    public float getAt(long... indices) {
        Memory m = memory();
        try {
            return m.getFloat(geometry.elementAt(indices));
        } catch (InternalError e) {
            throw memoryFault(e);
        }
    }

    /**
     * Sets the element at a multi-index ({@code setAt(v, i, j)} is {@code a[i, j] = v}).
     *
     * @param value the new element
     * @param indices one index per dimension
     * @throws IllegalArgumentException when the number of indices is not the rank
     * @throws IndexOutOfBoundsException when an index is outside its dimension
     * @throws UnsupportedOperationException when the array was attached {@link AccessMode#READ_ONLY}
     */
    public void setAt(float value, long... indices) {
        checkWritable();
        Memory m = memory();
        try {
            m.putFloat(geometry.elementAt(indices), value);
        } catch (InternalError e) {
            throw memoryFault(e);
        }
    }

    /**
     * Sets every element to {@code value}.
     *
     * @param value the value for every element
     * @throws UnsupportedOperationException when the array was attached {@link AccessMode#READ_ONLY}
     */
    public void fill(float value) {
        checkWritable();
        Memory m = bulk(0, length);
        Geometry g = geometry;
        try {
            for (long i = 0; i < length; i++) m.putFloat(g.element(i), value);
        } catch (InternalError e) {
            throw memoryFault(e);
        } finally {
            Reference.reachabilityFence(this); // a received array is not released while a bulk operation runs
        }
    }

    /**
     * Copies {@code len} elements from flat index {@code srcIndex} into {@code dst[dstPos...]}.
     *
     * @param srcIndex the first flat index to copy
     * @param dst the Java array to copy into
     * @param dstPos the first position written in {@code dst}
     * @param len the number of elements
     * @throws IndexOutOfBoundsException when either range is out of bounds
     */
    public void copyTo(long srcIndex, float[] dst, int dstPos, int len) {
        Objects.checkFromIndexSize(dstPos, len, dst.length);
        Memory m = bulk(srcIndex, len);
        Geometry g = geometry;
        try {
            if (contiguous) {
                m.copyTo(srcIndex, dst, dstPos, len);
            } else {
                for (int k = 0; k < len; k++) dst[dstPos + k] = m.getFloat(g.element(srcIndex + k));
            }
        } catch (InternalError e) {
            throw memoryFault(e);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Copies {@code len} elements from {@code src[srcPos...]} to flat index {@code dstIndex}.
     *
     * @param src the Java array to copy from
     * @param srcPos the first position read in {@code src}
     * @param dstIndex the first flat index written
     * @param len the number of elements
     * @throws IndexOutOfBoundsException when either range is out of bounds
     * @throws UnsupportedOperationException when the array was attached {@link AccessMode#READ_ONLY}
     */
    public void copyFrom(float[] src, int srcPos, long dstIndex, int len) {
        checkWritable();
        Objects.checkFromIndexSize(srcPos, len, src.length);
        Memory m = bulk(dstIndex, len);
        Geometry g = geometry;
        try {
            if (contiguous) {
                m.copyFrom(src, srcPos, dstIndex, len);
            } else {
                for (int k = 0; k < len; k++) m.putFloat(g.element(dstIndex + k), src[srcPos + k]);
            }
        } catch (InternalError e) {
            throw memoryFault(e);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Copies all of {@code src} to the start of this array.
     *
     * @param src the Java array to copy from; at most {@link #length()} elements
     * @throws IndexOutOfBoundsException when {@code src} is longer than this array
     * @throws UnsupportedOperationException when the array was attached {@link AccessMode#READ_ONLY}
     */
    public void copyFrom(float[] src) {
        copyFrom(src, 0, 0, src.length);
    }

    /**
     * A new Java array holding a copy of every element, row-major.
     *
     * @return the copy
     * @throws UnsupportedOperationException when the array has too many elements for a Java array
     */
    public float[] toArray() {
        if (length > Integer.MAX_VALUE - 8) {
            throw new UnsupportedOperationException(length + " elements do not fit a Java array; use copyTo in parts");
        }
        float[] out = new float[(int) length];
        copyTo(0, out, 0, out.length);
        return out;
    }


    /**
     * A native-order FloatBuffer over this contiguous array (at most 2 GiB); see
     * {@link #asByteBuffer()} for how long it stays usable.
     *
     * @return the buffer: the same memory, no copy; read-only unless the array is writable
     * @throws UnsupportedOperationException when the array is a strided view or over 2 GiB
     */
    public FloatBuffer asFloatBuffer() {
        return asByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    // ---------------------------------------------------------------- atomics

    /**
     * Reads with volatile semantics (sequentially consistent with other volatile accesses).
     *
     * @param index the flat index, in {@code [0, length())}
     * @return the element
     * @throws IndexOutOfBoundsException when {@code index} is out of range
     * @throws IllegalStateException on a closed or {@link AccessMode#COPY_ON_WRITE} array
     */
    public float getVolatile(long index) {
        long off = atomicElement(index, false);
        try {
            return Float.intBitsToFloat(memory().getIntVolatile(off));
        } catch (InternalError e) {
            throw memoryFault(e);
        }
    }

    /**
     * Writes with volatile semantics.
     *
     * @param index the flat index, in {@code [0, length())}
     * @param value the new element
     * @throws IndexOutOfBoundsException when {@code index} is out of range
     * @throws IllegalStateException on a closed or {@link AccessMode#COPY_ON_WRITE} array
     * @throws UnsupportedOperationException on a {@link AccessMode#READ_ONLY} array
     */
    public void setVolatile(long index, float value) {
        long off = atomicElement(index, true);
        try {
            memory().putIntVolatile(off, Float.floatToRawIntBits(value));
        } catch (InternalError e) {
            throw memoryFault(e);
        }
    }

    /**
     * Reads with acquire semantics: pairs with {@link #setRelease} in any process.
     *
     * @param index the flat index, in {@code [0, length())}
     * @return the element
     * @throws IndexOutOfBoundsException when {@code index} is out of range
     * @throws IllegalStateException on a closed or {@link AccessMode#COPY_ON_WRITE} array
     */
    public float getAcquire(long index) {
        long off = atomicElement(index, false);
        try {
            return Float.intBitsToFloat(memory().getIntAcquire(off));
        } catch (InternalError e) {
            throw memoryFault(e);
        }
    }

    /**
     * Writes with release semantics: everything written before it is visible to a later
     * {@link #getAcquire} that reads this value.
     *
     * @param index the flat index, in {@code [0, length())}
     * @param value the new element
     * @throws IndexOutOfBoundsException when {@code index} is out of range
     * @throws IllegalStateException on a closed or {@link AccessMode#COPY_ON_WRITE} array
     * @throws UnsupportedOperationException on a {@link AccessMode#READ_ONLY} array
     */
    public void setRelease(long index, float value) {
        long off = atomicElement(index, true);
        try {
            memory().putIntRelease(off, Float.floatToRawIntBits(value));
        } catch (InternalError e) {
            throw memoryFault(e);
        }
    }

    /**
     * Atomically sets the element to {@code newValue} if it equals {@code expected} (bitwise comparison).
     *
     * @param index the flat index, in {@code [0, length())}
     * @param expected the value the element must hold
     * @param newValue the value to store
     * @return true if the element held {@code expected} and now holds {@code newValue}
     * @throws IndexOutOfBoundsException when {@code index} is out of range
     * @throws IllegalStateException on a closed or {@link AccessMode#COPY_ON_WRITE} array
     * @throws UnsupportedOperationException on a {@link AccessMode#READ_ONLY} array
     */
    public boolean compareAndSet(long index, float expected, float newValue) {
        long off = atomicElement(index, true);
        try {
            return memory().compareAndSetInt(off, Float.floatToRawIntBits(expected), Float.floatToRawIntBits(newValue));
        } catch (InternalError e) {
            throw memoryFault(e);
        }
    }

    /**
     * Atomically adds {@code delta} and returns the previous value (a compare-and-set loop).
     *
     * @param index the flat index, in {@code [0, length())}
     * @param delta the amount to add
     * @return the element before the addition
     * @throws IndexOutOfBoundsException when {@code index} is out of range
     * @throws IllegalStateException on a closed or {@link AccessMode#COPY_ON_WRITE} array
     * @throws UnsupportedOperationException on a {@link AccessMode#READ_ONLY} array
     */
    public float getAndAdd(long index, float delta) {
        long off = atomicElement(index, true);
        Memory m = memory();
        try {
            while (true) {
                int current = m.getIntVolatile(off);
                int next = Float.floatToRawIntBits(Float.intBitsToFloat(current) + delta);
                if (m.compareAndSetInt(off, current, next)) return Float.intBitsToFloat(current);
            }
        } catch (InternalError e) {
            throw memoryFault(e);
        }
    }

    // ---------------------------------------------------------------- views (same memory)

    @Override
    public SharedFloatArray reshape(long... newShape) {
        return (SharedFloatArray) super.reshape(newShape);
    }

    @Override
    public SharedFloatArray slice(long from, long to) {
        return (SharedFloatArray) super.slice(from, to);
    }

    @Override
    public SharedFloatArray slice(int axis, long from, long to) {
        return (SharedFloatArray) super.slice(axis, from, to);
    }
}
