package io.shmarray;

/**
 * A handle no longer names the segment it was made for: the name now belongs to a segment
 * created by another process or at another time (creator or generation differ).
 */
public class StaleHandleException extends ShmException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception with {@link #errno()} 0: the failure is detected by shmarray, not by native code.
     *
     * @param message which segment the handle names and which one holds the name now
     * @param segmentName the segment's name (without a leading '/')
     */
    public StaleHandleException(String message, String segmentName) {
        super(message, 0, segmentName);
    }
}
