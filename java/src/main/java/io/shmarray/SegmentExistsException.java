package io.shmarray;

/** A segment with the requested name already exists ({@code EEXIST}); nothing was changed. */
public class SegmentExistsException extends ShmException {
    private static final long serialVersionUID = 1L;

    public SegmentExistsException(String message, int errno, String segmentName) {
        super(message, errno, segmentName);
    }
}
