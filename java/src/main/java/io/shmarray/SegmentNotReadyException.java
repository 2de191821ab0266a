package io.shmarray;

/**
 * The segment exists but its creator has not published its header: it is still being created,
 * or its creator died in between.
 */
public class SegmentNotReadyException extends ShmException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception without a cause.
     *
     * @param message what happened and what to do about it
     * @param errno the positive native error code, or 0 when the failure did not come from native code
     * @param segmentName the segment's name (without a leading '/')
     */
    public SegmentNotReadyException(String message, int errno, String segmentName) {
        super(message, errno, segmentName);
    }
}
