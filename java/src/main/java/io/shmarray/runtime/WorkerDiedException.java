package io.shmarray.runtime;

/**
 * The worker JVM running a task died (killed, crashed, {@code System.exit} in the task, or the
 * channel broke). Carries the exit code (or 128 + signal) and the last lines of its stderr.
 */
public class WorkerDiedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The worker's exit code, 128 + signal number, or -1. */
    private final int exitCode;
    /** The last lines of the worker's stderr, or null. */
    private final String stderrTail;

    /**
     * An exception whose message ends with the worker's stderr tail, when there is one.
     *
     * @param message what happened to the worker and its task
     * @param exitCode the worker's exit code, 128 + signal number when killed by a signal, or -1 when unknown
     * @param stderrTail the last lines of the worker's stderr, or {@code null} or empty when none
     */
    public WorkerDiedException(String message, int exitCode, String stderrTail) {
        super(message + (stderrTail == null || stderrTail.isEmpty() ? "" : "\n--- worker stderr (last lines) ---\n"
                + stderrTail));
        this.exitCode = exitCode;
        this.stderrTail = stderrTail;
    }

    /** {@return the exit code of the worker, 128 + signal number when killed by a signal, or -1 when unknown} */
    public int exitCode() {
        return exitCode;
    }

    /** {@return the last lines the worker wrote to stderr, or {@code null} or empty when none were kept} */
    public String stderrTail() {
        return stderrTail;
    }
}
