package io.shmarray.runtime;

/**
 * A worker JVM did not start: it exited (bad class path, bad JVM option, crash) or did not connect
 * back within the start timeout (it was then killed). Carries its exit code and stderr tail.
 */
public class WorkerStartException extends WorkerDiedException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception whose message ends with the worker's stderr tail, when there is one.
     *
     * @param message why the worker did not start
     * @param exitCode the worker's exit code, 128 + signal number when killed by a signal, or -1 when unknown
     * @param stderrTail the last lines of the worker's stderr, or {@code null} or empty when none
     */
    public WorkerStartException(String message, int exitCode, String stderrTail) {
        super(message, exitCode, stderrTail);
    }
}
