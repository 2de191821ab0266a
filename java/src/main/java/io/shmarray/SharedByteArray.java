package io.shmarray;

import io.shmarray.internal.Attachment;
import io.shmarray.internal.Memory;
import java.lang.ref.Reference;
import java.util.Objects;

/**
 * A shared array of {@code byte} elements ({@code int8} in numpy) in a named POSIX
 * shared-memory segment. See {@link SharedArray} for lifetime, views, handles and serialization.
 *
 * <pre>{@code
 * try (SharedByteArray a = SharedByteArray.create(1000)) {
 *     a.set(0, (byte) 7);
 *     // another process: SharedByteArray.attach(a.name()).get(0) == 7
 *     a.unlink();
 * }
 * }</pre>
 */
// Generated from java/src/template/SharedXArray.java.tmpl by java/src/template/generate.py:
// edit the template and run the generator, not this file.
public final class SharedByteArray extends SharedArray {

    private static final long serialVersionUID = 1L;

    SharedByteArray(Attachment attachment, long base, long[] shape, long[] strides) {
        super(attachment, DType.BYTE, base, shape, strides);
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
    public static SharedByteArray create(long... shape) {
        return (SharedByteArray) SharedArray.create(DType.BYTE, shape);
    }

    /**
     * Creates a zero-filled, owner-scoped array under {@code name}.
     *
     * @param name the segment name (a leading '/' is dropped)
     * @param shape the extents, row-major; none for a scalar (one element)
     * @return the new array, owned by this process
     * @throws SegmentExistsException when the name is taken
     */
    public static SharedByteArray createNamed(String name, long... shape) {
        return (SharedByteArray) SharedArray.createNamed(name, DType.BYTE, shape);
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
    public static SharedByteArray createNamed(String name, Lifetime lifetime, long... shape) {
        return (SharedByteArray) SharedArray.createNamed(name, lifetime, DType.BYTE, shape);
    }

    /**
     * Attaches read-write to the array named {@code name}.
     *
     * @param name the segment name (a leading '/' is dropped)
     * @return a new array over the whole segment; close it when done
     * @throws SegmentNotFoundException when no segment has this name
     * @throws IllegalArgumentException when the segment holds another element type
     */
    public static SharedByteArray attach(String name) {
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
    public static SharedByteArray attach(String name, AccessMode mode) {
        return expect(SharedArray.attach(name, mode), SharedByteArray.class, DType.BYTE);
    }

    /**
     * Attaches to row-major {@code byte} data in a segment without a shmarray header (see
     * {@link SharedArray#attachRaw}).
     *
     * @param name the segment name (a leading '/' is dropped)
     * @param byteOffset where element 0 starts, in bytes from the segment's start
     * @param mode how to map the data
     * @param shape the extents, row-major
     * @return a new array over those elements; close it when done
     * @throws IllegalArgumentException when the geometry is invalid or does not fit the segment
     */
    public static SharedByteArray attachRaw(String name, long byteOffset, AccessMode mode, long... shape) {
        return (SharedByteArray) SharedArray.attachRaw(name, DType.BYTE, byteOffset, mode, shape);
    }

    // ---------------------------------------------------------------- elements

    /**
     * The element at a row-major flat index.
     *
     * @param index the flat index, in {@code [0, length())}
     * @return the element
     * @throws IndexOutOfBoundsException when {@code index} is out of range
     */
    public byte get(long index) {
        Memory m = memory();
        try {
            return m.getByte(geometry.element(index));
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
    public void set(long index, byte value) {
        checkWritable();
        Memory m = memory();
        try {
            m.putByte(geometry.element(index), value);
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
    public byte getAt(long... indices) {
        Memory m = memory();
        try {
            return m.getByte(geometry.elementAt(indices));
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
    public void setAt(byte value, long... indices) {
        checkWritable();
        Memory m = memory();
        try {
            m.putByte(geometry.elementAt(indices), value);
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
    public void fill(byte value) {
        checkWritable();
        Memory m = bulk(0, length);
        Geometry g = geometry;
        try {
            if (contiguous) {
                m.fill(0, length, value); // bytes: index = byte offset
                return;
            }
            for (long i = 0; i < length; i++) m.putByte(g.element(i), value);
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
    public void copyTo(long srcIndex, byte[] dst, int dstPos, int len) {
        Objects.checkFromIndexSize(dstPos, len, dst.length);
        Memory m = bulk(srcIndex, len);
        Geometry g = geometry;
        try {
            if (contiguous) {
                m.copyTo(srcIndex, dst, dstPos, len);
            } else {
                for (int k = 0; k < len; k++) dst[dstPos + k] = m.getByte(g.element(srcIndex + k));
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
    public void copyFrom(byte[] src, int srcPos, long dstIndex, int len) {
        checkWritable();
        Objects.checkFromIndexSize(srcPos, len, src.length);
        Memory m = bulk(dstIndex, len);
        Geometry g = geometry;
        try {
            if (contiguous) {
                m.copyFrom(src, srcPos, dstIndex, len);
            } else {
                for (int k = 0; k < len; k++) m.putByte(g.element(dstIndex + k), src[srcPos + k]);
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
    public void copyFrom(byte[] src) {
        copyFrom(src, 0, 0, src.length);
    }

    /**
     * A new Java array holding a copy of every element, row-major.
     *
     * @return the copy
     * @throws UnsupportedOperationException when the array has too many elements for a Java array
     */
    public byte[] toArray() {
        if (length > Integer.MAX_VALUE - 8) {
            throw new UnsupportedOperationException(length + " elements do not fit a Java array; use copyTo in parts");
        }
        byte[] out = new byte[(int) length];
        copyTo(0, out, 0, out.length);
        return out;
    }


    // ---------------------------------------------------------------- views (same memory)

    @Override
    public SharedByteArray reshape(long... newShape) {
        return (SharedByteArray) super.reshape(newShape);
    }

    @Override
    public SharedByteArray slice(long from, long to) {
        return (SharedByteArray) super.slice(from, to);
    }

    @Override
    public SharedByteArray slice(int axis, long from, long to) {
        return (SharedByteArray) super.slice(axis, from, to);
    }
}
