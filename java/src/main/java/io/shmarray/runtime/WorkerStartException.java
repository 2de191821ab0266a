package io.shmarray.runtime;

/**
 * A worker JVM did not start: it exited (bad class path, bad JVM option, crash) or did not connect
 * back within the start timeout (it was then killed). Carries its exit code and stderr tail.
 */
public class WorkerStartException extends WorkerDiedException {
    private static final long serialVersionUID = 1L;

    public WorkerStartException(String message, int exitCode, String stderrTail) {
        super(message, exitCode, stderrTail);
    }
}
