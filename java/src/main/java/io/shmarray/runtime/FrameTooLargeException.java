package io.shmarray.runtime;

/**
 * A task, a chunk of a map or a result that serializes to more than the largest control frame
 * ({@code io.shmarray.maxFrameBytes}, default 256 MiB). Nothing was sent: the channel and the
 * worker are unaffected, and only this task fails. Put large data in a shared array (it travels
 * as a handle of a few hundred bytes), or raise the limit (the pool passes it to its workers).
 */
public class FrameTooLargeException extends ProtocolException {
    private static final long serialVersionUID = 1L;

    private final long bytes;
    private final long limit;

    public FrameTooLargeException(String what, long bytes, long limit) {
        super(what + " of " + bytes + " bytes exceeds the frame limit of " + limit + " bytes (-D"
                + WorkerOptions.MAX_FRAME_PROPERTY + "); nothing was sent. Share large data through a shared"
                + " array instead, or raise the limit");
        this.bytes = bytes;
        this.limit = limit;
    }

    /** The serialized size. */
    public long bytes() {
        return bytes;
    }

    /** The frame limit it exceeded. */
    public long limit() {
        return limit;
    }
}
