package io.shmarray.internal;

import io.shmarray.DType;
import java.util.Arrays;

/**
 * A decoded segment header (see {@link SegmentHeaderDescriptor}).
 *
 * @param formatVersion header format version
 * @param dtype element type
 * @param shape extents, row-major; empty for a scalar
 * @param flags {@code FLAG_*} bits
 * @param generation incremented when a segment is re-initialised
 * @param dataOffset page-aligned byte offset of the data
 * @param dataLength exact byte length of the data
 * @param creatorPid pid of the creating process
 * @param creatorStartTime its start time in clock ticks after boot (with the pid, survives pid reuse)
 * @param creationMode permission bits the creator set (0600)
 * @param segmentId random identity of this segment (a re-created name gets another)
 */
public record SegmentHeader(int formatVersion, DType dtype, long[] shape, int flags, long generation,
        long dataOffset, long dataLength, long creatorPid, long creatorStartTime, int creationMode, long segmentId) {

    public SegmentHeader {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements (the product of the extents; 1 for a scalar). */
    public long elementCount() {
        long n = 1;
        for (long e : shape) n *= e; // validated natively: cannot overflow
        return n;
    }

    public boolean persistent() {
        return (flags & SegmentHeaderDescriptor.FLAG_PERSISTENT) != 0;
    }

    public boolean poisoned() {
        return (flags & SegmentHeaderDescriptor.FLAG_POISONED) != 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SegmentHeader h && formatVersion == h.formatVersion && dtype == h.dtype
                && Arrays.equals(shape, h.shape) && flags == h.flags && generation == h.generation
                && dataOffset == h.dataOffset && dataLength == h.dataLength && creatorPid == h.creatorPid
                && creatorStartTime == h.creatorStartTime && creationMode == h.creationMode && segmentId == h.segmentId;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(shape) * 31 + Long.hashCode(dataLength) * 17 + dtype.hashCode();
    }

    @Override
    public String toString() {
        return "SegmentHeader[dtype=" + dtype + ", shape=" + Arrays.toString(shape) + ", flags=" + flags
                + ", generation=" + generation + ", dataOffset=" + dataOffset + ", dataLength=" + dataLength
                + ", creatorPid=" + creatorPid + ", creatorStartTime=" + creatorStartTime
                + ", segmentId=" + Long.toHexString(segmentId) + "]";
    }
}
