package io.shmarray;

/**
 * Refused for safety or permission: the name is a symbolic link, not a regular file, owned by
 * another user, open to group/other (not mode 0600), or the operating system denied access.
 * shmarray never adopts such a segment.
 */
public class SegmentAccessException extends ShmException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception without a cause.
     *
     * @param message what happened and what to do about it
     * @param errno the positive native error code, or 0 when the failure did not come from native code
     * @param segmentName the segment's name (without a leading '/')
     */
    public SegmentAccessException(String message, int errno, String segmentName) {
        super(message, errno, segmentName);
    }
}
