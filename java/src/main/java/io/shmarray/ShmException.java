package io.shmarray;

/**
 * A shared-memory operation failed. Carries the native error code ({@link #errno()}: a positive
 * {@code errno} value such as 28 for {@code ENOSPC}, or a shmarray code from 4001 up, see
 * {@code shmarray.h}), the segment name when there is one, and a message that says what to do.
 * Subclasses name the cases callers commonly handle.
 */
public class ShmException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The positive native error code, or 0. */
    private final int errno;
    /** The segment's name, or null. */
    private final String segmentName;

    /**
     * An exception without a cause.
     *
     * @param message what failed and what to do about it
     * @param errno the positive native error code, or 0 when the failure did not come from native code
     * @param segmentName the segment's name (without a leading '/'), or {@code null} when there is none
     */
    public ShmException(String message, int errno, String segmentName) {
        this(message, errno, segmentName, null);
    }

    /**
     * An exception with a cause.
     *
     * @param message what failed and what to do about it
     * @param errno the positive native error code, or 0 when the failure did not come from native code
     * @param segmentName the segment's name (without a leading '/'), or {@code null} when there is none
     * @param cause the underlying failure, or {@code null}
     */
    public ShmException(String message, int errno, String segmentName, Throwable cause) {
        super(message, cause);
        this.errno = errno;
        this.segmentName = segmentName;
    }

    /** {@return the positive native error code, or 0 when the failure did not come from native code} */
    public int errno() {
        return errno;
    }

    /** {@return the segment's name (without a leading '/'), or {@code null} when there is none} */
    public String segmentName() {
        return segmentName;
    }
}
