package io.shmarray.internal;

import java.nio.ByteBuffer;

/**
 * Typed loads and stores over one mapping (or a slice of it): the only way shmarray reads or
 * writes shared memory. The implementation is chosen once, by JDK version, in the way Lucene's
 * {@code MemorySegmentIndexInput} lives in a versioned source tree:
 * <ul>
 *   <li>JDK 22+ ({@code src/main/java22}): {@code SegmentMemory}, a {@code MemorySegment} in a final
 *       field, for every array whichever backend made the native calls;
 *   <li>JDK 17–21 ({@code src/main/java}): {@code UnsafeMemory}, {@code sun.misc.Unsafe} on an address
 *       in a final field, as Agrona and Netty reach memory there.
 * </ul>
 * Only one of the two classes is ever loaded in a JVM, so every call below is monomorphic and
 * inlined; a loop over {@code get(i)} compiles to plain loads with the checks hoisted.
 *
 * <h2>Safety</h2>
 * Typed accesses and copies take <b>element indices</b> of the accessed type from the start of this
 * memory ({@code getDouble(i)} reads bytes {@code [8i, 8i + 8)}), native byte order; {@link #fill},
 * {@link #slice}, {@link #address} and {@link #buffer} take byte offsets. Every access is checked
 * with one {@code Objects.checkIndex(i, size() / elementSize)} — for an array sliced to its
 * elements that is the element bound itself — so nothing reads or writes outside the mapping,
 * whatever the caller passes,
 * and writes through a read-only memory throw ({@link UnsupportedOperationException} on JDK 17–21,
 * the segment's {@code IllegalArgumentException} on 22+; the arrays refuse them before). The mapping
 * is unmapped only when this memory, every slice of it and every {@linkplain #buffer window} is
 * unreachable, so a thread racing the owner's {@code close()} reads valid memory, never unmapped
 * pages. A fault inside the mapping (another process truncated the segment) surfaces as an
 * {@link InternalError}, which the arrays turn into {@code SegmentTruncatedException} where it is
 * raised inside them (always on JDK 22+; see {@code UnsafeMemory} for JDK 17–21).
 *
 * <p>Atomics need naturally aligned offsets (an {@link IllegalStateException} otherwise) and use
 * the orderings their names say: a {@code put*Release} (or any volatile write or successful
 * compare-and-set) happens-before an observing {@code get*Acquire} (or volatile read), in any
 * process.
 */
public abstract class Memory {

    /** Bytes of memory. */
    public abstract long size();

    public abstract boolean writable();

    /** The memory {@code [offset, offset + length)}; keeps the whole mapping alive. */
    public abstract Memory slice(long offset, long length);

    /**
     * The native address of byte {@code offset}, for native calls (locks, futexes). The caller
     * keeps this memory reachable for as long as the native call may use the address
     * ({@link java.lang.ref.Reference#reachabilityFence}).
     */
    public abstract long address(long offset);

    /**
     * A native-order window over {@code [offset, offset + length)} (read-only unless writable).
     * The window keeps the mapping alive while it is reachable; it stays usable after the arrays
     * over the mapping are closed.
     */
    public abstract ByteBuffer buffer(long offset, int length);

    // ------------------------------------------------------------------ plain typed access

    public abstract byte getByte(long index);

    public abstract void putByte(long index, byte value);

    public abstract short getShort(long index);

    public abstract void putShort(long index, short value);

    public abstract int getInt(long index);

    public abstract void putInt(long index, int value);

    public abstract long getLong(long index);

    public abstract void putLong(long index, long value);

    public abstract float getFloat(long index);

    public abstract void putFloat(long index, float value);

    public abstract double getDouble(long index);

    public abstract void putDouble(long index, double value);

    // ------------------------------------------------------------------ atomics (aligned)

    public abstract int getIntVolatile(long index);

    public abstract void putIntVolatile(long index, int value);

    public abstract int getIntAcquire(long index);

    public abstract void putIntRelease(long index, int value);

    public abstract boolean compareAndSetInt(long index, int expected, int value);

    public abstract int getAndAddInt(long index, int delta);

    public abstract int getAndBitwiseOrInt(long index, int bits);

    public abstract int getAndBitwiseAndInt(long index, int bits);

    public abstract long getLongVolatile(long index);

    public abstract void putLongVolatile(long index, long value);

    public abstract long getLongAcquire(long index);

    public abstract void putLongRelease(long index, long value);

    public abstract boolean compareAndSetLong(long index, long expected, long value);

    public abstract long getAndAddLong(long index, long delta);

    // ------------------------------------------------------------------ bulk copies (indices and counts in elements)

    public abstract void copyTo(long index, byte[] dst, int dstPos, int count);

    public abstract void copyTo(long index, short[] dst, int dstPos, int count);

    public abstract void copyTo(long index, int[] dst, int dstPos, int count);

    public abstract void copyTo(long index, long[] dst, int dstPos, int count);

    public abstract void copyTo(long index, float[] dst, int dstPos, int count);

    public abstract void copyTo(long index, double[] dst, int dstPos, int count);

    public abstract void copyFrom(byte[] src, int srcPos, long index, int count);

    public abstract void copyFrom(short[] src, int srcPos, long index, int count);

    public abstract void copyFrom(int[] src, int srcPos, long index, int count);

    public abstract void copyFrom(long[] src, int srcPos, long index, int count);

    public abstract void copyFrom(float[] src, int srcPos, long index, int count);

    public abstract void copyFrom(double[] src, int srcPos, long index, int count);

    /** Sets {@code length} bytes from {@code offset} to {@code value}. */
    public abstract void fill(long offset, long length, byte value);

    /**
     * The JDK 22+ {@code MemorySegment} over exactly this memory, or {@code null} on JDK 17–21
     * (typed as {@code Object}: this class compiles for JDK 17).
     */
    public Object segmentView() {
        return null;
    }

    // ------------------------------------------------------------------ shared helpers

    /** Refusal of a write through read-only memory. */
    static UnsupportedOperationException readOnly() {
        return new UnsupportedOperationException("read-only memory");
    }

    /** Refusal of an atomic access at an offset that is not a multiple of its size. */
    static IllegalStateException misaligned(long address, int size) {
        return new IllegalStateException("misaligned atomic access at address 0x" + Long.toHexString(address)
                + ": needs a multiple of " + size);
    }
}
