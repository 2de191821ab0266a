package io.shmarray;

/**
 * The previous holder of an array's lock died holding it. The array is now <b>poisoned</b>: the
 * data it was writing may be half-done, so every access fails with {@link PoisonedArrayException}
 * until {@link SharedArray#recover()} is called by code that has checked or repaired it. The lock
 * itself was made consistent and released.
 */
public class LockOwnerDiedException extends ShmException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception without a cause.
     *
     * @param message what happened and what to do about it
     * @param errno the positive native error code, or 0 when the failure did not come from native code
     * @param segmentName the segment's name (without a leading '/')
     */
    public LockOwnerDiedException(String message, int errno, String segmentName) {
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
    public LockOwnerDiedException(String message, int errno, String segmentName, Throwable cause) {
        super(message, errno, segmentName, cause);
    }
}
