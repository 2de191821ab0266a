package io.shmarray.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * {@link Memory} on JDK 22+: a {@link MemorySegment} in a final field, sliced once to the array or
 * view, for every array whichever backend made the native calls. The segment's own bounds and
 * liveness checks are the only ones, and C2 hoists them out of loops. The mapping belongs to an
 * automatic arena: it is unmapped when no segment, slice or buffer window over it is reachable,
 * so a reader racing the arrays' {@code close()} keeps valid memory.
 */
final class SegmentMemory extends Memory {

    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final VarHandle ATOMIC_INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle ATOMIC_LONG = ValueLayout.JAVA_LONG.varHandle();

    private final MemorySegment segment;

    SegmentMemory(MemorySegment segment) {
        this.segment = segment;
    }

    @Override
    public long size() {
        return segment.byteSize();
    }

    @Override
    public boolean writable() {
        return !segment.isReadOnly();
    }

    @Override
    public Memory slice(long offset, long length) {
        return new SegmentMemory(segment.asSlice(offset, length));
    }

    @Override
    public long address(long offset) {
        return segment.address() + Objects.checkIndex(offset, segment.byteSize());
    }

    @Override
    public ByteBuffer buffer(long offset, int length) {
        return segment.asSlice(offset, length).asByteBuffer().order(ByteOrder.nativeOrder());
    }

    /**
     * The byte offset of element {@code index} of {@code 1 << shift} bytes, checked against the
     * segment: the element bound for an array sliced to its elements, and no overflow of
     * {@code index << shift} can wrap into range.
     */
    private long at(long index, int shift) {
        return Objects.checkIndex(index, segment.byteSize() >>> shift) << shift;
    }

    private long aligned(long index, int shift) {
        long off = at(index, shift);
        long a = segment.address() + off;
        if ((a & ((1 << shift) - 1)) != 0) throw misaligned(a, 1 << shift);
        return off;
    }

    @Override
    public byte getByte(long index) {
        return segment.get(ValueLayout.JAVA_BYTE, at(index, 0));
    }

    @Override
    public void putByte(long index, byte value) {
        segment.set(ValueLayout.JAVA_BYTE, at(index, 0), value);
    }

    @Override
    public short getShort(long index) {
        return segment.get(SHORT, at(index, 1));
    }

    @Override
    public void putShort(long index, short value) {
        segment.set(SHORT, at(index, 1), value);
    }

    @Override
    public int getInt(long index) {
        return segment.get(INT, at(index, 2));
    }

    @Override
    public void putInt(long index, int value) {
        segment.set(INT, at(index, 2), value);
    }

    @Override
    public long getLong(long index) {
        return segment.get(LONG, at(index, 3));
    }

    @Override
    public void putLong(long index, long value) {
        segment.set(LONG, at(index, 3), value);
    }

    @Override
    public float getFloat(long index) {
        return segment.get(FLOAT, at(index, 2));
    }

    @Override
    public void putFloat(long index, float value) {
        segment.set(FLOAT, at(index, 2), value);
    }

    @Override
    public double getDouble(long index) {
        return segment.get(DOUBLE, at(index, 3));
    }

    @Override
    public void putDouble(long index, double value) {
        segment.set(DOUBLE, at(index, 3), value);
    }

    // ------------------------------------------------------------------ atomics

    @Override
    public int getIntVolatile(long index) {
        return (int) ATOMIC_INT.getVolatile(segment, aligned(index, 2));
    }

    @Override
    public void putIntVolatile(long index, int value) {
        ATOMIC_INT.setVolatile(segment, aligned(index, 2), value);
    }

    @Override
    public int getIntAcquire(long index) {
        return (int) ATOMIC_INT.getAcquire(segment, aligned(index, 2));
    }

    @Override
    public void putIntRelease(long index, int value) {
        ATOMIC_INT.setRelease(segment, aligned(index, 2), value);
    }

    @Override
    public boolean compareAndSetInt(long index, int expected, int value) {
        return (boolean) ATOMIC_INT.compareAndSet(segment, aligned(index, 2), expected, value);
    }

    @Override
    public int getAndAddInt(long index, int delta) {
        return (int) ATOMIC_INT.getAndAdd(segment, aligned(index, 2), delta);
    }

    @Override
    public int getAndBitwiseOrInt(long index, int bits) {
        return (int) ATOMIC_INT.getAndBitwiseOr(segment, aligned(index, 2), bits);
    }

    @Override
    public int getAndBitwiseAndInt(long index, int bits) {
        return (int) ATOMIC_INT.getAndBitwiseAnd(segment, aligned(index, 2), bits);
    }

    @Override
    public long getLongVolatile(long index) {
        return (long) ATOMIC_LONG.getVolatile(segment, aligned(index, 3));
    }

    @Override
    public void putLongVolatile(long index, long value) {
        ATOMIC_LONG.setVolatile(segment, aligned(index, 3), value);
    }

    @Override
    public long getLongAcquire(long index) {
        return (long) ATOMIC_LONG.getAcquire(segment, aligned(index, 3));
    }

    @Override
    public void putLongRelease(long index, long value) {
        ATOMIC_LONG.setRelease(segment, aligned(index, 3), value);
    }

    @Override
    public boolean compareAndSetLong(long index, long expected, long value) {
        return (boolean) ATOMIC_LONG.compareAndSet(segment, aligned(index, 3), expected, value);
    }

    @Override
    public long getAndAddLong(long index, long delta) {
        return (long) ATOMIC_LONG.getAndAdd(segment, aligned(index, 3), delta);
    }

    // ------------------------------------------------------------------ bulk

    @Override
    public void copyTo(long index, byte[] dst, int dstPos, int count) {
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, bulk(index, count, 0), dst, dstPos, count);
    }

    @Override
    public void copyTo(long index, short[] dst, int dstPos, int count) {
        MemorySegment.copy(segment, SHORT, bulk(index, count, 1), dst, dstPos, count);
    }

    @Override
    public void copyTo(long index, int[] dst, int dstPos, int count) {
        MemorySegment.copy(segment, INT, bulk(index, count, 2), dst, dstPos, count);
    }

    @Override
    public void copyTo(long index, long[] dst, int dstPos, int count) {
        MemorySegment.copy(segment, LONG, bulk(index, count, 3), dst, dstPos, count);
    }

    @Override
    public void copyTo(long index, float[] dst, int dstPos, int count) {
        MemorySegment.copy(segment, FLOAT, bulk(index, count, 2), dst, dstPos, count);
    }

    @Override
    public void copyTo(long index, double[] dst, int dstPos, int count) {
        MemorySegment.copy(segment, DOUBLE, bulk(index, count, 3), dst, dstPos, count);
    }

    @Override
    public void copyFrom(byte[] src, int srcPos, long index, int count) {
        MemorySegment.copy(src, srcPos, segment, ValueLayout.JAVA_BYTE, bulk(index, count, 0), count);
    }

    @Override
    public void copyFrom(short[] src, int srcPos, long index, int count) {
        MemorySegment.copy(src, srcPos, segment, SHORT, bulk(index, count, 1), count);
    }

    @Override
    public void copyFrom(int[] src, int srcPos, long index, int count) {
        MemorySegment.copy(src, srcPos, segment, INT, bulk(index, count, 2), count);
    }

    @Override
    public void copyFrom(long[] src, int srcPos, long index, int count) {
        MemorySegment.copy(src, srcPos, segment, LONG, bulk(index, count, 3), count);
    }

    @Override
    public void copyFrom(float[] src, int srcPos, long index, int count) {
        MemorySegment.copy(src, srcPos, segment, FLOAT, bulk(index, count, 2), count);
    }

    @Override
    public void copyFrom(double[] src, int srcPos, long index, int count) {
        MemorySegment.copy(src, srcPos, segment, DOUBLE, bulk(index, count, 3), count);
    }

    private long bulk(long index, int count, int shift) {
        return Objects.checkFromIndexSize(index, count, segment.byteSize() >>> shift) << shift;
    }

    @Override
    public void fill(long offset, long length, byte value) {
        segment.asSlice(offset, length).fill(value);
    }

    @Override
    public Object segmentView() {
        return segment;
    }
}
