package io.shmarray.internal;

import java.nio.ByteBuffer;

/**
 * A mapped range of a segment, reached through native-order {@link ByteBuffer} chunks of at most
 * {@link #CHUNK_SIZE} bytes (so arrays over 2 GiB work on every JDK). Chunk {@code i} covers bytes
 * {@code [i << CHUNK_SHIFT, ...)} of the region; elements never straddle chunks because the chunk
 * size is a multiple of every element size and elements are aligned.
 *
 * <p>{@link #release()} ends this process's use of the mapping; what happens to buffers still
 * reachable then depends on the backend, but never includes a crash:
 * <ul>
 *   <li>JNA: the mapping is unmapped only when the garbage collector finds every buffer over it
 *       unreachable (a {@link java.lang.ref.Cleaner} per chunk), so a reader racing
 *       {@code close()} reads valid memory;
 *   <li>FFM: the buffers belong to a shared {@link java.lang.foreign.Arena}; closing it makes every
 *       later access throw {@code IllegalStateException("Already closed")}, then unmaps.
 * </ul>
 */
public abstract class MappedRegion {

    public static final int CHUNK_SHIFT = 30;
    public static final long CHUNK_SIZE = 1L << CHUNK_SHIFT;
    public static final long CHUNK_MASK = CHUNK_SIZE - 1;

    private final long length;
    private final boolean writable;
    private final ByteBuffer[] chunks;

    protected MappedRegion(long length, boolean writable, ByteBuffer[] chunks) {
        this.length = length;
        this.writable = writable;
        this.chunks = chunks;
    }

    /** Number of chunks a region of {@code length} bytes has. */
    public static int chunkCount(long length) {
        return (int) ((length + CHUNK_MASK) >>> CHUNK_SHIFT);
    }

    public final long length() {
        return length;
    }

    public final boolean writable() {
        return writable;
    }

    /** The chunk buffers (native order; read-only when the region is). Do not modify the array. */
    public final ByteBuffer[] chunks() {
        return chunks;
    }

    /**
     * A buffer over {@code [offset, offset + len)} of the region, which may span chunks.
     *
     * @throws UnsupportedOperationException when this backend cannot give one buffer for the range
     */
    public abstract ByteBuffer window(long offset, int len);

    /** Ends this process's use of the region; idempotent. */
    public abstract void release();

    /**
     * The native address of byte {@code offset} of the region, for native calls on it (the lock
     * in a header page). Valid only until {@link #release()}.
     */
    public abstract long address(long offset);

    /** Checks a window range against the region. */
    protected final void checkWindow(long offset, int len) {
        if (offset < 0 || len < 0 || offset > length - len) {
            throw new IndexOutOfBoundsException("window [" + offset + ", +" + len + ") outside a region of " + length + " bytes");
        }
    }

    /** A region of no bytes (an array with a zero extent): nothing is mapped. */
    public static MappedRegion empty(boolean writable) {
        return new MappedRegion(0, writable, new ByteBuffer[0]) {
            @Override
            public ByteBuffer window(long offset, int len) {
                checkWindow(offset, len);
                return ByteBuffer.allocateDirect(0).order(java.nio.ByteOrder.nativeOrder());
            }

            @Override
            public void release() {}

            @Override
            public long address(long offset) {
                throw new IndexOutOfBoundsException("an empty region has no addresses");
            }
        };
    }
}
