package io.shmarray.cluster;

import io.shmarray.cluster.internal.Dispatcher;
import io.shmarray.cluster.internal.NodeAgent;
import io.shmarray.runtime.MapResults;
import io.shmarray.NotSerializableTaskException;
import io.shmarray.runtime.SerializableCallable;
import io.shmarray.runtime.SerializableFunction;
import io.shmarray.runtime.SerializableRunnable;
import io.shmarray.runtime.TaskPool;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.BiConsumer;

/**
 * {@link TaskPool} over a cluster: the local {@link io.shmarray.runtime.Pool}'s task API, run by
 * the compute members of the cluster its driver ({@link ClusterNode}) joined.
 *
 * <pre>{@code
 * try (ClusterNode driver = ClusterNode.builder().members("10.0.0.1", "10.0.0.2").secretFile(secret).driver().start();
 *      TaskPool pool = ClusterPool.builder(driver).initializer(() -> warmUp()).build();
 *      SharedDoubleArray a = SharedDoubleArray.create(100_000_000)) {
 *     List<Double> sums = pool.map(i -> a.slice(i * 1_000_000L, (i + 1) * 1_000_000L).sum(), range(100), 1);
 * }
 * }</pre>
 *
 * <ul>
 *   <li>Functions, tasks and items are serialized as for the local pool and checked against the
 *       same deserialization filter ({@code io.shmarray.serialFilter}) on the member; every frame
 *       and reply is signed with the cluster secret and checked before it is decoded.
 *   <li><b>Shared arrays are copied once per node, then shared there.</b> A task that reaches an
 *       array runs against the array itself on its own node (in place, as in a local pool); on
 *       another node it gets that node's <b>read-only snapshot</b>, pulled from the origin in 1 MiB
 *       chunks by the first JVM of the node that needs it and attached by every other JVM of the
 *       node. Writing to a snapshot throws {@code UnsupportedOperationException}: in-place writes
 *       stay on the origin node. The snapshot is the array as it was when the node first needed
 *       it in this pool: after changing it here, call {@link #refresh} for other nodes to see the
 *       change. Arrays a task receives belong to the pool (one per array, shared by its tasks on
 *       the member): do not close them; the pool does when it closes. An array a task returns is attached in place when it was made on
 *       this node, else copied to this JVM (a writable copy it owns: close it when done); the
 *       member's original goes when the pool closes. Strided views cannot travel; contiguous
 *       slices can.
 *   <li>A member that leaves fails only its in-flight jobs ({@link io.shmarray.runtime.WorkerDiedException}),
 *       or re-sends them elsewhere when {@link Builder#retries} allows. A timed-out job is
 *       interrupted on its member ({@link io.shmarray.runtime.TaskTimeoutException}); a task that
 *       ignores interrupts keeps its member thread until it returns.
 *   <li>The initializer runs once per member before its first job of this pool, on members that
 *       join later too. {@link #close()} releases every node copy of the pool; if the driver dies,
 *       the members release them when they see it leave (and the reaper removes the node copies of
 *       a member that dies).
 * </ul>
 */
public final class ClusterPool implements TaskPool {

    private static final SecureRandom IDS = new SecureRandom();

    private final ClusterNode driver;
    private final NodeAgent agent;
    private final long poolId;
    private final Dispatcher dispatcher;
    private final ExecutorService decoder;
    /** Results completed by the engine and not yet decoded: close() waits for them before releasing. */
    private final java.util.concurrent.atomic.AtomicInteger decoding = new java.util.concurrent.atomic.AtomicInteger();
    private volatile io.shmarray.runtime.Pool.State state = io.shmarray.runtime.Pool.State.RUNNING;

    private ClusterPool(Builder b) {
        this.driver = b.driver;
        this.agent = b.driver.agent();
        this.poolId = IDS.nextLong();
        agent.drive(poolId, b.initializer == null ? new byte[0] : agent.encode(b.initializer, "initializer", poolId));
        this.dispatcher = new Dispatcher(agent, poolId, b.taskTimeout, b.retries);
        this.decoder = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "shmarray-cluster-results-" + Long.toHexString(poolId));
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * A builder for a pool driven from {@code driver}.
     *
     * @param driver the member this JVM joined the cluster as (usually {@link ClusterNode.Builder#driver()})
     * @return the builder
     */
    public static Builder builder(ClusterNode driver) {
        return new Builder(Objects.requireNonNull(driver, "driver"));
    }

    /** Builds a {@link ClusterPool}. */
    public static final class Builder {
        private final ClusterNode driver;
        private SerializableRunnable initializer;
        private Duration taskTimeout;
        private int retries;

        private Builder(ClusterNode driver) {
            this.driver = driver;
        }

        /**
         * Sets the initializer.
         *
         * @param init runs once per member before its first job of this pool (null: none)
         * @return this builder
         */
        public Builder initializer(SerializableRunnable init) {
            this.initializer = init;
            return this;
        }

        /**
         * Sets the time limit per job.
         *
         * @param timeout a job running longer is interrupted on its member and fails with
         *     {@link io.shmarray.runtime.TaskTimeoutException} (null: no limit, the default)
         * @return this builder
         */
        public Builder taskTimeout(Duration timeout) {
            this.taskTimeout = timeout;
            return this;
        }

        /**
         * Sets the re-sends of a job whose member left.
         *
         * @param n re-sends of a job whose member left the cluster (default 0: a job may have had effects)
         * @return this builder
         */
        public Builder retries(int n) {
            if (n < 0) throw new IllegalArgumentException("retries=" + n + ", must be >= 0");
            this.retries = n;
            return this;
        }

        /**
         * Starts the pool.
         *
         * @return the pool, ready to take tasks
         * @throws NotSerializableTaskException when the initializer cannot be serialized
         */
        public ClusterPool build() {
            return new ClusterPool(this);
        }
    }

    /** {@return the pool's state: RUNNING, CLOSED (no new tasks) or TERMINATED} */
    public io.shmarray.runtime.Pool.State state() {
        return state;
    }

    /**
     * Makes other nodes take a new snapshot of {@code a}: a node copy is the array as it was when
     * the node first needed it in this pool, so writes made here afterwards (between two maps of
     * an iterative algorithm, say) reach other nodes only after this call. Tasks on {@code a}'s
     * own node always see it live. The earlier copies stay until the pool closes.
     *
     * @param a an array this JVM sends to tasks
     */
    public void refresh(io.shmarray.SharedArray a) {
        ensureRunning();
        agent.refresh(poolId, Objects.requireNonNull(a, "a"));
    }

    /** {@return how many tasks the compute members run at once now} */
    public int parallelism() {
        return dispatcher.parallelism();
    }

    private void ensureRunning() {
        if (state != io.shmarray.runtime.Pool.State.RUNNING) throw new IllegalStateException("pool is " + state + ": no new tasks");
    }

    // ---------------------------------------------------------------- tasks

    @Override
    public <R> CompletableFuture<R> submit(SerializableCallable<R> task) {
        Objects.requireNonNull(task, "task");
        ensureRunning();
        Dispatcher.Job job = dispatcher.submit(Dispatcher.Kind.TASK, agent.encode(task, "task", poolId), task);
        return decoded(job);
    }

    /**
     * Runs {@code task} once on every compute member now, e.g. to read each member's state.
     *
     * @param <R> the type of the results
     * @param task the task
     * @return member id to its result, in member order
     * @throws io.shmarray.runtime.RemoteException when the task threw on a member (the first failure)
     * @throws io.shmarray.runtime.WorkerDiedException when a member left first
     */
    public <R> Map<String, R> onEachMember(SerializableCallable<R> task) {
        Objects.requireNonNull(task, "task");
        ensureRunning();
        byte[] payload = agent.encode(task, "task", poolId);
        Map<String, CompletableFuture<R>> futures = new LinkedHashMap<>();
        for (String m : driver.computeMembers().keySet()) futures.put(m, decoded(dispatcher.submitTo(m, payload)));
        Map<String, R> out = new LinkedHashMap<>();
        for (Map.Entry<String, CompletableFuture<R>> e : futures.entrySet()) out.put(e.getKey(), await(e.getValue(), futures.values()));
        return out;
    }

    /** The job's result decoded here (off the engine's threads: decoding may pull an array's bytes). */
    private <R> CompletableFuture<R> decoded(Dispatcher.Job job) {
        CompletableFuture<R> out = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                job.cancel(mayInterruptIfRunning);
                return super.cancel(mayInterruptIfRunning);
            }
        };
        decoding.incrementAndGet(); // a result on its way to its caller: close() releases the arrays after it
        job.whenCompleteAsync((body, e) -> {
            Object value = null;
            Throwable failure = null;
            try {
                if (e != null) {
                    failure = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
                } else {
                    value = agent.decode(body, poolId, false);
                }
            } catch (Throwable t) {
                failure = resultFailure(t);
            } finally {
                doneDecoding(); // before completing: a callback of the caller's may close the pool
            }
            @SuppressWarnings("unchecked")
            R r = (R) value;
            if (failure != null) out.completeExceptionally(failure);
            else out.complete(r);
        }, r -> {
            try {
                decoder.execute(r);
            } catch (java.util.concurrent.RejectedExecutionException terminated) {
                r.run(); // after terminate(): still complete the future
            }
        });
        return out;
    }

    /** A result that could not be decoded here: its array's member left first is a dead worker, as on one machine. */
    private static Throwable resultFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof io.shmarray.cluster.internal.Engine.MemberGoneException) {
                io.shmarray.runtime.WorkerDiedException w = new io.shmarray.runtime.WorkerDiedException(
                        "the member holding an array of this result left the cluster before it was copied here: " + c.getMessage(),
                        -1, "");
                w.initCause(t);
                return w;
            }
        }
        return t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    /** Synchronous: the result is decoded on the calling thread (no hand-off). */
    @Override
    public <R> R apply(SerializableCallable<R> task) {
        Objects.requireNonNull(task, "task");
        ensureRunning();
        byte[] payload = agent.encode(task, "task", poolId);
        Dispatcher.Job job = dispatcher.submit(Dispatcher.Kind.TASK, payload, task);
        return decodeHere(await(job, List.of(job)));
    }

    /** A result decoded on this thread; failures typed as {@link #decoded}'s. */
    @SuppressWarnings("unchecked")
    private <R> R decodeHere(byte[] body) {
        decoding.incrementAndGet(); // close() lets a decode in progress finish before it releases the arrays
        try {
            return (R) agent.decode(body, poolId, false);
        } catch (Throwable t) {
            Throwable f = resultFailure(t);
            if (f instanceof RuntimeException) throw (RuntimeException) f;
            if (f instanceof Error) throw (Error) f;
            throw new io.shmarray.runtime.RemoteException("cannot decode the result here: " + f, f);
        } finally {
            doneDecoding();
        }
    }

    private void doneDecoding() {
        if (decoding.decrementAndGet() == 0) {
            synchronized (decoding) {
                decoding.notifyAll();
            }
        }
    }

    /** Waits for {@code f}, rethrowing its failure as is; interrupted: cancels {@code all}, keeps the flag. */
    private static <R> R await(CompletableFuture<R> f, java.util.Collection<? extends CompletableFuture<?>> all) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            for (CompletableFuture<?> x : all) x.cancel(true);
            Thread.currentThread().interrupt();
            CancellationException c = new CancellationException("interrupted while waiting: the job was cancelled");
            c.initCause(e);
            throw c;
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException) throw (RuntimeException) c;
            if (c instanceof Error) throw (Error) c;
            throw new io.shmarray.runtime.RemoteException(String.valueOf(c), c);
        }
    }

    // ---------------------------------------------------------------- maps

    @Override
    public <T, R> List<R> map(SerializableFunction<T, R> fn, List<T> items) {
        int per = 4 * parallelism();
        return map(fn, items, Math.max(1, items.size() / per + (items.size() % per == 0 ? 0 : 1)), null);
    }

    @Override
    public <T, R> List<R> map(SerializableFunction<T, R> fn, List<T> items, int chunksize, BiConsumer<Long, Long> progress) {
        List<R> out = new ArrayList<>(items.size());
        try (Chunks<T, R> it = new Chunks<>(fn, items.iterator(), chunksize, progress, items.size(), true)) {
            while (it.hasNext()) out.add(it.next());
        }
        return out;
    }

    @Override
    public <T, R> MapResults<R> imap(SerializableFunction<T, R> fn, Iterator<T> items, int chunksize,
            BiConsumer<Long, Long> progress) {
        return new Chunks<>(fn, items, chunksize, progress, -1, true);
    }

    @Override
    public <T, R> MapResults<R> imapUnordered(SerializableFunction<T, R> fn, Iterator<T> items, int chunksize,
            BiConsumer<Long, Long> progress) {
        return new Chunks<>(fn, items, chunksize, progress, -1, false);
    }

    /**
     * A map's chunks in flight (at most {@code 2 x parallelism}), pulled lazily from the items;
     * results in item order, or in completion order.
     */
    private final class Chunks<T, R> implements MapResults<R> {
        private final byte[] fn;
        private final Iterator<T> items;
        private final int chunksize;
        private final BiConsumer<Long, Long> progress;
        private final long total;
        private final boolean ordered;
        private final int window;
        /** Chunks sent; their results are decoded by the consumer. */
        private final Deque<Dispatcher.Job> inFlight = new ArrayDeque<>();
        private final LinkedBlockingQueue<Dispatcher.Job> done = new LinkedBlockingQueue<>();
        private Iterator<R> current = Collections.emptyIterator();
        private long count;
        private boolean closed;

        Chunks(SerializableFunction<T, R> fn, Iterator<T> items, int chunksize, BiConsumer<Long, Long> progress, long total,
                boolean ordered) {
            Objects.requireNonNull(fn, "fn");
            Objects.requireNonNull(items, "items");
            ensureRunning();
            if (chunksize < 1) throw new IllegalArgumentException("chunksize=" + chunksize + ", must be >= 1");
            this.fn = agent.encode(fn, "function", poolId);
            this.items = items;
            this.chunksize = chunksize;
            this.progress = progress;
            this.total = total;
            this.ordered = ordered;
            this.window = Math.max(2, 2 * parallelism());
        }

        private void fill() {
            while (!closed && inFlight.size() < window && items.hasNext()) {
                ArrayList<T> chunk = new ArrayList<>(chunksize);
                while (chunk.size() < chunksize && items.hasNext()) chunk.add(items.next());
                byte[] encoded = agent.encode(chunk, "items", poolId);
                ByteArrayOutputStream b = new ByteArrayOutputStream(fn.length + encoded.length + 4);
                try {
                    DataOutputStream out = new DataOutputStream(b);
                    out.writeInt(fn.length);
                    out.write(fn);
                    out.write(encoded);
                    out.flush();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                Dispatcher.Job f = dispatcher.submit(Dispatcher.Kind.CHUNK, b.toByteArray(), null);
                inFlight.add(f);
                if (!ordered) f.whenComplete((v, e) -> done.add(f));
            }
        }

        @Override
        public boolean hasNext() {
            while (!current.hasNext()) {
                if (closed) return false;
                fill();
                if (inFlight.isEmpty()) return false;
                Dispatcher.Job f;
                if (ordered) {
                    f = inFlight.peek();
                } else {
                    try {
                        f = done.take();
                    } catch (InterruptedException e) {
                        close();
                        Thread.currentThread().interrupt();
                        throw new CancellationException("interrupted while waiting: the map's chunks were cancelled");
                    }
                }
                inFlight.remove(f);
                List<R> r;
                try {
                    r = decodeHere(await(f, List.of(f)));
                } catch (RuntimeException | Error e) {
                    close();
                    throw e;
                }
                count += r.size();
                if (progress != null) progress.accept(count, total);
                current = r.iterator();
            }
            return true;
        }

        @Override
        public R next() {
            if (!hasNext()) throw new NoSuchElementException();
            return current.next();
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            for (Dispatcher.Job f : inFlight) f.cancel(true);
            inFlight.clear();
        }
    }

    // ---------------------------------------------------------------- lifetime

    /** {@link #close()} without waiting: no new tasks; the pool terminates once the queued and running ones ended. */
    @Override
    public void shutdown() {
        synchronized (this) {
            if (state != io.shmarray.runtime.Pool.State.RUNNING) return;
            state = io.shmarray.runtime.Pool.State.CLOSED;
        }
        dispatcher.shutdown();
        Thread closer = new Thread(() -> {
            try {
                dispatcher.awaitIdle(Duration.ofDays(365));
                synchronized (decoding) { // results still being decoded need the pool's arrays
                    while (decoding.get() > 0) decoding.wait(100);
                }
            } catch (InterruptedException e) {
                return;
            }
            finish();
        }, "shmarray-cluster-close-" + Long.toHexString(poolId));
        closer.setDaemon(true);
        closer.start();
    }

    /**
     * No new tasks; waits for the queued and running ones, then releases the pool's arrays on
     * every member. Interrupted while waiting: {@link #terminate()}s, and keeps the interrupt flag.
     */
    @Override
    public void close() {
        shutdown();
        try {
            awaitTermination(Duration.ofDays(365));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            terminate();
        }
    }

    @Override
    public void terminate() {
        shutdownNow();
    }

    @Override
    public List<SerializableCallable<?>> shutdownNow() {
        synchronized (this) {
            if (state == io.shmarray.runtime.Pool.State.TERMINATED) return new ArrayList<>();
            state = io.shmarray.runtime.Pool.State.CLOSED;
        }
        List<SerializableCallable<?>> never = new ArrayList<>();
        for (Dispatcher.Job j : dispatcher.terminate()) {
            if (j.origin instanceof SerializableCallable) never.add((SerializableCallable<?>) j.origin);
        }
        finish();
        return never;
    }

    private final java.util.concurrent.atomic.AtomicBoolean finishing = new java.util.concurrent.atomic.AtomicBoolean();
    /** Opened when {@link #finish()} is done (the state is TERMINATED). */
    private final java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);

    /** Releases the pool everywhere, once (no lock held while members answer: terminate() never waits on it). */
    private void finish() {
        if (!finishing.compareAndSet(false, true)) return;
        try {
            dispatcher.terminate(); // stops its timer
            Map<String, CompletableFuture<?>> releases = new LinkedHashMap<>();
            for (String m : driver.computeMembers().keySet()) releases.put(m, agent.releaseOn(m, poolId));
            long end = System.nanoTime() + 30_000_000_000L;
            for (Map.Entry<String, CompletableFuture<?>> e : releases.entrySet()) {
                try {
                    e.getValue().get(Math.max(1, end - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
                } catch (Exception x) {
                    System.getLogger("io.shmarray.cluster").log(System.Logger.Level.WARNING, "member " + e.getKey()
                            + " did not confirm the release of pool " + Long.toHexString(poolId) + ": " + x);
                }
            }
        } catch (RuntimeException clusterGone) {
            System.getLogger("io.shmarray.cluster").log(System.Logger.Level.WARNING, "could not release pool "
                    + Long.toHexString(poolId) + " on the members (they release it when they see this driver leave): " + clusterGone);
        } finally {
            agent.release(poolId);
            decoder.shutdown();
            state = io.shmarray.runtime.Pool.State.TERMINATED;
            released.countDown();
        }
    }

    @Override
    public boolean isShutdown() {
        return state != io.shmarray.runtime.Pool.State.RUNNING;
    }

    @Override
    public boolean isTerminated() {
        return state == io.shmarray.runtime.Pool.State.TERMINATED && dispatcher.isTerminated();
    }

    @Override
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        if (!released.await(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)) return false;
        while (!dispatcher.isTerminated()) { // its running jobs were cancelled by then: they drain at once
            if (System.nanoTime() > end) return false;
            Thread.sleep(1);
        }
        return true;
    }

    /**
     * Counters of this pool's jobs: submitted, completed, failed, retried.
     *
     * @return the counters now
     */
    public Map<String, Long> stats() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("submitted", dispatcher.submitted.get());
        m.put("completed", dispatcher.completed.get());
        m.put("failed", dispatcher.failed.get());
        m.put("retried", dispatcher.retried.get());
        m.put("pending", (long) dispatcher.pending());
        return m;
    }

    @Override
    public String toString() {
        return "ClusterPool[" + Long.toHexString(poolId) + ", " + state + ", driver " + driver.memberId() + "]";
    }
}
