package io.shmarray.cluster;

import io.shmarray.runtime.NotSerializableTaskException;
import io.shmarray.runtime.SerializableCallable;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link ClusterPool#asExecutorService()}: the JDK's {@link ExecutorService} contract over a
 * cluster pool. Tasks must be serializable; futures cancel as {@link ClusterPool#submit}'s do.
 */
final class ClusterExecutorService implements ExecutorService {

    private final ClusterPool pool;

    ClusterExecutorService(ClusterPool pool) {
        this.pool = pool;
    }

    private static <T> SerializableCallable<T> remote(Callable<T> c) {
        if (c == null) throw new NullPointerException("task");
        if (c instanceof SerializableCallable) {
            @SuppressWarnings("unchecked")
            SerializableCallable<T> s = (SerializableCallable<T>) c;
            return s;
        }
        if (!(c instanceof Serializable)) {
            throw new NotSerializableTaskException("task of type " + c.getClass().getName() + " is not Serializable: a"
                    + " cluster pool runs tasks in other JVMs. Use a SerializableCallable, or a lambda cast to"
                    + " (Callable<T> & Serializable)", null);
        }
        return c::call;
    }

    private static <T> Callable<T> callable(Runnable r, T value) {
        if (r == null) throw new NullPointerException("task");
        if (!(r instanceof Serializable)) {
            throw new NotSerializableTaskException("task of type " + r.getClass().getName() + " is not Serializable: a"
                    + " cluster pool runs tasks in other JVMs. Use a lambda cast to (Runnable & Serializable)", null);
        }
        return (Callable<T> & Serializable) () -> {
            r.run();
            return value;
        };
    }

    @Override
    public <T> Future<T> submit(Callable<T> task) {
        SerializableCallable<T> t = remote(task);
        try {
            return pool.submit(t);
        } catch (IllegalStateException closed) {
            throw new RejectedExecutionException(closed.getMessage(), closed);
        }
    }

    @Override
    public <T> Future<T> submit(Runnable task, T result) {
        return submit(callable(task, result));
    }

    @Override
    public Future<?> submit(Runnable task) {
        return submit(callable(task, null));
    }

    @Override
    public void execute(Runnable command) {
        submit(command);
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
        return invokeAll(tasks, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException {
        long end = System.nanoTime() + Math.min(unit.toNanos(timeout), Long.MAX_VALUE / 2);
        List<Future<T>> futures = new ArrayList<>(tasks.size());
        try {
            for (Callable<T> t : tasks) futures.add(submit(t));
            for (Future<T> f : futures) {
                long left = end - System.nanoTime();
                if (left <= 0) break;
                try {
                    f.get(left, TimeUnit.NANOSECONDS);
                } catch (ExecutionException | java.util.concurrent.CancellationException ignored) {
                    // the future holds it
                } catch (TimeoutException late) {
                    break;
                }
            }
            return futures;
        } finally {
            for (Future<T> f : futures) f.cancel(true); // no-op on the done ones
        }
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        try {
            return invokeAny(tasks, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (tasks.isEmpty()) throw new IllegalArgumentException("no tasks");
        List<CompletableFuture<T>> futures = new ArrayList<>();
        try {
            for (Callable<T> t : tasks) futures.add((CompletableFuture<T>) submit(t));
            CompletableFuture<T> first = new CompletableFuture<>();
            java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();
            for (CompletableFuture<T> f : futures) {
                f.whenComplete((v, e) -> {
                    if (e == null) first.complete(v);
                    else if (failures.incrementAndGet() == futures.size()) first.completeExceptionally(e);
                });
            }
            return first.get(Math.min(unit.toNanos(timeout), Long.MAX_VALUE / 2), TimeUnit.NANOSECONDS);
        } finally {
            for (Future<T> f : futures) f.cancel(true);
        }
    }

    @Override
    public void shutdown() {
        pool.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
        List<Runnable> never = new ArrayList<>();
        for (Object t : pool.terminateReturningQueued()) {
            SerializableCallable<?> c = (SerializableCallable<?>) t;
            never.add(() -> {
                try {
                    c.call();
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        return never;
    }

    @Override
    public boolean isShutdown() {
        return pool.state() != io.shmarray.runtime.Pool.State.RUNNING;
    }

    @Override
    public boolean isTerminated() {
        return pool.state() == io.shmarray.runtime.Pool.State.TERMINATED;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return pool.awaitTermination(Duration.ofNanos(unit.toNanos(timeout)));
    }
}
