package io.shmarray.runtime;

import java.io.Serializable;

/** What travels in TASK and RESULT frames (each encoded by {@link Codec}). */
final class Messages {
    private Messages() {}

    /** A task: its id and the callable (functions travel by reference, captured values copied). */
    record Task(long id, SerializableCallable<?> callable) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /**
     * A result. {@code value} or {@code error} is a separately encoded object, so a result that
     * cannot be decoded does not hide the rest; an error always carries its class name, message
     * and stack trace as plain data too.
     */
    record Result(long id, boolean ok, byte[] value, byte[] error, String errorClass, String errorMessage,
            StackTraceElement[] errorTrace) implements Serializable {
        private static final long serialVersionUID = 1L;
    }
}
