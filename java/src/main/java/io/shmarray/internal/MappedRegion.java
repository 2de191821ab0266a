package io.shmarray.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One mapping of a segment range, reached through its {@link Memory} (typed access, chosen by JDK
 * version) and through buffer windows.
 *
 * <p><b>Lifetime:</b> {@link #release()} ends this process's use of the region; the pages are
 * unmapped once the region's memory, every slice of it and every window are unreachable (a
 * {@link java.lang.ref.Cleaner} or an automatic arena). A reader racing {@code close()} therefore
 * never touches unmapped memory, on either backend and JDK. Until then a released, unlinked
 * segment still occupies /dev/shm: {@link #pendingUnmapBytes()} counts it, and creating a segment
 * that does not fit asks the collector first (as {@code java.nio.Bits} does for direct buffers).
 */
public final class MappedRegion {

    /** Bytes of released regions not yet unmapped, across all regions. */
    private static final AtomicLong PENDING_UNMAP = new AtomicLong();

    private final long length;
    private final boolean writable;
    private final Memory memory;
    private final AtomicBoolean released;

    private MappedRegion(long length, boolean writable, Memory memory, AtomicBoolean released) {
        this.length = length;
        this.writable = writable;
        this.memory = memory;
        this.released = released;
    }

    /**
     * Maps {@code length} bytes of the segment from {@code offset} (page-aligned): shared or private
     * ({@code privateCopy}), writable or not.
     *
     * @throws io.shmarray.ShmException when the mapping fails
     */
    public static MappedRegion map(Backend b, int fd, long offset, long length, boolean writable, boolean privateCopy,
            String name) {
        if (length == 0) return empty(writable);
        long a = b.map(fd, offset, length, writable ? 3 : 1, privateCopy ? 1 : 0);
        if (a < 0) throw NativeErrors.toException(b, a, "map", name, length);
        AtomicBoolean released = new AtomicBoolean();
        boolean success = false;
        try {
            Memory m = Memories.map(b, a, length, writable, new Unmap(b, a, length, released));
            success = true;
            return new MappedRegion(length, writable, m, released);
        } finally {
            if (!success) b.unmap(a, length);
        }
    }

    /** A region of no bytes (an array with a zero extent): nothing is mapped. */
    public static MappedRegion empty(boolean writable) {
        return new MappedRegion(0, writable, Memories.empty(writable), new AtomicBoolean());
    }

    /** The unmapping action: references neither the memory nor the region. */
    private static final class Unmap implements Runnable {
        private final Backend backend;
        private final long address;
        private final long length;
        private final AtomicBoolean released;

        Unmap(Backend backend, long address, long length, AtomicBoolean released) {
            this.backend = backend;
            this.address = address;
            this.length = length;
            this.released = released;
        }

        @Override
        public void run() {
            backend.unmap(address, length);
            if (released.get()) PENDING_UNMAP.addAndGet(-length);
        }
    }

    /** Bytes of released regions whose unmapping waits for the garbage collector. */
    public static long pendingUnmapBytes() {
        return PENDING_UNMAP.get();
    }

    /** Which memory-access implementation this JVM uses. */
    public static String memoryKind() {
        return Memories.kind();
    }

    public long length() {
        return length;
    }

    public boolean writable() {
        return writable;
    }

    /** Typed access to the whole region. */
    public Memory memory() {
        return memory;
    }

    /** A native-order buffer over {@code [offset, offset + len)}; it keeps the mapping alive. */
    public ByteBuffer window(long offset, int len) {
        return memory.buffer(offset, len);
    }

    /**
     * The native address of byte {@code offset}, for native calls on it (the lock in a header
     * page); keep this region reachable while the call runs.
     */
    public long address(long offset) {
        if (offset < 0 || offset >= length) throw new IndexOutOfBoundsException("offset " + offset);
        return memory.address(offset);
    }

    /** Ends this process's use of the region; idempotent. */
    public void release() {
        if (length > 0 && released.compareAndSet(false, true)) PENDING_UNMAP.addAndGet(length);
    }
}
