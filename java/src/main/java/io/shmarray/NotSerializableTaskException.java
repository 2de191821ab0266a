package io.shmarray;

/**
 * A task, one of its captured values or arguments, or a result cannot be serialized. Raised in
 * the parent before any process starts (for tasks), naming the path to the culprit, e.g.
 * {@code captured value 'this' of type Foo is not Serializable}.
 */
public class NotSerializableTaskException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception naming the culprit.
     *
     * @param message the path to the value that cannot be serialized, and its type
     * @param cause the serialization failure, e.g. a {@link java.io.NotSerializableException}
     */
    public NotSerializableTaskException(String message, Throwable cause) {
        super(message, cause);
    }
}
