package io.shmarray.runtime;

import java.io.Serializable;

/**
 * A task without a result, runnable in another JVM. Lambdas and method references targeting this interface are
 * serializable: the code travels by reference (class and method), captured values are copied
 * (shared arrays as handles).
 */
@FunctionalInterface
public interface SerializableRunnable extends Serializable {
    void run() throws Exception;
}
