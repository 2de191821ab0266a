package io.shmarray.internal;

import io.shmarray.AccessMode;
import io.shmarray.DType;
import io.shmarray.Lifetime;
import io.shmarray.SegmentNotReadyException;
import io.shmarray.ShmException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The per-process registry of mapped segments, and the owner side of their lifetime.
 *
 * <p>Each segment (identified by device and inode, so a name unlinked and created again is a
 * different segment) is mapped at most once per access mode; attaching to it again only takes a
 * reference. The last {@link #release} unmaps the data and header and closes the descriptor; if
 * this process owns the segment (created it owner-scoped, or adopted it) it also removes the name
 * — but only if the name still denotes this very segment and no other process adopted it since.
 *
 * <p>On first use in a process the registry sweeps /dev/shm once ({@code shmarray_sweep}):
 * segments whose owner died without removing them are reclaimed, each with a log line
 * ({@value #SWEEP_PROPERTY}{@code =false} turns this off).
 */
public final class Attachments {

    /** System property: {@code false} disables the sweep of /dev/shm on first use. */
    public static final String SWEEP_PROPERTY = "io.shmarray.sweepOnStart";

    /** System property: how long attach waits for a segment whose creator has not published it. */
    public static final String NOT_READY_WAIT_PROPERTY = "io.shmarray.notReadyWaitMillis";

    private static final System.Logger LOG = System.getLogger("io.shmarray");
    private static final Object LOCK = new Object();
    private static final Map<Key, Attachment> LIVE = new HashMap<>();
    private static boolean swept;

    /** Registry key: the segment's identity, the access mode, and whether it is raw. */
    static final class Key {
        final long dev;
        final long ino;
        final AccessMode mode;
        final boolean raw;

        Key(long dev, long ino, AccessMode mode, boolean raw) {
            this.dev = dev;
            this.ino = ino;
            this.mode = mode;
            this.raw = raw;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Key)) return false;
            Key k = (Key) o;
            return dev == k.dev && ino == k.ino && mode == k.mode && raw == k.raw;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(ino) * 31 + Long.hashCode(dev) * 7 + mode.hashCode() + (raw ? 1 : 0);
        }
    }

    private Attachments() {}

    /** Runs the startup sweep once per process (unless disabled). */
    static void sweepOnce() {
        synchronized (LOCK) {
            if (swept) return;
            swept = true;
        }
        if (!Boolean.parseBoolean(System.getProperty(SWEEP_PROPERTY, "true"))) return;
        String report;
        try {
            report = sweep(false);
        } catch (ShmException e) {
            LOG.log(Level.DEBUG, "shmarray: sweep of /dev/shm failed: " + e.getMessage());
            return;
        }
        for (String line : report.split("\n")) {
            if (line.startsWith("reclaimed ")) {
                LOG.log(Level.INFO, "shmarray: removed stale segment " + line.substring(10)
                        + " (its owner is gone; found by the startup sweep)");
            } else if (line.startsWith("corrupt ")) {
                LOG.log(Level.INFO, "shmarray: left alone /dev/shm/" + line.substring(8));
            } else if (line.startsWith("damaged ")) {
                LOG.log(Level.INFO, "shmarray: left alone /dev/shm/" + line.substring(8)
                        + "; its owner removes it when it closes it ('ls' lists it)");
            } else if (!line.isEmpty()) {
                LOG.log(Level.DEBUG, "shmarray: sweep: " + line);
            }
        }
    }

    /**
     * Runs {@code shmarray_sweep} over /dev/shm now and returns its report, one line per decision
     * ("reclaimed NAME owner=PID", "corrupt NAME why", "damaged NAME why", "foreign N").
     *
     * @throws ShmException when /dev/shm cannot be scanned
     */
    public static String sweep(boolean dryRun) {
        Backend b = Backends.get();
        byte[] report = new byte[65536];
        int n = b.sweep(null, dryRun, report);
        if (n < 0) throw NativeErrors.toException(b, n, "sweep", null, -1);
        int len = 0;
        while (len < report.length && report[len] != 0) len++;
        return new String(report, 0, len, StandardCharsets.UTF_8);
    }

    /**
     * Creates a new segment and maps it read-write. A generated name that turns out to be taken
     * or squatted (a planted file, a symlink) is replaced by a fresh one, never adopted.
     *
     * @throws IllegalArgumentException for a bad name or a shape that overflows
     * @throws io.shmarray.ShmException typed by cause (exists, no space, ...)
     */
    public static Attachment create(String name, boolean generatedName, DType dtype, long[] shape, Lifetime lifetime) {
        sweepOnce();
        String n = Names.check(name);
        Backend b = Backends.get();
        long requested = requestedBytes(b, dtype, shape);
        int flags = lifetime == Lifetime.PERSISTENT ? SegmentHeaderDescriptor.FLAG_PERSISTENT : 0;
        byte[] h = new byte[SegmentHeaderDescriptor.HEADER_SIZE];
        int fd = b.create(n, dtype.code(), shape, flags, h);
        for (int attempt = 0; generatedName && fd == -NativeErrors.EEXIST && attempt < 8; attempt++) {
            LOG.log(Level.WARNING, "shmarray: generated name " + n + " already exists in /dev/shm (squatted?);"
                    + " trying a fresh one");
            n = Names.generate();
            fd = b.create(n, dtype.code(), shape, flags, h);
        }
        if (fd == -NativeErrors.ENOSPC && awaitPendingUnmaps()) {
            fd = b.create(n, dtype.code(), shape, flags, h); // space came back from released mappings
        }
        if (fd < 0) throw NativeErrors.toException(b, fd, "create", n, requested);
        boolean success = false;
        try {
            Attachment a = open(b, fd, n, SegmentHeaderDescriptor.read(h), AccessMode.READ_WRITE);
            if (lifetime == Lifetime.OWNER_SCOPED) {
                synchronized (LOCK) {
                    a.owned = true;
                }
                Reaper.register(n);
            }
            success = true;
            return a;
        } finally {
            if (!success) {
                b.close(fd);
                b.unlink(n);
            }
        }
    }

    /**
     * Attaches to an existing shmarray segment in the given mode, or takes a reference on the
     * mapping this process already has. A segment whose creator has not published its header yet
     * is waited for ({@value #NOT_READY_WAIT_PROPERTY}, default 2000 ms), then refused.
     */
    public static Attachment attach(String name, AccessMode mode) {
        sweepOnce();
        String n = Names.check(name);
        Backend b = Backends.get();
        byte[] h = new byte[SegmentHeaderDescriptor.HEADER_SIZE];
        long waitMillis = Long.getLong(NOT_READY_WAIT_PROPERTY, 2000L);
        long deadline = System.nanoTime() + waitMillis * 1_000_000L;
        long pause = 1;
        int fd;
        while ((fd = b.attach(n, mode == AccessMode.READ_WRITE, h)) == -NativeErrors.E_NOT_READY
                && System.nanoTime() < deadline) {
            sleep(pause);
            pause = Math.min(pause * 2, 50);
        }
        if (fd == -NativeErrors.E_NOT_READY) {
            throw new SegmentNotReadyException("attach '" + n + "' failed: its creator has not published the header"
                    + " after " + waitMillis + " ms; it is still being created, or its creator died (the sweep"
                    + " reclaims such segments once the creator is gone)", NativeErrors.E_NOT_READY, n);
        }
        if (fd < 0) throw NativeErrors.toException(b, fd, "attach", n, -1);
        boolean success = false;
        try {
            Attachment a = open(b, fd, n, SegmentHeaderDescriptor.read(h), mode);
            success = true;
            return a;
        } finally {
            if (!success) b.close(fd);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ShmException("interrupted while waiting for a segment to become ready", NativeErrors.EINTR, null);
        }
    }

    /** Attaches to a segment without a shmarray header; the whole segment is the data. */
    public static Attachment attachRaw(String name, AccessMode mode) {
        String n = Names.check(name);
        Backend b = Backends.get();
        int fd = b.attachRaw(n, mode == AccessMode.READ_WRITE);
        if (fd < 0) throw NativeErrors.toException(b, fd, "attach", n, -1);
        boolean success = false;
        try {
            Attachment a = open(b, fd, n, null, mode);
            success = true;
            return a;
        } finally {
            if (!success) b.close(fd);
        }
    }

    /** Maps {@code fd} (or reuses this process's mapping of the same segment); consumes {@code fd}. */
    private static Attachment open(Backend b, int fd, String name, SegmentHeader header, AccessMode mode) {
        long[] id = new long[2];
        int rc = b.identity(fd, id);
        if (rc < 0) throw NativeErrors.toException(b, rc, "fstat", name, -1);
        Key key = new Key(id[0], id[1], mode, header == null);
        synchronized (LOCK) {
            Attachment existing = LIVE.get(key);
            if (existing != null) {
                existing.refs++;
                b.close(fd);
                return existing;
            }
            boolean writable = mode != AccessMode.READ_ONLY;
            boolean privateCopy = mode == AccessMode.COPY_ON_WRITE;
            HeaderPage headerPage = null;
            MappedRegion data = null;
            boolean success = false;
            try {
                long dataOffset;
                long dataLength;
                if (header == null) {
                    dataOffset = 0;
                    dataLength = b.size(fd);
                    if (dataLength < 0) throw NativeErrors.toException(b, dataLength, "fstat", name, -1);
                } else {
                    dataOffset = header.dataOffset();
                    dataLength = header.dataLength();
                }
                if (header != null && !privateCopy) {
                    // header page and data in one mapping: one mmap and one of the process's mappings
                    MappedRegion whole = MappedRegion.map(b, fd, 0, dataOffset + dataLength, writable, false, name);
                    headerPage = new HeaderPage(whole.slice(0, b.pageSize()));
                    data = whole.slice(dataOffset, dataLength);
                } else {
                    if (header != null) { // copy-on-write data: the header stays shared, read-only
                        headerPage = new HeaderPage(MappedRegion.map(b, fd, 0, b.pageSize(), false, false, name));
                    }
                    data = MappedRegion.map(b, fd, dataOffset, dataLength, writable, privateCopy, name);
                }
                Attachment a = new Attachment(name, mode, header, headerPage, data, fd, key);
                a.poisoned = header != null && header.poisoned();
                LIVE.put(key, a);
                success = true;
                return a;
            } finally {
                if (!success) {
                    if (headerPage != null) headerPage.release();
                    if (data != null) data.release();
                }
            }
        }
    }

    /** Takes one more reference (for a view); the attachment must be live. */
    public static void retain(Attachment a) {
        synchronized (LOCK) {
            if (a.refs <= 0) throw new IllegalStateException("Already closed: " + a);
            a.refs++;
        }
    }

    /**
     * Drops one reference. The last one unmaps and closes; if this process owns the segment, it
     * also removes the name (when the name still denotes this segment and nobody adopted it).
     */
    public static void release(Attachment a) {
        release(a, false);
    }

    /** Counts one more reference of {@code a} as held by a received array. */
    static void markReceived(Attachment a) {
        synchronized (LOCK) {
            if (a.refs > a.receivedRefs) a.receivedRefs++;
        }
    }

    /** As {@link #release(Attachment)}; {@code received} when the reference was a received array's. */
    public static void release(Attachment a, boolean received) {
        boolean removeName;
        synchronized (LOCK) {
            if (a.refs <= 0) return;
            if (received && a.receivedRefs > 0) a.receivedRefs--;
            if (--a.refs > 0) return;
            LIVE.remove(a.key);
            removeName = a.owned;
            a.owned = false;
        }
        Backend b = Backends.get();
        try {
            if (removeName) {
                int rc = stillOurs(b, a) ? b.unlink(a.name) : 0;
                if (rc < 0 && rc != -NativeErrors.ENOENT) {
                    // still there: the reaper (and the sweep) keep it on their list
                    LOG.log(Level.WARNING, "shmarray: could not remove " + a.name + " on close ("
                            + b.strerror(rc) + "); the reaper removes it when this process ends");
                } else {
                    Reaper.unregister(a.name);
                }
            }
        } finally {
            a.data.release();
            if (a.headerPage != null) a.headerPage.release();
            b.close(a.fd);
        }
    }

    /**
     * The name still denotes a's segment, and its header does not name another owner. A header
     * another process overwrote (bad magic or any invalid field) names nobody: the segment is still
     * ours by identity (device and inode) and is removed, with a warning, rather than left behind
     * invisible. Only a valid header naming another pid means someone adopted it.
     */
    private static boolean stillOurs(Backend b, Attachment a) {
        // identity by stat of the name: no new descriptor, so this works with no fd to spare
        if (!sameSegment(a)) return false;
        if (a.headerPage == null) return true;
        long size = b.size(a.fd);
        if (size < SegmentHeaderDescriptor.HEADER_SIZE) return true; // truncated by someone: damaged, ours
        long me = ProcessHandle.current().pid();
        if (a.headerPage.ownerPid() == me && Platform.isOurPidNamespace(a.headerPage.ownerPidNamespace())
                && Platform.isThisBoot(a.headerPage.ownerBoot())) {
            return true; // names us (valid or damaged, it is ours either way)
        }
        byte[] copy = a.headerPage.copy();
        if (b.validateHeader(copy, copy.length, size) != 0) {
            LOG.log(Level.WARNING, "shmarray: removing " + a.name + ", whose header another process damaged");
            return true;
        }
        return a.headerPage.ownerPid() == ProcessHandle.current().pid()
                && Platform.isOurPidNamespace(a.headerPage.ownerPidNamespace())
                && Platform.isThisBoot(a.headerPage.ownerBoot());
    }

    /** Makes this process the owner: writes its identity into the header and registers with the reaper. */
    public static void adopt(Attachment a, long pid, long startTime) {
        a.headerPage.writeOwner(pid, startTime, Platform.pidNamespace(), Platform.bootId());
        synchronized (LOCK) {
            a.owned = true;
        }
        Reaper.register(a.name);
    }

    /** Gives up ownership: the name then stays until unlinked. */
    public static void disown(Attachment a) {
        boolean was;
        synchronized (LOCK) {
            was = a.owned;
            a.owned = false;
        }
        if (was) Reaper.unregister(a.name);
    }

    /** Whether this process will remove the name when it is done with the segment. */
    public static boolean owned(Attachment a) {
        synchronized (LOCK) {
            return a.owned;
        }
    }

    /**
     * Bytes of received mappings (held at least in part by received arrays) whose segment name is
     * gone or now denotes another segment — their owner closed or unlinked them — or that this
     * process owns while only received arrays still hold them: what keeps /dev/shm pages in use
     * after the owner let go, and what a collection may free.
     */
    public static long staleReceivedBytes() {
        java.util.List<Attachment> candidates = new java.util.ArrayList<>();
        long stale = 0;
        synchronized (LOCK) {
            for (Attachment a : LIVE.values()) {
                if (a.receivedRefs <= 0) continue;
                if (a.owned && a.refs == a.receivedRefs) stale += a.data.length();
                else candidates.add(a);
            }
        }
        for (Attachment a : candidates) {
            if (!sameSegment(a)) stale += a.data.length();
        }
        return stale;
    }

    /** Whether /dev/shm/NAME is still a's segment (same device and inode); a stat, no descriptor. */
    private static boolean sameSegment(Attachment a) {
        try {
            java.util.Map<String, Object> id = java.nio.file.Files.readAttributes(NativeErrors.DEV_SHM.resolve(a.name),
                    "unix:dev,ino", java.nio.file.LinkOption.NOFOLLOW_LINKS);
            return ((Number) id.get("ino")).longValue() == a.key.ino && ((Number) id.get("dev")).longValue() == a.key.dev;
        } catch (java.io.IOException | RuntimeException gone) {
            return false;
        }
    }

    /** Segments mapped by this process now (for tests and diagnostics). */
    public static int liveCount() {
        synchronized (LOCK) {
            return LIVE.size();
        }
    }

    /** Removes a name; existing mappings stay valid. This process no longer owns it. */
    public static void unlink(String name) {
        Backend b = Backends.get();
        int rc = b.unlink(name);
        synchronized (LOCK) {
            for (Attachment a : LIVE.values()) {
                if (a.name.equals(name)) a.owned = false;
            }
        }
        Reaper.unregister(name);
        if (rc < 0) throw NativeErrors.toException(b, rc, "unlink", name, -1);
    }

    private static long requestedBytes(Backend b, DType dtype, long[] shape) {
        if (shape == null) throw new IllegalArgumentException("shape is null");
        if (shape.length > SegmentHeaderDescriptor.MAX_RANK) {
            throw new IllegalArgumentException("rank=" + shape.length + ", must be <= " + SegmentHeaderDescriptor.MAX_RANK);
        }
        try {
            long n = dtype.byteSize();
            for (int i = 0; i < shape.length; i++) {
                if (shape[i] < 0) throw new IllegalArgumentException("shape[" + i + "]=" + shape[i] + ", must be >= 0");
                n = Math.multiplyExact(n, shape[i]);
            }
            return Math.addExact(n, Math.max(b.pageSize(), SegmentHeaderDescriptor.HEADER_SIZE));
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " of " + dtype + " overflows 2^63 bytes");
        }
    }

    /**
     * Released mappings are unmapped only once unreachable; their pages still count against
     * /dev/shm. Like {@code java.nio.Bits.reserveMemory} for direct buffers, ask the collector
     * once and wait briefly. Returns whether anything was unmapped.
     */
    private static boolean awaitPendingUnmaps() {
        return MappedRegion.pendingUnmapBytes() > 0 && MappedRegion.reclaim();
    }
}
