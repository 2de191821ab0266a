package io.shmarray;

/**
 * {@code /dev/shm} cannot hold the requested segment ({@code ENOSPC}, or {@code EFBIG}). Raised at
 * creation, because the space is reserved eagerly: a full {@code /dev/shm} never shows up later as
 * a {@code SIGBUS}. No segment is left behind.
 */
public class InsufficientSharedMemoryException extends ShmException {
    private static final long serialVersionUID = 1L;

    /** Bytes the segment needed, header included. */
    private final long requestedBytes;
    /** Bytes free in /dev/shm at the failure, or -1 when unknown. */
    private final long freeBytes;

    /**
     * An exception with the sizes involved.
     *
     * @param message what failed and what to do about it
     * @param errno the native error code ({@code ENOSPC} or {@code EFBIG})
     * @param segmentName the segment's name (without a leading '/')
     * @param requestedBytes bytes the segment needed, header included
     * @param freeBytes bytes free in {@code /dev/shm} at the failure, or -1 when unknown
     */
    public InsufficientSharedMemoryException(String message, int errno, String segmentName,
            long requestedBytes, long freeBytes) {
        super(message, errno, segmentName);
        this.requestedBytes = requestedBytes;
        this.freeBytes = freeBytes;
    }

    /** {@return the bytes the segment needed, header included} */
    public long requestedBytes() {
        return requestedBytes;
    }

    /** {@return the bytes free in {@code /dev/shm} when the failure was reported, or -1 when unknown} */
    public long freeBytes() {
        return freeBytes;
    }
}
