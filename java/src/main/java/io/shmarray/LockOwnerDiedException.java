package io.shmarray;

/**
 * The previous holder of an array's lock died holding it. The array is now <b>poisoned</b>: the data it was writing may be half-done, so every access fails with {@link PoisonedArrayException} until {@link SharedArray#recover()} is called by code that has checked or repaired it. The lock itself was made consistent and released.
 */
public class LockOwnerDiedException extends ShmException {
    private static final long serialVersionUID = 1L;

    public LockOwnerDiedException(String message, int errno, String segmentName) {
        super(message, errno, segmentName);
    }

    public LockOwnerDiedException(String message, int errno, String segmentName, Throwable cause) {
        super(message, errno, segmentName, cause);
    }
}
