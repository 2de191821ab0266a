package io.shmarray.runtime;

/**
 * A task exceeded its time limit. Its worker was killed — real cancellation: the task's code
 * stops — and a pool replaces it; other tasks go on.
 */
public class TaskTimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception saying which task timed out.
     *
     * @param message the task and its time limit
     */
    public TaskTimeoutException(String message) {
        super(message);
    }
}
