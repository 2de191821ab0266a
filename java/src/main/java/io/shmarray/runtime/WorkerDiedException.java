package io.shmarray.runtime;

/**
 * The worker JVM running a task died (killed, crashed, {@code System.exit} in the task, or the
 * channel broke). Carries the exit code (or 128 + signal) and the last lines of its stderr.
 */
public class WorkerDiedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;
    private final String stderrTail;

    public WorkerDiedException(String message, int exitCode, String stderrTail) {
        super(message + (stderrTail == null || stderrTail.isEmpty() ? "" : "\n--- worker stderr (last lines) ---\n"
                + stderrTail));
        this.exitCode = exitCode;
        this.stderrTail = stderrTail;
    }

    /** Exit code of the worker, 128 + signal number when killed by a signal, or -1 when unknown. */
    public int exitCode() {
        return exitCode;
    }

    public String stderrTail() {
        return stderrTail;
    }
}
