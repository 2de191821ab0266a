package io.shmarray.runtime;

/** Stands in for a remote exception whose class could not be deserialized here. */
public class RemoteThrowable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String remoteClassName;

    public RemoteThrowable(String remoteClassName, String message, StackTraceElement[] trace) {
        super(remoteClassName + (message == null ? "" : ": " + message));
        this.remoteClassName = remoteClassName;
        setStackTrace(trace);
    }

    /** The exception's class in the worker. */
    public String remoteClassName() {
        return remoteClassName;
    }
}
