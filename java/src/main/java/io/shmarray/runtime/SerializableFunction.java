package io.shmarray.runtime;

import java.io.Serializable;

/**
 * A function runnable in another JVM (see {@link SerializableCallable}): {@code Main::square} or
 * {@code x -> x * 2} given where this type is expected are serializable.
 */
@FunctionalInterface
public interface SerializableFunction<T, R> extends Serializable {
    R apply(T t) throws Exception;
}
