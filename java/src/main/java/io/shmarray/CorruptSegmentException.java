package io.shmarray;

/**
 * A segment's header is not a valid shmarray header: a foreign segment, a truncated one, or
 * damaged bytes. {@link #field()} names the first bad field. Nothing stays mapped.
 */
public class CorruptSegmentException extends ShmException {
    private static final long serialVersionUID = 1L;

    private final String field;

    public CorruptSegmentException(String message, int errno, String segmentName, String field) {
        super(message, errno, segmentName);
        this.field = field;
    }

    /** The header field that failed validation, e.g. {@code "magic"} or {@code "data_length"}. */
    public String field() {
        return field;
    }
}
