package io.shmarray.runtime;

import java.io.Serializable;

/** What travels in TASK and RESULT frames (each encoded by {@link Codec}). */
final class Messages {
    private Messages() {}

    /**
     * A task: its id and the callable (functions travel by reference, captured values copied). On
     * the wire a TASK frame is the id, then the callable alone ({@link #taskFrame}), so that the
     * same function sent again is the same bytes.
     *
     * @param id the task's id, unique in the sending JVM
     * @param callable the task
     */
    record Task(long id, SerializableCallable<?> callable) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /**
     * The TASK payload of {@code task} with {@code id}; too large for {@code maxFrame}, or of a
     * class workers with {@code workerClassPath} (null: unchecked) cannot load, is refused here.
     */
    static byte[] taskFrame(long id, SerializableCallable<?> task, long maxFrame, String workerClassPath) {
        byte[] c = Codec.encode(task, "task", workerClassPath);
        if (c.length + Long.BYTES + 1L > maxFrame) throw new FrameTooLargeException("the task", c.length + Long.BYTES, maxFrame);
        return java.nio.ByteBuffer.allocate(Long.BYTES + c.length).putLong(id).put(c).array();
    }

    /**
     * Defines a function once per worker; later {@link Apply} messages name it by id, and a FORGET
     * frame ends it. The function is encoded on its own ({@code fn}), so that a function that cannot
     * be decoded (a captured array already removed) still says which id failed: its chunks then fail
     * with that error, and the worker lives on.
     *
     * @param fnId the function's id, named by later {@link Apply} messages
     * @param fn the function, encoded by {@link Codec}
     */
    record Define(long fnId, byte[] fn) implements Serializable {
        private static final long serialVersionUID = 2L; // 1: the function inline
    }

    /**
     * Applies a defined function to a chunk of items; the result value is the list of outputs.
     *
     * @param id the chunk's id, unique in the sending JVM
     * @param fnId the id of the function, from its {@link Define}
     * @param items the chunk's items, in order
     */
    record Apply(long id, long fnId, java.util.List<?> items) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /**
     * Runs once in a new worker before any task (a pool's initializer).
     *
     * @param initializer the code to run
     */
    record Init(SerializableRunnable initializer) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /**
     * A result. {@code value} or {@code error} is a separately encoded object, so a result that
     * cannot be decoded does not hide the rest; an error always carries its class name, message
     * and stack trace as plain data too.
     *
     * @param id the id of the task or chunk this answers
     * @param ok whether it returned normally
     * @param value the encoded return value when {@code ok}, else null
     * @param error the encoded exception when not {@code ok} (null when it could not be encoded)
     * @param errorClass the exception's class name when not {@code ok}
     * @param errorMessage the exception's message, or null
     * @param errorTrace the exception's stack trace in the worker
     */
    record Result(long id, boolean ok, byte[] value, byte[] error, String errorClass, String errorMessage,
            StackTraceElement[] errorTrace) implements Serializable {
        private static final long serialVersionUID = 1L;
    }
}
