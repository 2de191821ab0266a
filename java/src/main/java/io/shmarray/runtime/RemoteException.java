package io.shmarray.runtime;

/**
 * A task failed in its worker JVM. The cause is the task's own exception, deserialized with its
 * original class and remote stack trace when that class is available and allowed here; otherwise a
 * {@link RemoteThrowable} carrying the remote class name, message and stack trace.
 */
public class RemoteException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception wrapping the task's failure.
     *
     * @param message which task failed, and where
     * @param cause the task's own exception, or a {@link RemoteThrowable} standing in for it
     */
    public RemoteException(String message, Throwable cause) {
        super(message, cause);
    }
}
