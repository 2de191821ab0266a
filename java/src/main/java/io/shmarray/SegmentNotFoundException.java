package io.shmarray;

/** No segment has this name ({@code ENOENT}): never created, or already unlinked. */
public class SegmentNotFoundException extends ShmException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception without a cause.
     *
     * @param message what happened and what to do about it
     * @param errno the positive native error code, or 0 when the failure did not come from native code
     * @param segmentName the segment's name (without a leading '/')
     */
    public SegmentNotFoundException(String message, int errno, String segmentName) {
        super(message, errno, segmentName);
    }
}
