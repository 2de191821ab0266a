package io.shmarray;

/**
 * The segment is shorter than its mapping: another process truncated it under this one. The
 * access did not complete; the JVM is unharmed. Close the array.
 */
public class SegmentTruncatedException extends ShmException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception without a cause.
     *
     * @param message what happened and what to do about it
     * @param errno the positive native error code, or 0 when the failure did not come from native code
     * @param segmentName the segment's name (without a leading '/')
     */
    public SegmentTruncatedException(String message, int errno, String segmentName) {
        super(message, errno, segmentName);
    }

    /**
     * An exception with a cause.
     *
     * @param message what happened and what to do about it
     * @param errno the positive native error code, or 0 when the failure did not come from native code
     * @param segmentName the segment's name (without a leading '/')
     * @param cause the underlying failure, or {@code null}
     */
    public SegmentTruncatedException(String message, int errno, String segmentName, Throwable cause) {
        super(message, errno, segmentName, cause);
    }
}
