package io.shmarray.runtime;

/** Stands in for a remote exception whose class could not be deserialized here. */
public class RemoteThrowable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The exception's class name in the worker. */
    private final String remoteClassName;

    /**
     * A stand-in whose message is {@code remoteClassName: message} and whose stack trace is the
     * remote one.
     *
     * @param remoteClassName the exception's class name in the worker
     * @param message the exception's message, or {@code null}
     * @param trace the exception's stack trace in the worker
     */
    public RemoteThrowable(String remoteClassName, String message, StackTraceElement[] trace) {
        super(remoteClassName + (message == null ? "" : ": " + message));
        this.remoteClassName = remoteClassName;
        setStackTrace(trace);
    }

    /** {@return the exception's class name in the worker} */
    public String remoteClassName() {
        return remoteClassName;
    }
}
