package io.shmarray.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * FFM region: one mapping, wrapped in a segment of a shared {@link Arena}. Its chunk buffers are
 * derived from the segment, so closing the arena (on {@link #release()}) makes any later or racing
 * access through them throw {@code IllegalStateException("Already closed")}; the arena's cleanup
 * action then unmaps.
 */
final class FfmRegion extends MappedRegion {

    private final Arena arena;
    private final MemorySegment whole;
    private final AtomicBoolean released = new AtomicBoolean();

    private FfmRegion(long length, boolean writable, ByteBuffer[] chunks, Arena arena, MemorySegment whole) {
        super(length, writable, chunks);
        this.arena = arena;
        this.whole = whole;
    }

    static FfmRegion map(Backend b, int fd, long offset, long length, boolean writable, boolean privateCopy, String name) {
        long a = b.map(fd, offset, length, writable ? 3 : 1, privateCopy ? 1 : 0);
        if (a < 0) throw NativeErrors.toException(b, a, "map", name, length);
        Arena arena = Arena.ofShared();
        MemorySegment seg = MemorySegment.ofAddress(a).reinterpret(length, arena, ignored -> b.unmap(a, length));
        if (!writable) seg = seg.asReadOnly();
        ByteBuffer[] chunks = new ByteBuffer[chunkCount(length)];
        for (int i = 0; i < chunks.length; i++) {
            long start = (long) i << CHUNK_SHIFT;
            chunks[i] = seg.asSlice(start, Math.min(CHUNK_SIZE, length - start)).asByteBuffer()
                    .order(ByteOrder.nativeOrder());
        }
        return new FfmRegion(length, writable, chunks, arena, seg);
    }

    @Override
    public ByteBuffer window(long offset, int len) {
        checkWindow(offset, len);
        return whole.asSlice(offset, len).asByteBuffer().order(ByteOrder.nativeOrder());
    }

    @Override
    public long address(long offset) {
        if (offset < 0 || offset >= length()) throw new IndexOutOfBoundsException("offset " + offset);
        return whole.address() + offset;
    }

    @Override
    public void release() {
        if (released.compareAndSet(false, true)) arena.close();
    }
}
