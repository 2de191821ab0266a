package io.shmarray.runtime;

import java.io.Serializable;

/** A two-argument function runnable in another JVM (for {@link Pool#starmap}). */
@FunctionalInterface
public interface SerializableBiFunction<A, B, R> extends Serializable {
    R apply(A a, B b) throws Exception;
}
