package io.shmarray;

/**
 * The array is poisoned: a lock holder died while holding its lock (see
 * {@link LockOwnerDiedException}). Call {@link SharedArray#recover()} once the data has been
 * checked or repaired.
 */
public class PoisonedArrayException extends ShmException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception without a cause.
     *
     * @param message what happened and what to do about it
     * @param errno the positive native error code, or 0 when the failure did not come from native code
     * @param segmentName the segment's name (without a leading '/')
     */
    public PoisonedArrayException(String message, int errno, String segmentName) {
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
    public PoisonedArrayException(String message, int errno, String segmentName, Throwable cause) {
        super(message, errno, segmentName, cause);
    }
}
