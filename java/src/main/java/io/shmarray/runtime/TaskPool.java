package io.shmarray.runtime;

import io.shmarray.NotSerializableTaskException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

/**
 * The task API shared by the local {@link Pool} of worker JVMs and by pools that run elsewhere
 * (the {@code shmarray-cluster} module's {@code ClusterPool} runs it over a Hazelcast cluster).
 * Code written against this interface switches between them by construction only:
 *
 * <pre>{@code
 * try (TaskPool pool = local ? Pool.create(4) : ClusterPool.builder(driver).build()) {
 *     List<Double> sums = pool.map(slice -> slice.sum(), slices, 1);
 * }
 * }</pre>
 *
 * <p>The conventions are {@link Pool}'s: functions and items are serialized (a shared array as a
 * handle), results and failures come back typed ({@link RemoteException},
 * {@link WorkerDiedException}, {@link TaskTimeoutException},
 * {@link java.util.concurrent.CancellationException}), futures cancel for real, {@code close()}
 * lets queued work finish, {@code terminate()} stops it.
 */
public interface TaskPool extends AutoCloseable {

    /**
     * Runs one task; the future completes with its result or a typed failure.
     *
     * @param <R> the type of the task's result
     * @param task the task; serialized now
     * @return a future completed with the result, or with {@link RemoteException},
     *     {@link WorkerDiedException}, {@link TaskTimeoutException} or a cancellation
     * @throws NotSerializableTaskException when the task cannot be serialized
     * @throws IllegalStateException when the pool takes no new tasks
     */
    <R> CompletableFuture<R> submit(SerializableCallable<R> task);

    /**
     * Python's {@code apply}: runs {@code fn(arg)} and waits for its result.
     *
     * @param <T> the type of the argument
     * @param <R> the type of the result
     * @param fn the function; serialized now, with {@code arg}
     * @param arg its argument (copied, a shared array as its handle)
     * @return the function's result
     * @throws RemoteException the task threw (cause: its exception)
     * @throws WorkerDiedException when the process running it died
     * @throws TaskTimeoutException when it ran longer than the task timeout
     * @throws NotSerializableTaskException when the function or argument cannot be serialized
     */
    default <T, R> R apply(SerializableFunction<T, R> fn, T arg) {
        Objects.requireNonNull(fn, "fn");
        return apply(() -> fn.apply(arg));
    }

    /**
     * As {@link #apply(SerializableFunction, Object)}, for a task without an argument.
     *
     * @param <R> the type of the result
     * @param task the task; serialized now
     * @return the task's result
     * @throws RemoteException the task threw (cause: its exception)
     * @throws WorkerDiedException when the process running it died
     * @throws TaskTimeoutException when it ran longer than the task timeout
     * @throws NotSerializableTaskException when the task cannot be serialized
     */
    <R> R apply(SerializableCallable<R> task);

    /**
     * {@link #map(SerializableFunction, List, int)} with Python's default chunk size
     * ({@code ceil(items / (4 x parallelism))}).
     *
     * @param <T> the type of the items
     * @param <R> the type of the results
     * @param fn the function
     * @param items the items
     * @return the results, in order
     */
    <T, R> List<R> map(SerializableFunction<T, R> fn, List<T> items);

    /**
     * Applies {@code fn} to every item, in chunks of {@code chunksize}, and returns the results in order.
     *
     * @param <T> the type of the items
     * @param <R> the type of the results
     * @param fn the function
     * @param items the items
     * @param chunksize items per chunk, at least 1
     * @return the results, in order
     * @throws RemoteException the first failing item's exception (cause: the original)
     * @throws WorkerDiedException when a chunk's process died
     * @throws IllegalArgumentException when {@code chunksize < 1}
     */
    default <T, R> List<R> map(SerializableFunction<T, R> fn, List<T> items, int chunksize) {
        return map(fn, items, chunksize, null);
    }

    /**
     * As {@link #map(SerializableFunction, List, int)}, calling {@code progress} (may be null) with
     * (items done, items total) as chunks complete.
     *
     * @param <T> the type of the items
     * @param <R> the type of the results
     * @param fn the function
     * @param items the items
     * @param chunksize items per chunk, at least 1
     * @param progress called as chunks complete, or null
     * @return the results, in order
     */
    <T, R> List<R> map(SerializableFunction<T, R> fn, List<T> items, int chunksize, BiConsumer<Long, Long> progress);

    /**
     * {@link #map(SerializableFunction, List, int)} over any {@code Iterable}, in its iteration order.
     *
     * @param <T> the type of the items
     * @param <R> the type of the results
     * @param fn the function
     * @param items the items
     * @param chunksize items per chunk, at least 1
     * @return the results, in order
     */
    default <T, R> List<R> map(SerializableFunction<T, R> fn, Iterable<T> items, int chunksize) {
        Objects.requireNonNull(items, "items");
        List<R> out = new ArrayList<>();
        try (MapResults<R> r = imap(fn, items.iterator(), chunksize)) {
            while (r.hasNext()) out.add(r.next());
        }
        return out;
    }

    /**
     * {@link #map(SerializableFunction, List, int)} over a {@code Stream}, in its encounter order.
     *
     * @param <T> the type of the items
     * @param <R> the type of the results
     * @param fn the function
     * @param items the items
     * @param chunksize items per chunk, at least 1
     * @return the results, in order
     */
    default <T, R> List<R> map(SerializableFunction<T, R> fn, Stream<T> items, int chunksize) {
        Objects.requireNonNull(items, "items");
        return map(fn, (Iterable<T>) items::iterator, chunksize);
    }

    /**
     * Python's {@code starmap}: applies {@code fn} to each pair's two values, in chunks, in order.
     *
     * <pre>{@code
     * pool.starmap(Math::pow, List.of(Map.entry(2.0, 10.0), Map.entry(3.0, 2.0)), 1);  // [1024.0, 9.0]
     * }</pre>
     *
     * @param <A> the type of the first values
     * @param <B> the type of the second values
     * @param <R> the type of the results
     * @param fn the function
     * @param pairs the argument pairs
     * @param chunksize pairs per chunk, at least 1
     * @return the results, in order
     */
    default <A, B, R> List<R> starmap(SerializableBiFunction<A, B, R> fn,
            List<? extends Map.Entry<? extends A, ? extends B>> pairs, int chunksize) {
        Objects.requireNonNull(fn, "fn");
        List<Map.Entry<A, B>> items = new ArrayList<>(pairs.size());
        for (Map.Entry<? extends A, ? extends B> e : pairs) {
            items.add(new java.util.AbstractMap.SimpleImmutableEntry<>(e.getKey(), e.getValue())); // Serializable
        }
        return map(e -> fn.apply(e.getKey(), e.getValue()), items, chunksize);
    }

    /**
     * Lazy, ordered map over a possibly infinite iterator, with bounded chunks in flight.
     *
     * @param <T> the type of the items
     * @param <R> the type of the results
     * @param fn the function
     * @param items the items, pulled as chunks are sent
     * @param chunksize items per chunk, at least 1
     * @return the results, in order; close it to stop early
     */
    default <T, R> MapResults<R> imap(SerializableFunction<T, R> fn, Iterator<T> items, int chunksize) {
        return imap(fn, items, chunksize, null);
    }

    /**
     * As {@link #imap(SerializableFunction, Iterator, int)}, calling {@code progress} with (items
     * done, -1) as results arrive.
     *
     * @param <T> the type of the items
     * @param <R> the type of the results
     * @param fn the function
     * @param items the items, pulled as chunks are sent
     * @param chunksize items per chunk, at least 1
     * @param progress called as results arrive, or null
     * @return the results, in order; close it to stop early
     */
    <T, R> MapResults<R> imap(SerializableFunction<T, R> fn, Iterator<T> items, int chunksize,
            BiConsumer<Long, Long> progress);

    /**
     * As {@link #imap(SerializableFunction, Iterator, int)}, yielding results as chunks complete, in any order.
     *
     * @param <T> the type of the items
     * @param <R> the type of the results
     * @param fn the function
     * @param items the items, pulled as chunks are sent
     * @param chunksize items per chunk, at least 1
     * @return the results, in completion order; close it to stop early
     */
    default <T, R> MapResults<R> imapUnordered(SerializableFunction<T, R> fn, Iterator<T> items, int chunksize) {
        return imapUnordered(fn, items, chunksize, null);
    }

    /**
     * As {@link #imapUnordered(SerializableFunction, Iterator, int)}, with progress as {@code imap}'s.
     *
     * @param <T> the type of the items
     * @param <R> the type of the results
     * @param fn the function
     * @param items the items, pulled as chunks are sent
     * @param chunksize items per chunk, at least 1
     * @param progress called as results arrive, or null
     * @return the results, in completion order; close it to stop early
     */
    <T, R> MapResults<R> imapUnordered(SerializableFunction<T, R> fn, Iterator<T> items, int chunksize,
            BiConsumer<Long, Long> progress);

    /**
     * A {@link java.util.concurrent.ExecutorService} view of this pool, for code that takes one
     * ({@code invokeAll}, {@code invokeAny}, structured shutdown, frameworks). Its tasks must be
     * serializable (a {@link SerializableCallable}, or a {@code Callable}/{@code Runnable} that
     * is also {@code Serializable}); one that is not is refused at submission with
     * {@link NotSerializableTaskException}. {@code shutdown()} is {@link #shutdown()},
     * {@code shutdownNow()} is {@link #shutdownNow()}; a task submitted after either is rejected
     * ({@code RejectedExecutionException}). Futures cancel as {@link #submit}'s do.
     *
     * @return a new view; its shutdown and termination are this pool's
     */
    default ExecutorService asExecutorService() {
        return new PoolExecutorService(this);
    }

    /** No new tasks; queued tasks still run; waits for them. Idempotent. */
    @Override
    void close();

    /** {@link #close()} without waiting: no new tasks, queued ones still run. Idempotent. */
    void shutdown();

    /** Stops at once: running and queued work is cancelled. Idempotent. */
    void terminate();

    /**
     * {@link #terminate()}, returning the tasks ({@link #submit}) that were queued and never started.
     *
     * @return the tasks that never started
     */
    List<SerializableCallable<?>> shutdownNow();

    /** {@return whether the pool takes no new tasks ({@link #shutdown}, {@link #close} or {@link #terminate} was called)} */
    boolean isShutdown();

    /** {@return whether the pool stopped taking tasks and everything it ran has ended} */
    boolean isTerminated();

    /**
     * Waits until the pool terminated, at most {@code timeout}.
     *
     * @param timeout how long to wait
     * @return true when the pool terminated, false when the time ran out first
     * @throws InterruptedException when the calling thread is interrupted while waiting
     */
    boolean awaitTermination(Duration timeout) throws InterruptedException;
}
