package io.shmarray.runtime;

import java.io.Serializable;

/**
 * A task without a result, runnable in another JVM. Lambdas and method references targeting this interface are
 * serializable: the code travels by reference (class and method), captured values are copied
 * (shared arrays as handles).
 *
 * <pre>{@code
 * Pool pool = Pool.builder().initializer(() -> Config.load("/etc/app.conf")).build();  // once per worker
 * }</pre>
 */
@FunctionalInterface
public interface SerializableRunnable extends Serializable {
    /**
     * Runs the task (in the worker).
     *
     * @throws Exception anything; it fails the task, and travels back as the cause of a
     *     {@link RemoteException} (from a pool's initializer: a {@link WorkerStartException})
     */
    void run() throws Exception;
}
