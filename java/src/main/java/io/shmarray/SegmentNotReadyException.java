package io.shmarray;

/**
 * The segment exists but its creator has not published its header: it is still being created,
 * or its creator died in between.
 */
public class SegmentNotReadyException extends ShmException {
    private static final long serialVersionUID = 1L;

    public SegmentNotReadyException(String message, int errno, String segmentName) {
        super(message, errno, segmentName);
    }
}
