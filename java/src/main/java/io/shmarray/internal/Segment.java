package io.shmarray.internal;

import io.shmarray.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One mapped shmarray segment in this process: the open descriptor, the decoded header and the
 * data mapping. Creation and attachment clean up everything they made when a later step fails;
 * {@link #close()} is idempotent and releases only this process's mapping; {@link #unlink()}
 * removes the name.
 */
public final class Segment implements AutoCloseable {

    /** {@code SHMARRAY_PROT_*} and {@code SHMARRAY_MAP_*}. */
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 0;

    private final Backend backend;
    private final String name;
    private final SegmentHeader header;
    private final boolean writable;
    private final int fd;
    private final long dataAddress; // 0 when the data is empty
    private final AtomicBoolean closed = new AtomicBoolean();

    private Segment(Backend backend, String name, SegmentHeader header, boolean writable, int fd, long dataAddress) {
        this.backend = backend;
        this.name = name;
        this.header = header;
        this.writable = writable;
        this.fd = fd;
        this.dataAddress = dataAddress;
    }

    /**
     * Creates and maps a new segment read-write.
     *
     * @throws IllegalArgumentException for a bad name or shape
     * @throws io.shmarray.ShmException typed by cause (exists, no space, ...)
     */
    public static Segment create(String name, DType dtype, long[] shape, boolean persistent) {
        String n = Names.check(name);
        long[] s = checkShape(shape);
        Backend b = Backends.get();
        if (requestedBytes(b, dtype, s) == Long.MAX_VALUE) {
            throw new IllegalArgumentException("shape " + java.util.Arrays.toString(s) + " of " + dtype
                    + " overflows 2^63 bytes");
        }
        byte[] h = new byte[SegmentHeaderDescriptor.HEADER_SIZE];
        int fd = b.create(n, dtype.code(), s, persistent ? SegmentHeaderDescriptor.FLAG_PERSISTENT : 0, h);
        if (fd < 0) throw NativeErrors.toException(b, fd, "create", n, requestedBytes(b, dtype, s));
        boolean success = false;
        try {
            SegmentHeader header = SegmentHeaderDescriptor.read(h);
            Segment seg = new Segment(b, n, header, true, fd, mapData(b, fd, header, true, n));
            success = true;
            return seg;
        } finally {
            if (!success) {
                b.close(fd);
                b.unlink(n);
            }
        }
    }

    /**
     * Attaches to an existing segment created by shmarray (in any process, C included).
     *
     * @throws io.shmarray.ShmException typed by cause (not found, corrupt header, refused, ...)
     */
    public static Segment attach(String name, boolean writable) {
        String n = Names.check(name);
        Backend b = Backends.get();
        byte[] h = new byte[SegmentHeaderDescriptor.HEADER_SIZE];
        int fd = b.attach(n, writable, h);
        if (fd < 0) throw NativeErrors.toException(b, fd, "attach", n, -1);
        boolean success = false;
        try {
            SegmentHeader header = SegmentHeaderDescriptor.read(h);
            Segment seg = new Segment(b, n, header, writable, fd, mapData(b, fd, header, writable, n));
            success = true;
            return seg;
        } finally {
            if (!success) b.close(fd);
        }
    }

    private static long mapData(Backend b, int fd, SegmentHeader header, boolean writable, String name) {
        if (header.dataLength() == 0) return 0;
        int prot = writable ? PROT_READ | PROT_WRITE : PROT_READ;
        long address = b.map(fd, header.dataOffset(), header.dataLength(), prot, MAP_SHARED);
        if (address < 0) throw NativeErrors.toException(b, address, "map", name, header.dataLength());
        return address;
    }

    private static long[] checkShape(long[] shape) {
        if (shape == null) throw new IllegalArgumentException("shape is null");
        if (shape.length > SegmentHeaderDescriptor.MAX_RANK) {
            throw new IllegalArgumentException("rank=" + shape.length + ", must be <= " + SegmentHeaderDescriptor.MAX_RANK);
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) throw new IllegalArgumentException("shape[" + i + "]=" + shape[i] + ", must be >= 0");
        }
        return shape.clone();
    }

    private static long requestedBytes(Backend b, DType dtype, long[] shape) {
        try {
            long n = dtype.byteSize();
            for (long e : shape) n = Math.multiplyExact(n, e);
            return Math.addExact(n, Math.max(b.pageSize(), SegmentHeaderDescriptor.HEADER_SIZE));
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    public String name() {
        return name;
    }

    public SegmentHeader header() {
        return header;
    }

    public boolean writable() {
        return writable;
    }

    public boolean isClosed() {
        return closed.get();
    }

    /**
     * A native-order direct buffer over {@code length} data bytes from {@code byteOffset}. It
     * must not be used after {@link #close()}.
     */
    public ByteBuffer window(long byteOffset, int length) {
        ensureOpen();
        if (byteOffset < 0 || length < 0 || byteOffset > header.dataLength() - length) {
            throw new IndexOutOfBoundsException("window [" + byteOffset + ", +" + length + ") outside the "
                    + header.dataLength() + " data bytes of " + this);
        }
        if (length == 0) return ByteBuffer.allocateDirect(0).order(ByteOrder.nativeOrder());
        ByteBuffer bb = backend.buffer(dataAddress + byteOffset, length).order(ByteOrder.nativeOrder());
        return writable ? bb : bb.asReadOnlyBuffer().order(ByteOrder.nativeOrder());
    }

    /** Throws {@code IllegalStateException("Already closed: ...")} once closed. */
    public void ensureOpen() {
        if (closed.get()) throw new IllegalStateException("Already closed: " + this);
    }

    /** Releases this process's mapping and descriptor; idempotent. The name stays. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        if (dataAddress != 0) backend.unmap(dataAddress, header.dataLength());
        backend.close(fd);
    }

    /**
     * Removes the name from /dev/shm; mappings (here and elsewhere) stay valid until closed.
     *
     * @throws io.shmarray.SegmentNotFoundException when the name is already gone
     */
    public void unlink() {
        int rc = backend.unlink(name);
        if (rc < 0) throw NativeErrors.toException(backend, rc, "unlink", name, -1);
    }

    @Override
    public String toString() {
        return "Segment[" + name + ", " + header.dtype() + java.util.Arrays.toString(header.shape())
                + (writable ? ", read-write" : ", read-only") + (closed.get() ? ", closed" : "") + "]";
    }
}
