package io.shmarray;

/**
 * The control channel carried something it must not: an unauthenticated or forged peer, another
 * user, an oversized, truncated or garbled frame, a stalled peer, or an object the codec's filter
 * rejects. The connection is dropped; nothing of the frame was decoded.
 */
public class ProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception without a cause.
     *
     * @param message what the channel carried, and from whom
     */
    public ProtocolException(String message) {
        super(message);
    }

    /**
     * An exception with a cause.
     *
     * @param message what the channel carried, and from whom
     * @param cause the underlying failure, e.g. the filter's {@link java.io.InvalidClassException}
     */
    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
