package io.shmarray.runtime;

import java.io.Serializable;

/**
 * A two-argument function runnable in another JVM (for {@link Pool#starmap}).
 *
 * <pre>{@code
 * pool.starmap(Math::pow, List.of(Map.entry(2.0, 10.0)), 1);   // [1024.0]
 * }</pre>
 */
@FunctionalInterface
public interface SerializableBiFunction<A, B, R> extends Serializable {
    R apply(A a, B b) throws Exception;
}
