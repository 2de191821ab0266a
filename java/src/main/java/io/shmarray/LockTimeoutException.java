package io.shmarray;

/**
 * The array's lock was not acquired within the requested time.
 */
public class LockTimeoutException extends ShmException {
    private static final long serialVersionUID = 1L;

    public LockTimeoutException(String message, int errno, String segmentName) {
        super(message, errno, segmentName);
    }

    public LockTimeoutException(String message, int errno, String segmentName, Throwable cause) {
        super(message, errno, segmentName, cause);
    }
}
