package io.shmarray.runtime;

import java.io.Serializable;

/**
 * A task with a result, runnable in another JVM. Lambdas and method references targeting this interface are
 * serializable: the code travels by reference (class and method), captured values are copied
 * (shared arrays as handles).
 *
 * <pre>{@code
 * SerializableCallable<Long> task = () -> ProcessHandle.current().pid();
 * long workerPid = WorkerProcess.start(task).result();
 * }</pre>
 *
 * <p>It is a {@link java.util.concurrent.Callable}, so it also goes to
 * {@link Pool#asExecutorService()} and other code that takes one.
 *
 * @param <R> the type of the result
 */
@FunctionalInterface
public interface SerializableCallable<R> extends java.util.concurrent.Callable<R>, Serializable {
    @Override
    R call() throws Exception;
}
