package io.shmarray;

import io.shmarray.internal.Names;
import io.shmarray.internal.Segment;
import java.nio.DoubleBuffer;

/**
 * A one-dimensional array of {@code double}s in a named POSIX shared-memory segment that other
 * processes (other JVMs, C programs, Python with numpy) attach to by name and read or write in
 * place.
 *
 * <pre>{@code
 * try (SharedDoubleArray a = SharedDoubleArray.create(1_000_000)) {
 *     a.set(0, 3.5);
 *     // another process: SharedDoubleArray.attach(a.name()).get(0) == 3.5
 *     a.unlink();   // remove the name once nobody needs to attach any more
 * }
 * }</pre>
 *
 * <p>{@link #close()} releases this process's mapping only; {@link #unlink()} removes the name
 * (existing mappings stay valid). Plain {@code get}/{@code set} have no ordering guarantees
 * between processes; synchronise through a process-level handshake (e.g. a child's exit).
 * Arrays larger than 2 GiB are supported.
 */
public final class SharedDoubleArray implements AutoCloseable {

    private static final int CHUNK_SHIFT = 27; // 2^27 doubles = 1 GiB per buffer
    private static final long CHUNK_MASK = (1L << CHUNK_SHIFT) - 1;

    private final Segment segment;
    private final long length;
    private final DoubleBuffer[] chunks;

    private SharedDoubleArray(Segment segment) {
        boolean success = false;
        try {
            if (segment.header().dtype() != DType.DOUBLE) {
                throw new IllegalArgumentException("segment '" + segment.name() + "' holds "
                        + segment.header().dtype() + " elements, not DOUBLE");
            }
            this.segment = segment;
            this.length = segment.header().elementCount();
            int n = (int) ((length + CHUNK_MASK) >>> CHUNK_SHIFT);
            this.chunks = new DoubleBuffer[n];
            for (int i = 0; i < n; i++) {
                long first = (long) i << CHUNK_SHIFT;
                long count = Math.min(length - first, 1L << CHUNK_SHIFT);
                chunks[i] = segment.window(first * Double.BYTES, (int) (count * Double.BYTES)).asDoubleBuffer();
            }
            success = true;
        } finally {
            if (!success) segment.close();
        }
    }

    /** Creates an array of {@code length} zeros under a fresh name ({@code shmarray-...}). */
    public static SharedDoubleArray create(long length) {
        return createNamed(Names.generate(), length);
    }

    /**
     * Creates an array of {@code length} zeros under {@code name}.
     *
     * @throws SegmentExistsException when the name is taken
     * @throws InsufficientSharedMemoryException when /dev/shm cannot hold it
     */
    public static SharedDoubleArray createNamed(String name, long length) {
        if (length < 0) throw new IllegalArgumentException("length=" + length + ", must be >= 0");
        return new SharedDoubleArray(Segment.create(name, DType.DOUBLE, new long[] {length}, false));
    }

    /**
     * Attaches read-write to an array another process created.
     *
     * @throws SegmentNotFoundException when no segment has this name
     * @throws CorruptSegmentException when the segment is not a valid shmarray segment
     */
    public static SharedDoubleArray attach(String name) {
        return new SharedDoubleArray(Segment.attach(name, true));
    }

    /** The segment name (without a leading '/'). */
    public String name() {
        return segment.name();
    }

    public long length() {
        return length;
    }

    public double get(long index) {
        segment.ensureOpen();
        checkIndex(index);
        return chunks[(int) (index >>> CHUNK_SHIFT)].get((int) (index & CHUNK_MASK));
    }

    public void set(long index, double value) {
        segment.ensureOpen();
        checkIndex(index);
        chunks[(int) (index >>> CHUNK_SHIFT)].put((int) (index & CHUNK_MASK), value);
    }

    private void checkIndex(long index) {
        if (index < 0 || index >= length) {
            throw new IndexOutOfBoundsException("index=" + index + ", length=" + length);
        }
    }

    /** Releases this process's mapping; idempotent. The name stays until {@link #unlink()}. */
    @Override
    public void close() {
        segment.close();
    }

    /** Removes the name; processes that already attached keep their mapping. */
    public void unlink() {
        segment.unlink();
    }

    @Override
    public String toString() {
        return "SharedDoubleArray[" + segment.name() + ", length=" + length + (segment.isClosed() ? ", closed" : "") + "]";
    }
}
