package io.shmarray.runtime;

import java.io.Serializable;

/**
 * A function runnable in another JVM (see {@link SerializableCallable}): {@code Main::square} or
 * {@code x -> x * 2} given where this type is expected are serializable.
 *
 * <pre>{@code
 * SerializableFunction<Integer, Integer> twice = x -> x * 2;
 * List<Integer> out = pool.map(twice, List.of(1, 2, 3), 1);   // [2, 4, 6]
 * }</pre>
 *
 * @param <T> the type of the argument
 * @param <R> the type of the result
 */
@FunctionalInterface
public interface SerializableFunction<T, R> extends Serializable {
    /**
     * Applies the function (in the worker).
     *
     * @param t the argument
     * @return the result, sent back to the caller
     * @throws Exception anything; it fails this call, and travels back as the cause of a
     *     {@link RemoteException}
     */
    R apply(T t) throws Exception;
}
