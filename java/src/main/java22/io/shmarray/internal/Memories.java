package io.shmarray.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Chooses the {@link Memory} implementation: this is the JDK 22+ version ({@link SegmentMemory}),
 * used whichever backend makes the native calls; {@code src/main/java} holds the JDK 17–21 one.
 */
final class Memories {

    private Memories() {}

    /**
     * Memory over {@code length} bytes freshly mapped at {@code address}, in an automatic arena
     * whose cleanup runs {@code unmap} once no segment, slice or window over it is reachable.
     */
    static Memory map(Backend backend, long address, long length, boolean writable, Runnable unmap) {
        MemorySegment s = MemorySegment.ofAddress(address).reinterpret(length, Arena.ofAuto(), ignored -> unmap.run());
        return new SegmentMemory(writable ? s : s.asReadOnly());
    }

    /** Memory of no bytes. */
    static Memory empty(boolean writable) {
        return new SegmentMemory(writable ? MemorySegment.NULL : MemorySegment.NULL.asReadOnly());
    }
}
