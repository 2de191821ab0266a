package io.shmarray.internal;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
 * Each pending mapping also holds one of the process's {@code vm.max_map_count} mappings (65,530 by
 * default; the JVM needs them too): once more than {@link #SOFT_LIMIT} released mappings or
 * {@link #BYTES_LIMIT} bytes wait, a release asks the collector (at most every 100 ms), and at twice
 * the mapping limit it also waits for the cleaners, so a fast create/close loop can never exhaust
 * them and a closed large segment's pages come back within a collection.
 */
public final class MappedRegion {

    /** Bytes of released regions not yet unmapped, across all regions. */
    private static final AtomicLong PENDING_UNMAP = new AtomicLong();
    /** Released regions not yet unmapped: each holds a mapping (a VMA) of the process. */
    private static final AtomicInteger PENDING_MAPPINGS = new AtomicInteger();
    /** Released mappings allowed to wait for the collector before a release asks for a collection. */
    static final int SOFT_LIMIT = softLimit();
    private static final AtomicLong LAST_COLLECTION = new AtomicLong(System.nanoTime() - 1_000_000_000L);

    private final long length;
    private final boolean writable;
    private final Memory memory;
    private final AtomicBoolean released;
    /** The region whose mapping this one is part of, or null when it is the mapping itself. */
    private final MappedRegion parent;

    private MappedRegion(long length, boolean writable, Memory memory, AtomicBoolean released, MappedRegion parent) {
        this.length = length;
        this.writable = writable;
        this.memory = memory;
        this.released = released;
        this.parent = parent;
    }

    /**
     * The part {@code [offset, offset + length)} of this region, sharing its mapping: releasing
     * either releases the mapping (once). Used to map a header page and its data together.
     */
    public MappedRegion slice(long offset, long length) {
        MappedRegion root = parent == null ? this : parent;
        return new MappedRegion(length, writable, memory.slice(offset, length), root.released, root);
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
        if (a == -NativeErrors.ENOMEM && reclaim()) { // out of mappings: released ones come back first
            a = b.map(fd, offset, length, writable ? 3 : 1, privateCopy ? 1 : 0);
        }
        if (a < 0) throw NativeErrors.toException(b, a, "map", name, length);
        AtomicBoolean released = new AtomicBoolean();
        boolean success = false;
        try {
            Memory m = Memories.map(b, a, length, writable, new Unmap(b, a, length, released));
            success = true;
            return new MappedRegion(length, writable, m, released, null);
        } finally {
            if (!success) b.unmap(a, length);
        }
    }

    /** A region of no bytes (an array with a zero extent): nothing is mapped. */
    public static MappedRegion empty(boolean writable) {
        return new MappedRegion(0, writable, Memories.empty(writable), new AtomicBoolean(), null);
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
            if (released.get()) {
                PENDING_UNMAP.addAndGet(-length);
                PENDING_MAPPINGS.decrementAndGet();
            }
        }
    }

    /** An eighth of {@code vm.max_map_count}, at most 8,192: the JVM and the application need the rest. */
    private static int softLimit() {
        int max = 65_530;
        try {
            max = Integer.parseInt(Files.readString(Path.of("/proc/sys/vm/max_map_count")).trim());
        } catch (java.io.IOException | RuntimeException e) {
            // keep the kernel's default
        }
        return Math.max(256, Math.min(8192, max / 8));
    }

    /**
     * Asks the collector for the released mappings and waits up to a second for the cleaners to
     * unmap some. Returns whether anything was unmapped (for retrying a create or map that found
     * no room).
     */
    public static boolean reclaim() {
        long bytes = PENDING_UNMAP.get();
        int maps = PENDING_MAPPINGS.get();
        if (bytes <= 0 && maps <= 0) return false;
        LAST_COLLECTION.set(System.nanoTime());
        System.gc();
        long deadline = System.nanoTime() + 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (PENDING_UNMAP.get() < bytes || PENDING_MAPPINGS.get() < maps) return true;
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return PENDING_UNMAP.get() < bytes || PENDING_MAPPINGS.get() < maps;
    }

    /** Bytes of closed mappings allowed to wait for the collector: pages other processes may need. */
    static final long BYTES_LIMIT = 64L << 20;
    private static final AtomicBoolean FOLLOW_UP = new AtomicBoolean();

    /**
     * After a release: keeps the mappings (and /dev/shm pages) waiting for the collector bounded.
     * Collections are at most one per 100 ms, made by a daemon thread so that a close never waits
     * for one; pages never wait for an unrelated collection.
     */
    private static void limitPending(int pending) {
        if (pending <= SOFT_LIMIT && PENDING_UNMAP.get() <= BYTES_LIMIT) return;
        if (pending > 2 * SOFT_LIMIT) {
            reclaim(); // far behind: wait for the cleaners
            return;
        }
        // Not here: the closing array is still reachable from this very call. A daemon collects
        // once the caller has let go, and again while the limits are exceeded.
        if (FOLLOW_UP.compareAndSet(false, true)) {
            Thread t = new Thread(MappedRegion::followUp, "shmarray-unmap");
            t.setDaemon(true);
            t.start();
        }
    }

    /** A collection unless one ran in the last 100 ms; whether one was asked for. */
    private static boolean collectSoon() {
        long last = LAST_COLLECTION.get();
        long now = System.nanoTime();
        if (now - last < 100_000_000L || !LAST_COLLECTION.compareAndSet(last, now)) return false;
        System.gc();
        return true;
    }

    private static void followUp() {
        try {
            Thread.sleep(10);
            while (PENDING_MAPPINGS.get() > SOFT_LIMIT || PENDING_UNMAP.get() > BYTES_LIMIT) {
                if (!collectSoon()) Thread.sleep(20);
                else Thread.sleep(100); // the cleaners run after the collection
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            FOLLOW_UP.set(false);
        }
    }

    /** Bytes of released regions whose unmapping waits for the garbage collector. */
    public static long pendingUnmapBytes() {
        return PENDING_UNMAP.get();
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
        if (parent != null) {
            parent.release();
            return;
        }
        if (length > 0 && released.compareAndSet(false, true)) {
            PENDING_UNMAP.addAndGet(length);
            limitPending(PENDING_MAPPINGS.incrementAndGet());
        }
    }
}
