package io.shmarray.internal;

import java.nio.ByteBuffer;
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
 * default; the JVM needs them too).
 *
 * <p><b>Asking the collector</b> (one policy for this class and {@link ReceivedArrays}): once more
 * than {@link #SOFT_LIMIT} released mappings or {@link #BYTES_LIMIT} bytes wait <i>beyond what the
 * last collection left</i>, a daemon thread asks for a collection, at most one per 100 ms across
 * both; at twice the mapping limit a release also waits for the cleaners. What a collection does
 * not free is still reachable (a window kept after {@code close()}): it becomes the floor the limits
 * count from, so released memory that is still in use never makes the process collect again and
 * again; the floor follows the pending amount down as it is freed. While the floor is itself over
 * the limits, the thread looks again after a second, doubling to a minute while nothing is freed,
 * so the pages come back soon after the last window is let go.
 */
public final class MappedRegion {

    /** Bytes of released regions not yet unmapped, across all regions. */
    private static final AtomicLong PENDING_UNMAP = new AtomicLong();
    /** Released regions not yet unmapped: each holds a mapping (a VMA) of the process. */
    private static final AtomicInteger PENDING_MAPPINGS = new AtomicInteger();
    /** Released mappings allowed to wait for the collector before a release asks for a collection. */
    public static final int SOFT_LIMIT = softLimit();
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
            max = Integer.parseInt(Platform.readProcFile("/proc/sys/vm/max_map_count").trim());
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
    /** What the last collection left pending (still reachable then): the limits count from here. */
    private static final AtomicLong FLOOR_BYTES = new AtomicLong();
    private static final AtomicInteger FLOOR_MAPPINGS = new AtomicInteger();

    /** Pending bytes above the floor; lowers the floor when less is pending than it says. */
    private static long bytesOverFloor() {
        long pending = PENDING_UNMAP.get();
        FLOOR_BYTES.accumulateAndGet(pending, Math::min);
        return pending - FLOOR_BYTES.get();
    }

    /** Pending mappings above the floor; lowers the floor when fewer are pending than it says. */
    private static int mappingsOverFloor() {
        int pending = PENDING_MAPPINGS.get();
        FLOOR_MAPPINGS.accumulateAndGet(pending, Math::min);
        return pending - FLOOR_MAPPINGS.get();
    }

    private static boolean overLimits() {
        return mappingsOverFloor() > SOFT_LIMIT || bytesOverFloor() > BYTES_LIMIT;
    }

    /**
     * After a release: keeps the mappings (and /dev/shm pages) waiting for the collector bounded.
     * Collections are at most one per 100 ms, made by a daemon thread so that a close never waits
     * for one.
     */
    private static void limitPending() {
        if (!overLimits()) return;
        if (mappingsOverFloor() > 2 * SOFT_LIMIT) {
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

    /**
     * A collection, unless one was asked for (by this class or {@link ReceivedArrays}) in the last
     * 100 ms; whether this call asked for it.
     */
    static boolean collectSoon() {
        long last = LAST_COLLECTION.get();
        long now = System.nanoTime();
        if (now - last < 100_000_000L || !LAST_COLLECTION.compareAndSet(last, now)) return false;
        System.gc();
        return true;
    }

    /** Waits (up to a second) until the cleaners have stopped unmapping after a collection. */
    private static void awaitCleaners() throws InterruptedException {
        long bytes = PENDING_UNMAP.get();
        int maps = PENDING_MAPPINGS.get();
        for (int quiet = 0, i = 0; quiet < 2 && i < 50; i++) {
            Thread.sleep(20);
            long b = PENDING_UNMAP.get();
            int m = PENDING_MAPPINGS.get();
            quiet = b < bytes || m < maps ? 0 : quiet + 1;
            bytes = b;
            maps = m;
        }
    }

    /** Sets the floor to what is pending now: what the last collection left reachable. */
    private static void raiseFloor() {
        FLOOR_BYTES.set(PENDING_UNMAP.get());
        FLOOR_MAPPINGS.set(PENDING_MAPPINGS.get());
    }

    /** Whether the floor itself (released but still reachable) is over the limits. */
    private static boolean floorOverLimits() {
        return FLOOR_MAPPINGS.get() > SOFT_LIMIT || FLOOR_BYTES.get() > BYTES_LIMIT;
    }

    private static void followUp() {
        do {
            try {
                collectWhileOverLimits();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                FOLLOW_UP.set(false);
            }
        } while (overLimits() && FOLLOW_UP.compareAndSet(false, true)); // a release raced the exit
    }

    /**
     * Collects while more than the limits wait beyond the floor. While the floor itself is over the
     * limits (memory released but kept reachable), looks again now and then — after 1 s, doubling
     * to a minute while nothing is freed — so that it is unmapped soon once let go.
     */
    private static void collectWhileOverLimits() throws InterruptedException {
        Thread.sleep(10);
        long backoff = 1_000_000_000L;
        long nextLook = System.nanoTime() + backoff;
        while (true) {
            if (overLimits()) {
                if (collectSoon()) {
                    awaitCleaners();
                    raiseFloor();
                } else {
                    Thread.sleep(20);
                }
                continue;
            }
            if (!floorOverLimits()) return;
            if (System.nanoTime() - nextLook >= 0) {
                long bytes = PENDING_UNMAP.get();
                int maps = PENDING_MAPPINGS.get();
                if (collectSoon()) {
                    awaitCleaners();
                    boolean freed = PENDING_UNMAP.get() < bytes || PENDING_MAPPINGS.get() < maps;
                    raiseFloor();
                    backoff = freed ? 1_000_000_000L : Math.min(2 * backoff, 60_000_000_000L);
                }
                nextLook = System.nanoTime() + backoff;
            }
            Thread.sleep(20);
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
            PENDING_MAPPINGS.incrementAndGet();
            limitPending();
        }
    }
}
