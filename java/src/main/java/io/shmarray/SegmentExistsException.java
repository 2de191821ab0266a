package io.shmarray;

/** A segment with the requested name already exists ({@code EEXIST}); nothing was changed. */
public class SegmentExistsException extends ShmException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception without a cause.
     *
     * @param message what happened and what to do about it
     * @param errno the positive native error code, or 0 when the failure did not come from native code
     * @param segmentName the segment's name (without a leading '/')
     */
    public SegmentExistsException(String message, int errno, String segmentName) {
        super(message, errno, segmentName);
    }
}
