package io.shmarray.internal;

import io.shmarray.AccessMode;
import io.shmarray.DType;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The per-process registry of mapped segments. Each segment (identified by device and inode, so
 * a name unlinked and created again is a different segment) is mapped at most once per access
 * mode; attaching to it again only takes a reference. The last {@link #release} unmaps the data
 * and header and closes the descriptor.
 */
public final class Attachments {

    private static final Object LOCK = new Object();
    private static final Map<Key, Attachment> LIVE = new HashMap<>();

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

    /**
     * Creates a new segment and maps it read-write.
     *
     * @throws IllegalArgumentException for a bad name or a shape that overflows
     * @throws io.shmarray.ShmException typed by cause (exists, no space, ...)
     */
    public static Attachment create(String name, DType dtype, long[] shape, int flags) {
        String n = Names.check(name);
        Backend b = Backends.get();
        long requested = requestedBytes(b, dtype, shape);
        byte[] h = new byte[SegmentHeaderDescriptor.HEADER_SIZE];
        int fd = b.create(n, dtype.code(), shape, flags, h);
        if (fd == -NativeErrors.ENOSPC && awaitPendingUnmaps(b)) {
            fd = b.create(n, dtype.code(), shape, flags, h); // space came back from released mappings
        }
        if (fd < 0) throw NativeErrors.toException(b, fd, "create", n, requested);
        boolean success = false;
        try {
            Attachment a = open(b, fd, n, SegmentHeaderDescriptor.read(h), AccessMode.READ_WRITE);
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
     * mapping this process already has.
     */
    public static Attachment attach(String name, AccessMode mode) {
        String n = Names.check(name);
        Backend b = Backends.get();
        byte[] h = new byte[SegmentHeaderDescriptor.HEADER_SIZE];
        int fd = b.attach(n, mode == AccessMode.READ_WRITE, h);
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
            MappedRegion headerPage = null;
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
                    headerPage = b.mapRegion(fd, 0, b.pageSize(), mode == AccessMode.READ_WRITE, false, name);
                    dataOffset = header.dataOffset();
                    dataLength = header.dataLength();
                }
                data = dataLength == 0 ? MappedRegion.empty(writable)
                        : b.mapRegion(fd, dataOffset, dataLength, writable, privateCopy, name);
                Attachment a = new Attachment(name, mode, header, headerPage, data, fd, key);
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

    /** Drops one reference; the last one unmaps and closes. */
    public static void release(Attachment a) {
        synchronized (LOCK) {
            if (a.refs <= 0) return;
            if (--a.refs > 0) return;
            LIVE.remove(a.key);
        }
        a.data.release();
        if (a.headerPage != null) a.headerPage.release();
        Backends.get().close(a.fd);
    }

    /** Segments mapped by this process now (for tests and diagnostics). */
    public static int liveCount() {
        synchronized (LOCK) {
            return LIVE.size();
        }
    }

    /** Removes a name; existing mappings stay valid. */
    public static void unlink(String name) {
        Backend b = Backends.get();
        int rc = b.unlink(name);
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
     * Released JNA mappings are unmapped only once unreachable; their pages still count against
     * /dev/shm. Like {@code java.nio.Bits.reserveMemory} for direct buffers, ask the collector
     * once and wait briefly. Returns whether anything was unmapped.
     */
    private static boolean awaitPendingUnmaps(Backend b) {
        long pending = b.pendingUnmapBytes();
        if (pending <= 0) return false;
        System.gc();
        long deadline = System.nanoTime() + 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (b.pendingUnmapBytes() < pending) return true;
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return b.pendingUnmapBytes() < pending;
    }
}
