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
 * {@code SegmentTruncatedException}; never a crash. Bulk copies and fills end with a fence that
 * delivers it inside the copy, where it becomes the typed exception. JDK 22+ reports faults
 * synchronously.
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

    /** The address of {@code n} bytes at {@code offset}, checked against this memory. */
    private long at(long offset, int n) {
        return address + Objects.checkIndex(offset, size - n + 1);
    }

    private long aligned(long offset, int n) {
        long a = at(offset, n);
        if ((a & (n - 1)) != 0) throw misaligned(a, n);
        return a;
    }

    private long writableAt(long offset, int n) {
        if (!writable) throw readOnly();
        return at(offset, n);
    }

    private long writableAligned(long offset, int n) {
        if (!writable) throw readOnly();
        return aligned(offset, n);
    }

    // ------------------------------------------------------------------ plain typed access

    @Override
    public byte getByte(long offset) {
        try {
            return U.getByte(null, at(offset, 1));
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public void putByte(long offset, byte value) {
        try {
            U.putByte(null, writableAt(offset, 1), value);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public short getShort(long offset) {
        try {
            return U.getShort(null, at(offset, 2));
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public void putShort(long offset, short value) {
        try {
            U.putShort(null, writableAt(offset, 2), value);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public int getInt(long offset) {
        try {
            return U.getInt(null, at(offset, 4));
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public void putInt(long offset, int value) {
        try {
            U.putInt(null, writableAt(offset, 4), value);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public long getLong(long offset) {
        try {
            return U.getLong(null, at(offset, 8));
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public void putLong(long offset, long value) {
        try {
            U.putLong(null, writableAt(offset, 8), value);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public float getFloat(long offset) {
        try {
            return U.getFloat(null, at(offset, 4));
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public void putFloat(long offset, float value) {
        try {
            U.putFloat(null, writableAt(offset, 4), value);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public double getDouble(long offset) {
        try {
            return U.getDouble(null, at(offset, 8));
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public void putDouble(long offset, double value) {
        try {
            U.putDouble(null, writableAt(offset, 8), value);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    // ------------------------------------------------------------------ atomics

    @Override
    public int getIntVolatile(long offset) {
        try {
            return U.getIntVolatile(null, aligned(offset, 4));
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public void putIntVolatile(long offset, int value) {
        try {
            U.putIntVolatile(null, writableAligned(offset, 4), value);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public int getIntAcquire(long offset) {
        return getIntVolatile(offset); // sun.misc.Unsafe has no acquire load: volatile is stronger
    }

    @Override
    public void putIntRelease(long offset, int value) {
        try {
            U.putOrderedInt(null, writableAligned(offset, 4), value);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public boolean compareAndSetInt(long offset, int expected, int value) {
        try {
            return U.compareAndSwapInt(null, writableAligned(offset, 4), expected, value);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public int getAndAddInt(long offset, int delta) {
        try {
            return U.getAndAddInt(null, writableAligned(offset, 4), delta);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public int getAndBitwiseOrInt(long offset, int bits) {
        try {
            long a = writableAligned(offset, 4);
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
    public int getAndBitwiseAndInt(long offset, int bits) {
        try {
            long a = writableAligned(offset, 4);
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
    public long getLongVolatile(long offset) {
        try {
            return U.getLongVolatile(null, aligned(offset, 8));
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public void putLongVolatile(long offset, long value) {
        try {
            U.putLongVolatile(null, writableAligned(offset, 8), value);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public long getLongAcquire(long offset) {
        return getLongVolatile(offset);
    }

    @Override
    public void putLongRelease(long offset, long value) {
        try {
            U.putOrderedLong(null, writableAligned(offset, 8), value);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public boolean compareAndSetLong(long offset, long expected, long value) {
        try {
            return U.compareAndSwapLong(null, writableAligned(offset, 8), expected, value);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public long getAndAddLong(long offset, long delta) {
        try {
            return U.getAndAddLong(null, writableAligned(offset, 8), delta);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    // ------------------------------------------------------------------ bulk

    private void copyOut(long offset, long bytes, Object dst, long dstOffset) {
        long a = address + Objects.checkFromIndexSize(offset, bytes, size);
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

    private void copyIn(Object src, long srcOffset, long offset, long bytes) {
        if (!writable) throw readOnly();
        long a = address + Objects.checkFromIndexSize(offset, bytes, size);
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
    public void copyTo(long offset, byte[] dst, int dstPos, int count) {
        Objects.checkFromIndexSize(dstPos, count, dst.length);
        copyOut(offset, count, dst, BYTES + dstPos);
    }

    @Override
    public void copyTo(long offset, short[] dst, int dstPos, int count) {
        Objects.checkFromIndexSize(dstPos, count, dst.length);
        copyOut(offset, 2L * count, dst, SHORTS + 2L * dstPos);
    }

    @Override
    public void copyTo(long offset, int[] dst, int dstPos, int count) {
        Objects.checkFromIndexSize(dstPos, count, dst.length);
        copyOut(offset, 4L * count, dst, INTS + 4L * dstPos);
    }

    @Override
    public void copyTo(long offset, long[] dst, int dstPos, int count) {
        Objects.checkFromIndexSize(dstPos, count, dst.length);
        copyOut(offset, 8L * count, dst, LONGS + 8L * dstPos);
    }

    @Override
    public void copyTo(long offset, float[] dst, int dstPos, int count) {
        Objects.checkFromIndexSize(dstPos, count, dst.length);
        copyOut(offset, 4L * count, dst, FLOATS + 4L * dstPos);
    }

    @Override
    public void copyTo(long offset, double[] dst, int dstPos, int count) {
        Objects.checkFromIndexSize(dstPos, count, dst.length);
        copyOut(offset, 8L * count, dst, DOUBLES + 8L * dstPos);
    }

    @Override
    public void copyFrom(byte[] src, int srcPos, long offset, int count) {
        Objects.checkFromIndexSize(srcPos, count, src.length);
        copyIn(src, BYTES + srcPos, offset, count);
    }

    @Override
    public void copyFrom(short[] src, int srcPos, long offset, int count) {
        Objects.checkFromIndexSize(srcPos, count, src.length);
        copyIn(src, SHORTS + 2L * srcPos, offset, 2L * count);
    }

    @Override
    public void copyFrom(int[] src, int srcPos, long offset, int count) {
        Objects.checkFromIndexSize(srcPos, count, src.length);
        copyIn(src, INTS + 4L * srcPos, offset, 4L * count);
    }

    @Override
    public void copyFrom(long[] src, int srcPos, long offset, int count) {
        Objects.checkFromIndexSize(srcPos, count, src.length);
        copyIn(src, LONGS + 8L * srcPos, offset, 8L * count);
    }

    @Override
    public void copyFrom(float[] src, int srcPos, long offset, int count) {
        Objects.checkFromIndexSize(srcPos, count, src.length);
        copyIn(src, FLOATS + 4L * srcPos, offset, 4L * count);
    }

    @Override
    public void copyFrom(double[] src, int srcPos, long offset, int count) {
        Objects.checkFromIndexSize(srcPos, count, src.length);
        copyIn(src, DOUBLES + 8L * srcPos, offset, 8L * count);
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
