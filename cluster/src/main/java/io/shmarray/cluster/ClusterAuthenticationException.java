package io.shmarray.cluster;

/**
 * A frame or a reply failed its HMAC check: the other side has another cluster secret, or the
 * bytes were altered on the way. Nothing in it was decoded.
 */
public class ClusterAuthenticationException extends SecurityException {
    private static final long serialVersionUID = 1L;

    /**
     * An authentication failure.
     *
     * @param message what failed, and where
     */
    public ClusterAuthenticationException(String message) {
        super(message);
    }
}
