package io.shmarray;

/**
 * The segment is shorter than its mapping: another process truncated it under this one. The access did not complete; the JVM is unharmed. Close the array.
 */
public class SegmentTruncatedException extends ShmException {
    private static final long serialVersionUID = 1L;

    public SegmentTruncatedException(String message, int errno, String segmentName) {
        super(message, errno, segmentName);
    }

    public SegmentTruncatedException(String message, int errno, String segmentName, Throwable cause) {
        super(message, errno, segmentName, cause);
    }
}
