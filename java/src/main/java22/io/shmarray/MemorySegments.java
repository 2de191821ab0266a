package io.shmarray;

import java.lang.foreign.MemorySegment;

/**
 * Zero-copy {@link MemorySegment} views of shared arrays, for JDK 22+ code that works with the
 * Foreign Function &amp; Memory API (vector kernels, native calls, {@code MemorySegment.copy}).
 * <b>JDK 22+ only:</b> this class exists only in the jar's {@code META-INF/versions/22}.
 *
 * <pre>{@code
 * try (SharedDoubleArray a = SharedDoubleArray.create(1_000_000)) {
 *     MemorySegment s = MemorySegments.of(a);                  // the same memory, no copy
 *     s.setAtIndex(ValueLayout.JAVA_DOUBLE, 7, 2.5);           // a.get(7) == 2.5
 *     long[] byteStrides = a.byteStrides();                    // numpy's strides, for strided views
 * }
 * }</pre>
 *
 * <p>The segment spans the array's elements from the first to the end of the last, in native
 * byte order: exactly {@code byteSize()} bytes for a contiguous array; for a strided view,
 * element {@code [i, j]} is at {@code i * byteStrides()[0] + j * byteStrides()[1]}. It is
 * read-only for a {@link AccessMode#READ_ONLY} array. Like a buffer window, the segment keeps the
 * mapping alive while it is reachable and stays usable after the array is closed (the name is
 * removed as usual); a received array whose segment was taken is no longer released when
 * unreachable.
 */
public final class MemorySegments {

    private MemorySegments() {}

    /**
     * The segment over {@code array}'s elements.
     *
     * @param array any shared array or view
     * @return a segment of {@code array}'s memory, from its first element to the end of its last, in
     *     native byte order; read-only for a {@link AccessMode#READ_ONLY} array
     * @throws IllegalStateException when the array is closed
     * @throws PoisonedArrayException when the array is poisoned
     */
    public static MemorySegment of(SharedArray array) {
        array.checkShared();
        array.pin();
        return (MemorySegment) array.memory().segmentView();
    }
}
