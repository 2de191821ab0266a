package io.shmarray;

/**
 * The array is poisoned: a lock holder died while holding its lock (see {@link LockOwnerDiedException}). Call {@link SharedArray#recover()} once the data has been checked or repaired.
 */
public class PoisonedArrayException extends ShmException {
    private static final long serialVersionUID = 1L;

    public PoisonedArrayException(String message, int errno, String segmentName) {
        super(message, errno, segmentName);
    }

    public PoisonedArrayException(String message, int errno, String segmentName, Throwable cause) {
        super(message, errno, segmentName, cause);
    }
}
