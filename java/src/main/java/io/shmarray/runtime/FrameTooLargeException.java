package io.shmarray.runtime;

import io.shmarray.ProtocolException;

/**
 * A task, a chunk of a map or a result that serializes to more than the largest control frame
 * ({@code io.shmarray.maxFrameBytes}, default 256 MiB). Nothing was sent: the channel and the
 * worker are unaffected, and only this task fails. Put large data in a shared array (it travels
 * as a handle of a few hundred bytes), or raise the limit (the pool passes it to its workers).
 */
public class FrameTooLargeException extends ProtocolException {
    private static final long serialVersionUID = 1L;

    /** The serialized size, in bytes. */
    private final long bytes;
    /** The frame limit, in bytes. */
    private final long limit;

    /**
     * An exception whose message names what was too large, both sizes and the property that
     * raises the limit.
     *
     * @param what what was refused, e.g. "the task" or "the task's result"
     * @param bytes its serialized size, in bytes
     * @param limit the frame limit it exceeded, in bytes
     */
    public FrameTooLargeException(String what, long bytes, long limit) {
        super(what + " of " + bytes + " bytes exceeds the frame limit of " + limit + " bytes (-D"
                + WorkerOptions.MAX_FRAME_PROPERTY + "); nothing was sent. Share large data through a shared"
                + " array instead, or raise the limit");
        this.bytes = bytes;
        this.limit = limit;
    }

    /** {@return the serialized size, in bytes} */
    public long bytes() {
        return bytes;
    }

    /** {@return the frame limit it exceeded, in bytes} */
    public long limit() {
        return limit;
    }
}
