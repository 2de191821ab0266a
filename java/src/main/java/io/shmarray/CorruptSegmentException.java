package io.shmarray;

/**
 * A segment's header is not a valid shmarray header: a foreign segment, a truncated one, or
 * damaged bytes. {@link #field()} names the first bad field. Nothing stays mapped.
 */
public class CorruptSegmentException extends ShmException {
    private static final long serialVersionUID = 1L;

    /** The header field that failed validation. */
    private final String field;

    /**
     * An exception naming the bad header field.
     *
     * @param message what is wrong with the header
     * @param errno the native error code, or 0 (validation failures do not come from native code)
     * @param segmentName the segment's name (without a leading '/')
     * @param field the header field that failed validation, e.g. {@code "magic"}
     */
    public CorruptSegmentException(String message, int errno, String segmentName, String field) {
        super(message, errno, segmentName);
        this.field = field;
    }

    /** {@return the header field that failed validation, e.g. {@code "magic"} or {@code "data_length"}} */
    public String field() {
        return field;
    }
}
