package io.shmarray.runtime;

import java.io.Serializable;

/**
 * A two-argument function runnable in another JVM (for {@link Pool#starmap}).
 *
 * <pre>{@code
 * pool.starmap(Math::pow, List.of(Map.entry(2.0, 10.0)), 1);   // [1024.0]
 * }</pre>
 *
 * @param <A> the type of the first argument
 * @param <B> the type of the second argument
 * @param <R> the type of the result
 */
@FunctionalInterface
public interface SerializableBiFunction<A, B, R> extends Serializable {
    /**
     * Applies the function (in the worker).
     *
     * @param a the first argument
     * @param b the second argument
     * @return the result, sent back to the caller
     * @throws Exception anything; it fails this call, and travels back as the cause of a
     *     {@link RemoteException}
     */
    R apply(A a, B b) throws Exception;
}
