package io.shmarray;

/**
 * A shared-memory operation failed. Carries the native error code ({@link #errno()}: a positive
 * {@code errno} value such as 28 for {@code ENOSPC}, or a shmarray code from 4001 up, see
 * {@code shmarray.h}), the segment name when there is one, and a message that says what to do.
 * Subclasses name the cases callers commonly handle.
 */
public class ShmException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int errno;
    private final String segmentName;

    public ShmException(String message, int errno, String segmentName) {
        this(message, errno, segmentName, null);
    }

    public ShmException(String message, int errno, String segmentName, Throwable cause) {
        super(message, cause);
        this.errno = errno;
        this.segmentName = segmentName;
    }

    /** The positive native error code, or 0 when the failure did not come from native code. */
    public int errno() {
        return errno;
    }

    /** The segment's name (without a leading '/'), or {@code null}. */
    public String segmentName() {
        return segmentName;
    }
}
