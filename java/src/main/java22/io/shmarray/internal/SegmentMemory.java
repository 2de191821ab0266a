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

    private long aligned(long offset, int n) {
        long a = segment.address() + offset;
        if ((a & (n - 1)) != 0) throw misaligned(a, n);
        return offset;
    }

    @Override
    public byte getByte(long offset) {
        return segment.get(ValueLayout.JAVA_BYTE, offset);
    }

    @Override
    public void putByte(long offset, byte value) {
        segment.set(ValueLayout.JAVA_BYTE, offset, value);
    }

    @Override
    public short getShort(long offset) {
        return segment.get(SHORT, offset);
    }

    @Override
    public void putShort(long offset, short value) {
        segment.set(SHORT, offset, value);
    }

    @Override
    public int getInt(long offset) {
        return segment.get(INT, offset);
    }

    @Override
    public void putInt(long offset, int value) {
        segment.set(INT, offset, value);
    }

    @Override
    public long getLong(long offset) {
        return segment.get(LONG, offset);
    }

    @Override
    public void putLong(long offset, long value) {
        segment.set(LONG, offset, value);
    }

    @Override
    public float getFloat(long offset) {
        return segment.get(FLOAT, offset);
    }

    @Override
    public void putFloat(long offset, float value) {
        segment.set(FLOAT, offset, value);
    }

    @Override
    public double getDouble(long offset) {
        return segment.get(DOUBLE, offset);
    }

    @Override
    public void putDouble(long offset, double value) {
        segment.set(DOUBLE, offset, value);
    }

    // ------------------------------------------------------------------ atomics

    @Override
    public int getIntVolatile(long offset) {
        return (int) ATOMIC_INT.getVolatile(segment, aligned(offset, 4));
    }

    @Override
    public void putIntVolatile(long offset, int value) {
        ATOMIC_INT.setVolatile(segment, aligned(offset, 4), value);
    }

    @Override
    public int getIntAcquire(long offset) {
        return (int) ATOMIC_INT.getAcquire(segment, aligned(offset, 4));
    }

    @Override
    public void putIntRelease(long offset, int value) {
        ATOMIC_INT.setRelease(segment, aligned(offset, 4), value);
    }

    @Override
    public boolean compareAndSetInt(long offset, int expected, int value) {
        return (boolean) ATOMIC_INT.compareAndSet(segment, aligned(offset, 4), expected, value);
    }

    @Override
    public int getAndAddInt(long offset, int delta) {
        return (int) ATOMIC_INT.getAndAdd(segment, aligned(offset, 4), delta);
    }

    @Override
    public int getAndBitwiseOrInt(long offset, int bits) {
        return (int) ATOMIC_INT.getAndBitwiseOr(segment, aligned(offset, 4), bits);
    }

    @Override
    public int getAndBitwiseAndInt(long offset, int bits) {
        return (int) ATOMIC_INT.getAndBitwiseAnd(segment, aligned(offset, 4), bits);
    }

    @Override
    public long getLongVolatile(long offset) {
        return (long) ATOMIC_LONG.getVolatile(segment, aligned(offset, 8));
    }

    @Override
    public void putLongVolatile(long offset, long value) {
        ATOMIC_LONG.setVolatile(segment, aligned(offset, 8), value);
    }

    @Override
    public long getLongAcquire(long offset) {
        return (long) ATOMIC_LONG.getAcquire(segment, aligned(offset, 8));
    }

    @Override
    public void putLongRelease(long offset, long value) {
        ATOMIC_LONG.setRelease(segment, aligned(offset, 8), value);
    }

    @Override
    public boolean compareAndSetLong(long offset, long expected, long value) {
        return (boolean) ATOMIC_LONG.compareAndSet(segment, aligned(offset, 8), expected, value);
    }

    @Override
    public long getAndAddLong(long offset, long delta) {
        return (long) ATOMIC_LONG.getAndAdd(segment, aligned(offset, 8), delta);
    }

    // ------------------------------------------------------------------ bulk

    @Override
    public void copyTo(long offset, byte[] dst, int dstPos, int count) {
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, offset, dst, dstPos, count);
    }

    @Override
    public void copyTo(long offset, short[] dst, int dstPos, int count) {
        MemorySegment.copy(segment, SHORT, offset, dst, dstPos, count);
    }

    @Override
    public void copyTo(long offset, int[] dst, int dstPos, int count) {
        MemorySegment.copy(segment, INT, offset, dst, dstPos, count);
    }

    @Override
    public void copyTo(long offset, long[] dst, int dstPos, int count) {
        MemorySegment.copy(segment, LONG, offset, dst, dstPos, count);
    }

    @Override
    public void copyTo(long offset, float[] dst, int dstPos, int count) {
        MemorySegment.copy(segment, FLOAT, offset, dst, dstPos, count);
    }

    @Override
    public void copyTo(long offset, double[] dst, int dstPos, int count) {
        MemorySegment.copy(segment, DOUBLE, offset, dst, dstPos, count);
    }

    @Override
    public void copyFrom(byte[] src, int srcPos, long offset, int count) {
        MemorySegment.copy(src, srcPos, segment, ValueLayout.JAVA_BYTE, offset, count);
    }

    @Override
    public void copyFrom(short[] src, int srcPos, long offset, int count) {
        MemorySegment.copy(src, srcPos, segment, SHORT, offset, count);
    }

    @Override
    public void copyFrom(int[] src, int srcPos, long offset, int count) {
        MemorySegment.copy(src, srcPos, segment, INT, offset, count);
    }

    @Override
    public void copyFrom(long[] src, int srcPos, long offset, int count) {
        MemorySegment.copy(src, srcPos, segment, LONG, offset, count);
    }

    @Override
    public void copyFrom(float[] src, int srcPos, long offset, int count) {
        MemorySegment.copy(src, srcPos, segment, FLOAT, offset, count);
    }

    @Override
    public void copyFrom(double[] src, int srcPos, long offset, int count) {
        MemorySegment.copy(src, srcPos, segment, DOUBLE, offset, count);
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
