package io.shmarray;

/** No segment has this name ({@code ENOENT}): never created, or already unlinked. */
public class SegmentNotFoundException extends ShmException {
    private static final long serialVersionUID = 1L;

    public SegmentNotFoundException(String message, int errno, String segmentName) {
        super(message, errno, segmentName);
    }
}
