package io.shmarray.internal;

/**
 * Chooses the {@link Memory} implementation: this is the JDK 17–21 version ({@link UnsafeMemory});
 * {@code src/main/java22} holds the JDK 22+ one ({@code SegmentMemory}), which a multi-release jar
 * picks on JDK 22+ whichever backend makes the native calls.
 */
final class Memories {

    private Memories() {}

    /**
     * Memory over {@code length} bytes freshly mapped at {@code address}; {@code unmap} runs once
     * the memory, every slice of it and every window are unreachable.
     */
    static Memory map(Backend backend, long address, long length, boolean writable, Runnable unmap) {
        return UnsafeMemory.root(backend, address, length, writable, unmap);
    }

    /** Memory of no bytes. */
    static Memory empty(boolean writable) {
        return UnsafeMemory.empty(writable);
    }
}
