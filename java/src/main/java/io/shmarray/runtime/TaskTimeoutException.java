package io.shmarray.runtime;

/**
 * A task exceeded its time limit. Its worker was killed — real cancellation: the task's code
 * stops — and a pool replaces it; other tasks go on.
 */
public class TaskTimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TaskTimeoutException(String message) {
        super(message);
    }
}
