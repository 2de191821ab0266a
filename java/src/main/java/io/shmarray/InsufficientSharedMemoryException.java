package io.shmarray;

/**
 * {@code /dev/shm} cannot hold the requested segment ({@code ENOSPC}, or {@code EFBIG}). Raised at
 * creation, because the space is reserved eagerly: a full {@code /dev/shm} never shows up later as
 * a {@code SIGBUS}. No segment is left behind.
 */
public class InsufficientSharedMemoryException extends ShmException {
    private static final long serialVersionUID = 1L;

    private final long requestedBytes;
    private final long freeBytes;

    public InsufficientSharedMemoryException(String message, int errno, String segmentName,
            long requestedBytes, long freeBytes) {
        super(message, errno, segmentName);
        this.requestedBytes = requestedBytes;
        this.freeBytes = freeBytes;
    }

    /** Bytes the segment needed, header included. */
    public long requestedBytes() {
        return requestedBytes;
    }

    /** Bytes free in {@code /dev/shm} when the failure was reported, or -1 when unknown. */
    public long freeBytes() {
        return freeBytes;
    }
}
