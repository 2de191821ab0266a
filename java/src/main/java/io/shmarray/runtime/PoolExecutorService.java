package io.shmarray.runtime;

import io.shmarray.NotSerializableTaskException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link TaskPool#asExecutorService()}: the JDK's {@link ExecutorService} contract over a pool (local or cluster).
 * Tasks cross to worker JVMs, so they must be serializable; everything else — futures, cancel,
 * {@code invokeAll}, {@code invokeAny}, shutdown and termination — behaves as the JDK documents.
 */
final class PoolExecutorService implements ExecutorService {

    private static final System.Logger LOG = System.getLogger("io.shmarray");

    private final TaskPool pool;

    PoolExecutorService(TaskPool pool) {
        this.pool = pool;
    }

    /** {@code c} as a task for a worker, or the error that says why it cannot be one. */
    private static <T> SerializableCallable<T> remote(Callable<T> c) {
        if (c == null) throw new NullPointerException("task");
        if (c instanceof SerializableCallable) {
            @SuppressWarnings("unchecked")
            SerializableCallable<T> s = (SerializableCallable<T>) c;
            return s;
        }
        if (!(c instanceof Serializable)) throw notSerializable(c);
        return c::call; // captures c, which serializes
    }

    private static <T> SerializableCallable<T> remote(Runnable r, T value) {
        if (r == null) throw new NullPointerException("task");
        if (!(r instanceof Serializable)) throw notSerializable(r);
        return () -> {
            r.run();
            return value;
        };
    }

    private static NotSerializableTaskException notSerializable(Object task) {
        return new NotSerializableTaskException("task of type " + Codec.typeName(task.getClass()) + " is not Serializable:"
                + " a pool runs tasks in other JVMs. Use a SerializableCallable (a lambda cast to it), or a lambda cast"
                + " to (Callable<T> & Serializable)", null);
    }

    private <T> CompletableFuture<T> start(SerializableCallable<T> task) {
        try {
            return pool.submit(task);
        } catch (IllegalStateException shutDown) {
            throw new RejectedExecutionException(shutDown.getMessage(), shutDown);
        }
    }

    @Override
    public <T> Future<T> submit(Callable<T> task) {
        return start(remote(task));
    }

    @Override
    public <T> Future<T> submit(Runnable task, T result) {
        return start(remote(task, result));
    }

    @Override
    public Future<?> submit(Runnable task) {
        return start(remote(task, null));
    }

    @Override
    public void execute(Runnable command) {
        start(remote(command, null)).whenComplete((v, t) -> {
            if (t != null && !(t instanceof CancellationException)) {
                LOG.log(System.Logger.Level.WARNING, "shmarray: a task given to execute() failed", t);
            }
        });
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
        List<Future<T>> futures = submitAll(tasks);
        try {
            for (Future<T> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException | CancellationException done) {
                    // done, with a failure: the list reports it
                }
            }
            return futures;
        } catch (InterruptedException e) {
            cancelAll(futures);
            throw e;
        }
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        List<Future<T>> futures = submitAll(tasks);
        try {
            for (Future<T> f : futures) {
                long left = deadline - System.nanoTime();
                try {
                    f.get(Math.max(0, left), TimeUnit.NANOSECONDS);
                } catch (ExecutionException | CancellationException done) {
                    // done, with a failure
                } catch (TimeoutException late) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            cancelAll(futures);
            throw e;
        }
        cancelAll(futures); // what did not finish in time is cancelled (running ones: workers replaced)
        return futures;
    }

    private <T> List<Future<T>> submitAll(Collection<? extends Callable<T>> tasks) {
        List<SerializableCallable<T>> remote = new ArrayList<>(tasks.size());
        for (Callable<T> t : tasks) remote.add(remote(t)); // all checked before any starts
        List<Future<T>> futures = new ArrayList<>(remote.size());
        try {
            for (SerializableCallable<T> t : remote) futures.add(start(t));
        } catch (RuntimeException e) {
            cancelAll(futures);
            throw e;
        }
        return futures;
    }

    private static void cancelAll(List<? extends Future<?>> futures) {
        for (Future<?> f : futures) {
            if (!f.isDone()) f.cancel(true);
        }
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        try {
            return any(tasks, Long.MAX_VALUE);
        } catch (TimeoutException e) {
            throw new IllegalStateException("no deadline, no timeout", e);
        }
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        return any(tasks, System.nanoTime() + unit.toNanos(timeout));
    }

    /** The first task to succeed; the others are cancelled (running ones: their workers replaced). */
    private <T> T any(Collection<? extends Callable<T>> tasks, long deadline)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (tasks.isEmpty()) throw new IllegalArgumentException("no tasks");
        List<Future<T>> futures = submitAll(tasks);
        try {
            List<CompletableFuture<T>> left = new ArrayList<>();
            for (Future<T> f : futures) left.add((CompletableFuture<T>) f);
            ExecutionException last = null;
            while (!left.isEmpty()) {
                CompletableFuture<Object> first = CompletableFuture.anyOf(left.toArray(new CompletableFuture<?>[0]));
                try {
                    if (deadline == Long.MAX_VALUE) first.get();
                    else first.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (ExecutionException | CancellationException oneFailed) {
                    // found below
                }
                for (int i = left.size() - 1; i >= 0; i--) {
                    CompletableFuture<T> f = left.get(i);
                    if (!f.isDone()) continue;
                    left.remove(i);
                    try {
                        return f.get();
                    } catch (ExecutionException e) {
                        last = e;
                    } catch (CancellationException e) {
                        last = new ExecutionException(e);
                    }
                }
            }
            throw last;
        } finally {
            cancelAll(futures);
        }
    }

    @Override
    public void shutdown() {
        pool.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
        List<Runnable> never = new ArrayList<>();
        for (SerializableCallable<?> t : pool.shutdownNow()) {
            never.add(() -> {
                try {
                    t.call();
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
        return pool.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return pool.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return pool.awaitTermination(java.time.Duration.ofNanos(unit.toNanos(timeout)));
    }

    @Override
    public String toString() {
        return "ExecutorService[" + pool + "]";
    }
}
