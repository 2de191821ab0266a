package io.shmarray.internal;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link Memory} on JDK 17–21: {@code sun.misc.Unsafe} on an address held in a final field, the
 * way Agrona's {@code UnsafeBuffer} and Netty reach memory there (a {@code ByteBuffer} reaches only
 * 0.44x of a heap array's fill speed on JDK 17; this reaches 0.8x and more).
 *
 * <p>Unsafe cannot be revoked, so safety comes from lifetime: the mapping is unmapped by a
 * {@link Cleaner} only once the root memory (which every slice references) and every window are
 * unreachable, and every access ends with {@link Reference#reachabilityFence} on this object, as
 * {@code DirectByteBuffer} does. A thread racing the arrays' {@code close()} therefore reads and
 * writes valid memory. Every access is bounds-checked ({@code Objects.checkIndex}, which the JIT
 * hoists out of counted loops) and writes to read-only memory are refused before they could fault.
 *
 * <p><b>NOTE:</b> on JDK 17–21 HotSpot reports a fault inside a mapping (the segment was truncated
 * by another process) <em>asynchronously</em>: the faulting load returns garbage and an
 * {@code InternalError} ("a fault occurred in a recent unsafe memory access operation") is raised
 * "at a later point" ({@code SharedRuntime::handle_unsafe_access}), possibly after the element
 * access returned — so it may escape as {@code InternalError} instead of
 * {@code SegmentTruncatedException}; never a crash. Bulk copies and fills end with a fence, after
 * which the interpreter delivers it inside the copy (typed); compiled code may deliver it later.
 * JDK 22+ reports faults synchronously.
 */
final class UnsafeMemory extends Memory {

    private static final sun.misc.Unsafe U = unsafe();
    private static final long COPY_STEP = 1L << 20; // lets a safepoint in between, as java.nio.Bits does
    private static final long BYTES = U.arrayBaseOffset(byte[].class);
    private static final long SHORTS = U.arrayBaseOffset(short[].class);
    private static final long INTS = U.arrayBaseOffset(int[].class);
    private static final long LONGS = U.arrayBaseOffset(long[].class);
    private static final long FLOATS = U.arrayBaseOffset(float[].class);
    private static final long DOUBLES = U.arrayBaseOffset(double[].class);
    private static final Cleaner CLEANER = Cleaner.create();

    private final long address;
    private final long size;
    private final boolean writable;
    /** The root memory of the mapping (this object for the root): slices keep it reachable. */
    private final UnsafeMemory root;
    private final Holders holders;

    private UnsafeMemory(long address, long size, boolean writable, UnsafeMemory root, Holders holders) {
        this.address = address;
        this.size = size;
        this.writable = writable;
        this.root = root == null ? this : root;
        this.holders = holders;
    }

    private static sun.misc.Unsafe unsafe() {
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new LinkageError("shmarray needs sun.misc.Unsafe (module jdk.unsupported) on JDK 17-21 for element"
                    + " access; add --add-modules jdk.unsupported, or run on JDK 22+", e);
        }
    }

    /** The root memory over a fresh mapping; {@code unmap} runs once it and every window are unreachable. */
    static UnsafeMemory root(Backend backend, long address, long length, boolean writable, Runnable unmap) {
        Holders h = new Holders(backend, unmap);
        UnsafeMemory m = new UnsafeMemory(address, length, writable, null, h);
        h.hold(m);
        return m;
    }

    /** Memory of no bytes (an array with a zero extent). */
    static UnsafeMemory empty(boolean writable) {
        return new UnsafeMemory(0, 0, writable, null, null);
    }

    /** Counts the objects that keep one mapping alive; the last one to go unmaps. */
    private static final class Holders {
        private final AtomicInteger count = new AtomicInteger();
        private final Backend backend;
        private final Runnable unmap;

        Holders(Backend backend, Runnable unmap) {
            this.backend = backend;
            this.unmap = unmap;
        }

        /** Registers {@code referent}; the action references only this object, never the referent. */
        void hold(Object referent) {
            count.incrementAndGet();
            CLEANER.register(referent, this::drop);
        }

        private void drop() {
            if (count.decrementAndGet() == 0) unmap.run();
        }
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public boolean writable() {
        return writable;
    }

    @Override
    public Memory slice(long offset, long length) {
        Objects.checkFromIndexSize(offset, length, size);
        return new UnsafeMemory(address + offset, length, writable, root, holders);
    }

    @Override
    public long address(long offset) {
        return address + Objects.checkIndex(offset, size);
    }

    @Override
    public ByteBuffer buffer(long offset, int length) {
        Objects.checkFromIndexSize(offset, length, size);
        if (length == 0 || holders == null) return ByteBuffer.allocateDirect(0).order(ByteOrder.nativeOrder());
        try {
            ByteBuffer b = holders.backend.buffer(address + offset, length);
            holders.hold(b); // views derived from b keep b reachable
            b.order(ByteOrder.nativeOrder());
            return writable ? b : b.asReadOnlyBuffer().order(ByteOrder.nativeOrder());
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * The address of element {@code index} of {@code 1 << shift} bytes, checked against this memory:
     * one {@code Objects.checkIndex}, which is the element bound for an array sliced to its
     * elements and the memory-safety bound at once (and which the JIT hoists out of counted loops).
     */
    private long at(long index, int shift) {
        return address + (Objects.checkIndex(index, size >>> shift) << shift);
    }

    private long aligned(long index, int shift) {
        long a = at(index, shift);
        if ((a & ((1 << shift) - 1)) != 0) throw misaligned(a, 1 << shift);
        return a;
    }

    private long writableAt(long index, int shift) {
        if (!writable) throw readOnly();
        return at(index, shift);
    }

    private long writableAligned(long index, int shift) {
        if (!writable) throw readOnly();
        return aligned(index, shift);
    }

    // ------------------------------------------------------------------ plain typed access

    @Override
    public byte getByte(long index) {
        try {
            return U.getByte(null, at(index, 0));
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public void putByte(long index, byte value) {
        try {
            U.putByte(null, writableAt(index, 0), value);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public short getShort(long index) {
        try {
            return U.getShort(null, at(index, 1));
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public void putShort(long index, short value) {
        try {
            U.putShort(null, writableAt(index, 1), value);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public int getInt(long index) {
        try {
            return U.getInt(null, at(index, 2));
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public void putInt(long index, int value) {
        try {
            U.putInt(null, writableAt(index, 2), value);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public long getLong(long index) {
        try {
            return U.getLong(null, at(index, 3));
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public void putLong(long index, long value) {
        try {
            U.putLong(null, writableAt(index, 3), value);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public float getFloat(long index) {
        try {
            return U.getFloat(null, at(index, 2));
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public void putFloat(long index, float value) {
        try {
            U.putFloat(null, writableAt(index, 2), value);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public double getDouble(long index) {
        try {
            return U.getDouble(null, at(index, 3));
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public void putDouble(long index, double value) {
        try {
            U.putDouble(null, writableAt(index, 3), value);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    // ------------------------------------------------------------------ atomics

    @Override
    public int getIntVolatile(long index) {
        try {
            return U.getIntVolatile(null, aligned(index, 2));
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public void putIntVolatile(long index, int value) {
        try {
            U.putIntVolatile(null, writableAligned(index, 2), value);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public int getIntAcquire(long index) {
        return getIntVolatile(index); // sun.misc.Unsafe has no acquire load: volatile is stronger
    }

    @Override
    public void putIntRelease(long index, int value) {
        try {
            U.putOrderedInt(null, writableAligned(index, 2), value);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public boolean compareAndSetInt(long index, int expected, int value) {
        try {
            return U.compareAndSwapInt(null, writableAligned(index, 2), expected, value);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public int getAndAddInt(long index, int delta) {
        try {
            return U.getAndAddInt(null, writableAligned(index, 2), delta);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public int getAndBitwiseOrInt(long index, int bits) {
        try {
            long a = writableAligned(index, 2);
            int v;
            do {
                v = U.getIntVolatile(null, a);
            } while (!U.compareAndSwapInt(null, a, v, v | bits));
            return v;
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public int getAndBitwiseAndInt(long index, int bits) {
        try {
            long a = writableAligned(index, 2);
            int v;
            do {
                v = U.getIntVolatile(null, a);
            } while (!U.compareAndSwapInt(null, a, v, v & bits));
            return v;
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public long getLongVolatile(long index) {
        try {
            return U.getLongVolatile(null, aligned(index, 3));
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public void putLongVolatile(long index, long value) {
        try {
            U.putLongVolatile(null, writableAligned(index, 3), value);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public long getLongAcquire(long index) {
        return getLongVolatile(index);
    }

    @Override
    public void putLongRelease(long index, long value) {
        try {
            U.putOrderedLong(null, writableAligned(index, 3), value);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public boolean compareAndSetLong(long index, long expected, long value) {
        try {
            return U.compareAndSwapLong(null, writableAligned(index, 3), expected, value);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public long getAndAddLong(long index, long delta) {
        try {
            return U.getAndAddLong(null, writableAligned(index, 3), delta);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    // ------------------------------------------------------------------ bulk

    private void copyOut(long index, int shift, long count, Object dst, long dstOffset) {
        long a = address + (Objects.checkFromIndexSize(index, count, size >>> shift) << shift);
        long bytes = count << shift;
        try {
            while (bytes > 0) {
                long n = Math.min(bytes, COPY_STEP);
                U.copyMemory(null, a, dst, dstOffset, n);
                a += n;
                dstOffset += n;
                bytes -= n;
            }
            U.loadFence(); // delivers a fault inside the copy here, not at some later instruction (see class doc)
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    private void copyIn(Object src, long srcOffset, long index, int shift, long count) {
        if (!writable) throw readOnly();
        long a = address + (Objects.checkFromIndexSize(index, count, size >>> shift) << shift);
        long bytes = count << shift;
        try {
            while (bytes > 0) {
                long n = Math.min(bytes, COPY_STEP);
                U.copyMemory(src, srcOffset, null, a, n);
                a += n;
                srcOffset += n;
                bytes -= n;
            }
            U.loadFence();
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public void copyTo(long index, byte[] dst, int dstPos, int count) {
        Objects.checkFromIndexSize(dstPos, count, dst.length);
        copyOut(index, 0, count, dst, BYTES + dstPos);
    }

    @Override
    public void copyTo(long index, short[] dst, int dstPos, int count) {
        Objects.checkFromIndexSize(dstPos, count, dst.length);
        copyOut(index, 1, count, dst, SHORTS + 2L * dstPos);
    }

    @Override
    public void copyTo(long index, int[] dst, int dstPos, int count) {
        Objects.checkFromIndexSize(dstPos, count, dst.length);
        copyOut(index, 2, count, dst, INTS + 4L * dstPos);
    }

    @Override
    public void copyTo(long index, long[] dst, int dstPos, int count) {
        Objects.checkFromIndexSize(dstPos, count, dst.length);
        copyOut(index, 3, count, dst, LONGS + 8L * dstPos);
    }

    @Override
    public void copyTo(long index, float[] dst, int dstPos, int count) {
        Objects.checkFromIndexSize(dstPos, count, dst.length);
        copyOut(index, 2, count, dst, FLOATS + 4L * dstPos);
    }

    @Override
    public void copyTo(long index, double[] dst, int dstPos, int count) {
        Objects.checkFromIndexSize(dstPos, count, dst.length);
        copyOut(index, 3, count, dst, DOUBLES + 8L * dstPos);
    }

    @Override
    public void copyFrom(byte[] src, int srcPos, long index, int count) {
        Objects.checkFromIndexSize(srcPos, count, src.length);
        copyIn(src, BYTES + srcPos, index, 0, count);
    }

    @Override
    public void copyFrom(short[] src, int srcPos, long index, int count) {
        Objects.checkFromIndexSize(srcPos, count, src.length);
        copyIn(src, SHORTS + 2L * srcPos, index, 1, count);
    }

    @Override
    public void copyFrom(int[] src, int srcPos, long index, int count) {
        Objects.checkFromIndexSize(srcPos, count, src.length);
        copyIn(src, INTS + 4L * srcPos, index, 2, count);
    }

    @Override
    public void copyFrom(long[] src, int srcPos, long index, int count) {
        Objects.checkFromIndexSize(srcPos, count, src.length);
        copyIn(src, LONGS + 8L * srcPos, index, 3, count);
    }

    @Override
    public void copyFrom(float[] src, int srcPos, long index, int count) {
        Objects.checkFromIndexSize(srcPos, count, src.length);
        copyIn(src, FLOATS + 4L * srcPos, index, 2, count);
    }

    @Override
    public void copyFrom(double[] src, int srcPos, long index, int count) {
        Objects.checkFromIndexSize(srcPos, count, src.length);
        copyIn(src, DOUBLES + 8L * srcPos, index, 3, count);
    }

    @Override
    public void fill(long offset, long length, byte value) {
        if (!writable) throw readOnly();
        long a = address + Objects.checkFromIndexSize(offset, length, size);
        try {
            while (length > 0) {
                long n = Math.min(length, COPY_STEP);
                U.setMemory(a, n, value);
                a += n;
                length -= n;
            }
            U.loadFence();
        } finally {
            Reference.reachabilityFence(this);
        }
    }
}
