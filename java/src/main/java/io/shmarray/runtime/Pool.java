package io.shmarray.runtime;

import io.shmarray.NotSerializableTaskException;
import io.shmarray.ProtocolException;
import java.lang.ref.Cleaner;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * A pool of worker JVMs — Python's {@code multiprocessing.Pool}, minus its hangs.
 *
 * <pre>{@code
 * try (Pool pool = Pool.builder().workers(4).build()) {
 *     List<Integer> squares = pool.map(x -> x * x, List.of(1, 2, 3), 1);
 *     CompletableFuture<String> f = pool.submit(() -> "hello from " + ProcessHandle.current().pid());
 * }
 * }</pre>
 *
 * <ul>
 *   <li>Workers are started up front; an optional initializer runs once in each (e.g. to attach
 *       arrays); {@code maxTasksPerWorker} recycles a worker after that many tasks.
 *   <li>{@link #map}, {@link #imap} and {@link #imapUnordered} send their function to each worker
 *       once, then only chunks of items; {@code imap}s pull their input lazily, with at most
 *       {@code 33 x workers} chunks in flight and, beyond the first {@code 3 x workers}, at most
 *       {@value #WINDOW_BYTES} bytes of them (back-pressure). Each worker is sent its next chunk
 *       before the previous result is back ({@value #PIPELINE_DEPTH} in flight per worker), so it
 *       never idles while the parent decodes a result; once a map's chunks prove short (under
 *       {@value #SHORT_CHUNK_NANOS} ns each) up to {@value #MAX_PIPELINE_DEPTH} go ahead, written
 *       together, as long as they fit in {@value #PIPELINE_BYTES} bytes. A task ({@code submit})
 *       never waits behind another job on a worker.
 *   <li>A task that exceeds its timeout is <em>really</em> cancelled: its worker is killed and
 *       replaced ({@link TaskTimeoutException}); other tasks go on.
 *   <li>A worker that dies (kill -9, OOM, {@code System.exit}, crash) fails only its in-flight task
 *       with {@link WorkerDiedException} (exit code or signal, stderr tail) and is replaced; a worker
 *       silent past the heartbeat timeout (hung, SIGSTOP) is killed and treated the same. Nothing is
 *       retried unless {@link Builder#retries} asks for it (tasks may have mutated shared arrays).
 *   <li>States: RUNNING → CLOSED ({@link #close()}: no new tasks, queued ones finish) →
 *       TERMINATED ({@link #join()} done, or {@link #terminate()}: workers killed, pending tasks
 *       cancelled).
 * </ul>
 */
public final class Pool implements TaskPool {

    /** Pool states. A pool only moves forward through them ({@link Pool#terminate()} skips CLOSED). */
    public enum State {
        /**
         * Accepting tasks: from {@link Pool.Builder#build()} until {@link Pool#close()} or
         * {@link Pool#terminate()}.
         */
        RUNNING,
        /** No new tasks; queued and running ones still finish ({@link Pool#close()}). */
        CLOSED,
        /** Every worker gone: {@link Pool#join()} returned, or {@link Pool#terminate()} killed them. */
        TERMINATED
    }

    private static final AtomicLong IDS = new AtomicLong();
    /** Worker deaths, replacements, timeouts and retries ({@code System.Logger} "io.shmarray"). */
    private static final System.Logger LOG = System.getLogger("io.shmarray");
    private static final Job STOP = new Job((byte) 0, 0, null, null, 0, 0, null);

    /** Builds a {@link Pool}. */
    public static final class Builder {
        private int workers = Runtime.getRuntime().availableProcessors();
        private SerializableRunnable initializer;
        private int maxTasksPerWorker;
        private Duration taskTimeout;
        private int retries;
        private boolean standby;
        private WorkerOptions options = WorkerOptions.defaults();

        private Builder() {}

        /**
         * Number of worker JVMs (default: available processors).
         *
         * @param n the number of workers, at least 1
         * @return this builder
         * @throws IllegalArgumentException when {@code n < 1}
         */
        public Builder workers(int n) {
            if (n < 1) throw new IllegalArgumentException("workers=" + n + ", must be >= 1");
            this.workers = n;
            return this;
        }

        /**
         * Runs once in every new worker before its first task (replacements included), e.g. to
         * attach shared arrays or load configuration. A worker whose initializer throws does not
         * start ({@link WorkerStartException}).
         *
         * @param init the initializer, or {@code null} for none (the default)
         * @return this builder
         */
        public Builder initializer(SerializableRunnable init) {
            this.initializer = init;
            return this;
        }

        /**
         * Replaces a worker after it ran this many tasks or map chunks (0: never, the default).
         *
         * @param n the number of jobs per worker JVM, or 0
         * @return this builder
         * @throws IllegalArgumentException when {@code n < 0}
         */
        public Builder maxTasksPerWorker(int n) {
            if (n < 0) throw new IllegalArgumentException("maxTasksPerWorker=" + n + ", must be >= 0");
            this.maxTasksPerWorker = n;
            return this;
        }

        /**
         * Kills and replaces a worker whose task (or chunk) runs longer (default: no limit); the job
         * fails with {@link TaskTimeoutException}.
         *
         * @param timeout the time limit per task or chunk, or {@code null} for none
         * @return this builder
         */
        public Builder taskTimeout(Duration timeout) {
            this.taskTimeout = timeout;
            return this;
        }

        /**
         * Re-runs a task whose worker died up to n times (default 0: a task may have mutated shared data).
         *
         * @param n the number of re-runs per task or chunk, or 0
         * @return this builder
         * @throws IllegalArgumentException when {@code n < 0}
         */
        public Builder retries(int n) {
            if (n < 0) throw new IllegalArgumentException("retries=" + n + ", must be >= 0");
            this.retries = n;
            return this;
        }

        /**
         * How workers are started ({@link WorkerOptions}); the settings below apply on top of it.
         *
         * @param o the options (default {@link WorkerOptions#defaults()})
         * @return this builder
         * @throws NullPointerException when {@code o} is null
         */
        public Builder options(WorkerOptions o) {
            this.options = Objects.requireNonNull(o);
            return this;
        }

        /**
         * Keeps one extra worker started (initializer included) in the background, so that a worker
         * that dies, times out, is killed by a cancel or is recycled ({@link #maxTasksPerWorker}) is
         * replaced at once instead of by a cold JVM start (default false: it costs one idle JVM).
         *
         * @param standby whether to keep the standby worker
         * @return this builder
         */
        public Builder standby(boolean standby) {
            this.standby = standby;
            return this;
        }

        /**
         * This pool's frame cap, both ways ({@link WorkerOptions#withMaxFrameBytes}).
         *
         * @param bytes the frame cap in bytes
         * @return this builder
         * @throws IllegalArgumentException when {@code bytes} is out of range (checked now)
         */
        public Builder maxFrameBytes(long bytes) {
            WorkerOptions.defaults().withMaxFrameBytes(bytes); // checked now
            return setting(o -> o.withMaxFrameBytes(bytes));
        }

        /**
         * This pool's heartbeat period and hung-worker timeout ({@link WorkerOptions#withHeartbeat}).
         *
         * @param period how often a worker reports it is alive
         * @param timeout the silence after which a worker is killed, at least twice {@code period}
         * @return this builder
         * @throws IllegalArgumentException when the values are out of range (checked now)
         */
        public Builder heartbeat(Duration period, Duration timeout) {
            WorkerOptions.defaults().withHeartbeat(period, timeout);
            return setting(o -> o.withHeartbeat(period, timeout));
        }

        /**
         * This pool's deserialization filter, for what its workers decode and what this JVM decodes
         * from them ({@link WorkerOptions#withSerialFilter}).
         *
         * @param pattern a JDK filter pattern
         * @return this builder
         * @throws IllegalArgumentException when the pattern is malformed (checked now)
         */
        public Builder serialFilter(String pattern) {
            WorkerOptions.defaults().withSerialFilter(pattern);
            return setting(o -> o.withSerialFilter(pattern));
        }

        /**
         * Starts the workers with this JVM's own JVM options too ({@link WorkerOptions#withParentJvmOptions}).
         *
         * @return this builder
         */
        public Builder parentJvmOptions() {
            return setting(WorkerOptions::withParentJvmOptions);
        }

        private final List<java.util.function.UnaryOperator<WorkerOptions>> settings = new ArrayList<>();

        private Builder setting(java.util.function.UnaryOperator<WorkerOptions> s) {
            settings.add(s);
            return this;
        }

        /** The options with the settings applied, whatever the order of the calls. */
        WorkerOptions effectiveOptions() {
            WorkerOptions o = options;
            for (java.util.function.UnaryOperator<WorkerOptions> s : settings) o = s.apply(o);
            return o;
        }

        /**
         * Starts the workers; fails (killing what started) if one cannot start.
         *
         * @return the running pool, its workers started and initialized
         * @throws WorkerStartException when a worker does not start, or its initializer fails
         * @throws NotSerializableTaskException when the initializer cannot be serialized
         */
        public Pool build() {
            return new Pool(this);
        }
    }

    /** A unit of work for one worker: a TASK or APPLY frame, possibly needing a function defined first. */
    private static final class Job {
        final byte type;
        final long id;
        final byte[] payload;
        final CompletableFuture<Object> future;
        final long fnId;
        final byte[] define; // DEFINE payload for fnId, or null
        int attemptsLeft;
        /** Already sent again once because its worker was gone before it arrived. */
        boolean redelivered;
        /** The worker running this job (oldest in its flight), or null; guarded by the job's monitor. */
        Worker runningOn;
        /** cancel(true) came: its worker is killed once it runs there; guarded by the job's monitor. */
        boolean killRequested;
        /** The task as submitted (for shutdownNow's list), or null for map chunks. */
        SerializableCallable<?> origin;
        /** The pid of the last worker it ran on, or 0 (for its JFR event). */
        volatile long lastPid;

        Job(byte type, long id, byte[] payload, CompletableFuture<Object> future, long fnId, int attemptsLeft,
                byte[] define) {
            this.type = type;
            this.id = id;
            this.payload = payload;
            this.future = future;
            this.fnId = fnId;
            this.attemptsLeft = attemptsLeft;
            this.define = define;
        }
    }

    private final Builder config;
    /** The builder's options with its settings applied, fixed at build time. */
    private final WorkerOptions options;
    private final long maxFrame;
    /** The workers' class path: every task class is checked against it before it is sent. */
    private final String workerClassPath;
    private final Channel.Traffic traffic = new Channel.Traffic();
    private final java.util.concurrent.atomic.LongAdder submitted = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder completed = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder failed = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder cancelledJobs = new java.util.concurrent.atomic.LongAdder();
    private final AtomicLong workersStarted = new AtomicLong();
    private final java.util.concurrent.atomic.LongAdder replacements = new java.util.concurrent.atomic.LongAdder();
    private final BlockingDeque<Job> queue = new LinkedBlockingDeque<>();
    private final List<Slot> slots = new ArrayList<>();
    private final byte[] initPayload;
    private volatile State state = State.RUNNING;

    private Pool(Builder b) {
        this.config = b;
        this.options = b.effectiveOptions();
        this.maxFrame = options.maxFrameBytes();
        this.workerClassPath = WorkerLauncher.classPath(options);
        this.initPayload = b.initializer == null ? null : Codec.encodeFrame(new Messages.Init(b.initializer), "initializer",
                maxFrame, workerClassPath);
        for (int i = 0; i < b.workers; i++) slots.add(new Slot(i));
        boolean success = false;
        try {
            launchAll(); // prestarted, in parallel: start-up failures surface here
            for (Slot s : slots) s.thread.start();
            startSpare();
            success = true;
        } finally {
            if (!success) {
                for (Slot s : slots) s.kill();
            }
        }
    }

    /**
     * Starts every slot's worker at once, one launcher thread each (a JVM start is mostly waiting
     * for the child); waits for all of them, and rethrows the first failure (the others added as
     * suppressed) once every launch has ended, so that none is left running unseen.
     */
    private void launchAll() {
        List<Thread> launchers = new ArrayList<>();
        List<RuntimeException> failures = Collections.synchronizedList(new ArrayList<>());
        for (Slot s : slots) {
            Thread t = new Thread(() -> {
                try {
                    s.worker = s.launch();
                } catch (RuntimeException | Error e) {
                    RuntimeException r = e instanceof RuntimeException ? (RuntimeException) e
                            : new WorkerStartException("worker start failed: " + e, -1, "");
                    if (r != e) r.initCause(e);
                    failures.add(r);
                }
            }, "shmarray-pool-launcher-" + launchers.size());
            t.setDaemon(true);
            launchers.add(t);
        }
        if (slots.size() == 1) {
            launchers.get(0).run(); // no thread for one worker
        } else {
            for (Thread t : launchers) t.start();
            boolean interrupted = false;
            for (Thread t : launchers) {
                while (true) {
                    try {
                        t.join();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true; // the launches end within their start timeout
                    }
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
        }
        if (!failures.isEmpty()) {
            RuntimeException first = failures.get(0);
            for (int i = 1; i < failures.size(); i++) first.addSuppressed(failures.get(i));
            throw first;
        }
    }

    /** A worker JVM started and connected, with the pool's initializer run in it. */
    private Worker startInitialised() {
        Worker w = WorkerLauncher.launch(options, traffic);
        workersStarted.incrementAndGet();
        if (initPayload != null) {
            Reply r;
            try {
                r = w.call(Channel.INIT, initPayload, -1);
            } catch (RuntimeException e) {
                w.close();
                throw e;
            }
            if (!r.ok) {
                w.close();
                throw new WorkerStartException("the pool's initializer failed in worker pid " + w.pid() + ": "
                        + r.failure(w).getMessage(), -1, w.stderrTail());
            }
        }
        return w;
    }

    /** The standby worker ({@link Builder#standby}), started in the background, or null; guarded by spareLock. */
    private CompletableFuture<Worker> spare;
    /** Not the pool's monitor: terminate() holds that while it joins the slots, which may take the spare. */
    private final Object spareLock = new Object();

    /** Starts the next standby, unless the pool stopped taking work. */
    private void startSpare() {
        synchronized (spareLock) {
            startSpareLocked();
        }
    }

    private void startSpareLocked() {
        if (!config.standby || state != State.RUNNING) return;
        CompletableFuture<Worker> f = new CompletableFuture<>();
        spare = f;
        Thread t = new Thread(() -> {
            try {
                f.complete(startInitialised());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        }, "shmarray-pool-standby");
        t.setDaemon(true);
        t.start();
    }

    /**
     * The standby when it is ready and alive (a new one starts in its place), else null: a slot
     * replacing its worker never waits for a standby still starting — it starts its own.
     */
    private Worker takeSpare() {
        Worker w;
        synchronized (spareLock) {
            CompletableFuture<Worker> f = spare;
            if (f == null || !f.isDone()) return null;
            spare = null;
            w = f.isCompletedExceptionally() ? null : f.join();
            startSpareLocked();
        }
        if (w != null && !(w.process.isAlive() && w.channel.isOpen())) {
            w.stop();
            return null;
        }
        if (w != null) LOG.log(System.Logger.Level.DEBUG, "shmarray pool: standby worker pid " + w.pid() + " takes over");
        return w;
    }

    /** Stops the standby (a closing pool), now or once it has started; returns it, or null. */
    private CompletableFuture<Worker> stopSpare() {
        CompletableFuture<Worker> f;
        synchronized (spareLock) {
            f = spare;
            spare = null;
        }
        if (f != null) f.thenAccept(Worker::stop);
        return f;
    }

    /** {@return a builder with defaults: one worker per available processor, no limits} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A pool of {@code n} workers with default options.
     *
     * @param n the number of worker JVMs, at least 1
     * @return the running pool
     * @throws IllegalArgumentException when {@code n < 1}
     * @throws WorkerStartException when a worker does not start
     */
    public static Pool create(int n) {
        return builder().workers(n).build();
    }

    /** {@return the pool's state now} */
    public State state() {
        return state;
    }

    /** {@return the pids of the worker JVMs running now (for diagnostics and tests)} */
    public List<Long> workerPids() {
        List<Long> pids = new ArrayList<>();
        for (Slot s : slots) {
            Worker w = s.worker;
            if (w != null && w.process.isAlive()) pids.add(w.pid());
        }
        return pids;
    }

    private void ensureRunning() {
        if (state != State.RUNNING) throw new IllegalStateException("pool is " + state + ": no new tasks");
    }

    /**
     * Runs one task; the future completes with its result or a typed failure. {@code cancel} on it
     * means it: a task still queued is removed and never runs; {@code cancel(true)} of a running
     * task kills its worker, which is replaced (as on a timeout); {@code cancel(false)} lets it
     * finish and drops the result.
     *
     * @param <R> the type of the task's result
     * @param task the task; serialized now
     * @return a future completed with the result, or with {@link RemoteException} (the task threw),
     *     {@link WorkerDiedException}, {@link TaskTimeoutException} or {@link CancellationException}
     * @throws NotSerializableTaskException when the task cannot be serialized
     * @throws FrameTooLargeException when the serialized task exceeds the frame cap
     * @throws IllegalStateException when the pool is not {@link State#RUNNING}
     */
    @SuppressWarnings("unchecked")
    @Override
    public <R> CompletableFuture<R> submit(SerializableCallable<R> task) {
        ensureRunning();
        long id = IDS.incrementAndGet();
        byte[] payload = Messages.taskFrame(id, task, maxFrame, workerClassPath);
        TaskFuture f = new TaskFuture();
        f.job = track(new Job(Channel.TASK, id, payload, f, 0, config.retries, null));
        f.job.origin = task;
        enqueue(f.job);
        return (CompletableFuture<R>) (CompletableFuture<?>) f;
    }

    /**
     * The future of a pool job, with a {@code cancel} that means it: a job still queued is
     * removed (it never runs); {@code cancel(true)} of a task running in a worker kills that
     * worker, which the pool replaces, as a timeout does. {@code cancel(false)} lets a running
     * task finish and drops its result.
     */
    private final class TaskFuture extends CompletableFuture<Object> {
        Job job;

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            Job j = job;
            if (!cancelled || j == null) return cancelled;
            if (!queue.remove(j) && mayInterruptIfRunning) {
                synchronized (j) { // running there, or about to: nothing else is in flight behind a task
                    j.killRequested = true;
                    if (j.runningOn != null) j.runningOn.process.destroyForcibly();
                }
            }
            return true;
        }
    }

    /**
     * Python's {@code apply}: runs {@code task} in a worker and waits for its result
     * ({@link #apply(SerializableFunction, Object)} passes an argument). When a worker is idle, the
     * calling thread sends the task and reads the result itself (no hand-off to a pool thread and
     * back), which makes this the fastest round trip; otherwise the task waits in the queue like
     * {@link #submit}. Interrupting the caller while the task runs kills and replaces its worker
     * (the task is abandoned, as on a timeout) and the interrupt flag stays set.
     *
     * @param <R> the type of the result
     * @param task the task; serialized now
     * @return the task's result, deserialized in this process
     * @throws RemoteException the task threw (cause: its exception)
     * @throws WorkerDiedException when its worker died, or was killed because the caller was interrupted
     * @throws TaskTimeoutException when it ran longer than the task timeout
     * @throws NotSerializableTaskException when the task cannot be serialized
     * @throws IllegalStateException when the pool is not {@link State#RUNNING}
     */
    @SuppressWarnings("unchecked")
    @Override
    public <R> R apply(SerializableCallable<R> task) {
        Objects.requireNonNull(task, "task");
        ensureRunning();
        long id = IDS.incrementAndGet();
        byte[] payload = Messages.taskFrame(id, task, maxFrame, workerClassPath);
        Job job = track(new Job(Channel.TASK, id, payload, new CompletableFuture<>(), 0, config.retries, null));
        boolean ran = false;
        for (Slot s : slots) {
            if (s.runHere(job)) {
                ran = true;
                break;
            }
        }
        if (!ran) enqueue(job);
        return (R) await(job.future);
    }

    /**
     * Counts a new job for {@link #stats()} and records it in JFR ({@link FlightEvents#TASK}) once
     * its future completes, whichever way.
     */
    private Job track(Job job) {
        submitted.increment();
        Object event = FlightEvents.taskBegun();
        job.future.whenComplete((v, t) -> {
            String outcome;
            if (t == null) {
                completed.increment();
                outcome = "ok";
            } else if (job.future.isCancelled() || t instanceof CancellationException) {
                cancelledJobs.increment();
                outcome = "cancelled";
            } else {
                failed.increment();
                outcome = "failed";
            }
            FlightEvents.taskEnded(event, job.id, job.type == Channel.APPLY, job.payload.length, job.lastPid, outcome);
        });
        return job;
    }

    /**
     * This pool's counters now: jobs submitted, completed, failed and cancelled, bytes each way,
     * workers started and replaced, jobs queued.
     *
     * @return a snapshot of the counters
     */
    public PoolStats stats() {
        return new PoolStats(slots.size(), queue.size(), submitted.sum(), completed.sum(), failed.sum(),
                cancelledJobs.sum(), traffic.sent.sum(), traffic.received.sum(), workersStarted.get(),
                replacements.sum());
    }

    /**
     * Queues a job; one that raced {@link #close()} or {@link #terminate()} (queued behind the
     * slots' stop markers, where nobody would take it) is taken back and refused.
     */
    private void enqueue(Job job) {
        queue.add(job);
        if (state != State.RUNNING && queue.remove(job)) {
            IllegalStateException refused = new IllegalStateException("pool is " + state + ": no new tasks");
            job.future.completeExceptionally(refused); // its counters and JFR event end with it
            throw refused;
        }
    }

    /**
     * {@link #map(SerializableFunction, List, int)} with Python's default chunksize: the items
     * split into about four chunks per worker ({@code ceil(n / (4 x workers))}).
     *
     * @param <T> the type of the items
     * @param <R> the type of the results
     * @param fn the function; serialized once, sent once to each worker
     * @param items the items, each copied to a worker (a shared array as its handle)
     * @return the results, in the order of the items
     * @throws RemoteException the first failing item's exception (cause: the original)
     * @throws WorkerDiedException when a chunk's worker died
     * @throws TaskTimeoutException when a chunk ran longer than the task timeout
     * @throws CancellationException when the calling thread is interrupted while waiting (the call's
     *     other chunks are cancelled) or the pool is terminated
     * @throws NotSerializableTaskException when {@code fn} or an item cannot be serialized
     * @throws IllegalArgumentException when {@code chunksize < 1}
     * @throws IllegalStateException when the pool is not {@link State#RUNNING}
     */
    @Override
    public <T, R> List<R> map(SerializableFunction<T, R> fn, List<T> items) {
        return map(fn, items, defaultChunksize(items.size(), slots.size()), null);
    }

    /** Python's {@code Pool.map} default: {@code ceil(items / (4 x workers))}, at least 1. */
    static int defaultChunksize(int items, int workers) {
        int per = 4 * workers;
        return Math.max(1, items / per + (items % per == 0 ? 0 : 1));
    }

    /**
     * {@link #map(SerializableFunction, List, int, BiConsumer)} without progress.
     *
     * @param <T> the type of the items
     * @param <R> the type of the results
     * @param fn the function; serialized once, sent once to each worker
     * @param items the items, each copied to a worker (a shared array as its handle)
     * @param chunksize the number of items per chunk (one round trip to a worker), at least 1
     * @return the results, in the order of the items
     * @throws RemoteException the first failing item's exception (cause: the original)
     * @throws WorkerDiedException when a chunk's worker died
     * @throws TaskTimeoutException when a chunk ran longer than the task timeout
     * @throws CancellationException when the calling thread is interrupted while waiting (the call's
     *     other chunks are cancelled) or the pool is terminated
     * @throws NotSerializableTaskException when {@code fn} or an item cannot be serialized
     * @throws IllegalArgumentException when {@code chunksize < 1}
     * @throws IllegalStateException when the pool is not {@link State#RUNNING}
     */
    @Override
    public <T, R> List<R> map(SerializableFunction<T, R> fn, List<T> items, int chunksize) {
        return map(fn, items, chunksize, null);
    }

    /**
     * Applies {@code fn} to every item, in chunks of {@code chunksize}, and returns the results in
     * order. The function travels to each worker once. {@code progress} (may be null) is called
     * with (items done, items total) as chunks complete.
     *
     * @param <T> the type of the items
     * @param <R> the type of the results
     * @param fn the function; serialized once, sent once to each worker
     * @param items the items, each copied to a worker (a shared array as its handle)
     * @param chunksize the number of items per chunk (one round trip to a worker), at least 1
     * @param progress called with (items done, items total) on the calling thread, or {@code null}
     * @return the results, in the order of the items
     * @throws RemoteException the first failing item's exception (cause: the original)
     * @throws WorkerDiedException when a chunk's worker died
     * @throws TaskTimeoutException when a chunk ran longer than the task timeout
     * @throws CancellationException when the calling thread is interrupted while waiting (the call's
     *     other chunks are cancelled) or the pool is terminated
     * @throws NotSerializableTaskException when {@code fn} or an item cannot be serialized
     * @throws IllegalArgumentException when {@code chunksize < 1}
     * @throws IllegalStateException when the pool is not {@link State#RUNNING}
     */
    @Override
    public <T, R> List<R> map(SerializableFunction<T, R> fn, List<T> items, int chunksize,
            BiConsumer<Long, Long> progress) {
        return collect(imap(fn, items.iterator(), chunksize, progress, items.size(), true), items.size());
    }

    /**
     * {@link #map(SerializableFunction, List, int)} over any {@code Iterable} (a {@code Set}, a
     * {@code Collection}, a lazily computed sequence), in its iteration order.
     *
     * @param <T> the type of the items
     * @param <R> the type of the results
     * @param fn the function; serialized once, sent once to each worker
     * @param items the items, read as chunks are sent (at most 33 x workers chunks ahead)
     * @param chunksize the number of items per chunk (one round trip to a worker), at least 1
     * @return the results, in iteration order
     * @throws RemoteException the first failing item's exception (cause: the original)
     * @throws WorkerDiedException when a chunk's worker died
     * @throws TaskTimeoutException when a chunk ran longer than the task timeout
     * @throws CancellationException when the calling thread is interrupted while waiting (the call's
     *     other chunks are cancelled) or the pool is terminated
     * @throws NotSerializableTaskException when {@code fn} or an item cannot be serialized
     * @throws IllegalArgumentException when {@code chunksize < 1}
     * @throws IllegalStateException when the pool is not {@link State#RUNNING}
     */
    @Override
    public <T, R> List<R> map(SerializableFunction<T, R> fn, Iterable<T> items, int chunksize) {
        Objects.requireNonNull(items, "items");
        return collect(imap(fn, items.iterator(), chunksize, null, -1, true), 16);
    }

    /**
     * {@link #map(SerializableFunction, List, int)} over a {@code Stream}, in its encounter order.
     *
     * @param <T> the type of the items
     * @param <R> the type of the results
     * @param fn the function; serialized once, sent once to each worker
     * @param items the items, consumed as chunks are sent (at most 33 x workers chunks ahead)
     * @param chunksize the number of items per chunk (one round trip to a worker), at least 1
     * @return the results, in encounter order
     * @throws RemoteException the first failing item's exception (cause: the original)
     * @throws WorkerDiedException when a chunk's worker died
     * @throws TaskTimeoutException when a chunk ran longer than the task timeout
     * @throws CancellationException when the calling thread is interrupted while waiting (the call's
     *     other chunks are cancelled) or the pool is terminated
     * @throws NotSerializableTaskException when {@code fn} or an item cannot be serialized
     * @throws IllegalArgumentException when {@code chunksize < 1}
     * @throws IllegalStateException when the pool is not {@link State#RUNNING}
     */
    @Override
    public <T, R> List<R> map(SerializableFunction<T, R> fn, java.util.stream.Stream<T> items, int chunksize) {
        Objects.requireNonNull(items, "items");
        return collect(imap(fn, items.iterator(), chunksize, null, -1, true), 16);
    }

    /** All of a map call's results, in order; {@code expected} sizes the list. */
    private <T, R> List<R> collect(MapIterator<T, R> it, int expected) {
        try {
            List<R> out = new ArrayList<>(expected);
            while (it.hasNext()) out.add(it.next());
            return out;
        } finally {
            it.registration.clean(); // on failure too: the function goes once its chunks in flight end
        }
    }

    /**
     * Lazy, ordered map over a possibly infinite iterator (at most 33 x workers chunks in flight).
     * Failures surface from the results' {@code hasNext()} and {@code next()}, as {@link #map}'s do.
     *
     * @param <T> the type of the items
     * @param <R> the type of the results
     * @param fn the function; serialized now, sent once to each worker
     * @param items the items, read as chunks are sent
     * @param chunksize the number of items per chunk (one round trip to a worker), at least 1
     * @return the results, in the order of the items; close it to stop early
     * @throws NotSerializableTaskException when {@code fn} cannot be serialized
     * @throws IllegalArgumentException when {@code chunksize < 1}
     * @throws IllegalStateException when the pool is not {@link State#RUNNING}
     */
    @Override
    public <T, R> MapResults<R> imap(SerializableFunction<T, R> fn, Iterator<T> items, int chunksize) {
        return imap(fn, items, chunksize, null, -1, true);
    }

    /**
     * As {@link #imap(SerializableFunction, Iterator, int)}, calling {@code progress} with (items
     * done, -1) as results arrive (the total of a lazy input is unknown).
     *
     * @param <T> the type of the items
     * @param <R> the type of the results
     * @param fn the function; serialized now, sent once to each worker
     * @param items the items, read as chunks are sent
     * @param chunksize the number of items per chunk (one round trip to a worker), at least 1
     * @param progress called with (items done, -1) on the thread reading the results, or {@code null}
     * @return the results, in the order of the items; close it to stop early
     * @throws NotSerializableTaskException when {@code fn} cannot be serialized
     * @throws IllegalArgumentException when {@code chunksize < 1}
     * @throws IllegalStateException when the pool is not {@link State#RUNNING}
     */
    @Override
    public <T, R> MapResults<R> imap(SerializableFunction<T, R> fn, Iterator<T> items, int chunksize,
            BiConsumer<Long, Long> progress) {
        return imap(fn, items, chunksize, progress, -1, true);
    }

    /**
     * As {@link #imap}, yielding results as chunks complete, in any order.
     *
     * @param <T> the type of the items
     * @param <R> the type of the results
     * @param fn the function; serialized now, sent once to each worker
     * @param items the items, read as chunks are sent
     * @param chunksize the number of items per chunk (one round trip to a worker), at least 1
     * @return the results, a chunk's in order, chunks in the order they complete; close it to stop early
     * @throws NotSerializableTaskException when {@code fn} cannot be serialized
     * @throws IllegalArgumentException when {@code chunksize < 1}
     * @throws IllegalStateException when the pool is not {@link State#RUNNING}
     */
    @Override
    public <T, R> MapResults<R> imapUnordered(SerializableFunction<T, R> fn, Iterator<T> items, int chunksize) {
        return imap(fn, items, chunksize, null, -1, false);
    }

    /**
     * As {@link #imapUnordered(SerializableFunction, Iterator, int)}, with progress as {@code imap}'s.
     *
     * @param <T> the type of the items
     * @param <R> the type of the results
     * @param fn the function; serialized now, sent once to each worker
     * @param items the items, read as chunks are sent
     * @param chunksize the number of items per chunk (one round trip to a worker), at least 1
     * @param progress called with (items done, -1) on the thread reading the results, or {@code null}
     * @return the results, a chunk's in order, chunks in the order they complete; close it to stop early
     * @throws NotSerializableTaskException when {@code fn} cannot be serialized
     * @throws IllegalArgumentException when {@code chunksize < 1}
     * @throws IllegalStateException when the pool is not {@link State#RUNNING}
     */
    @Override
    public <T, R> MapResults<R> imapUnordered(SerializableFunction<T, R> fn, Iterator<T> items, int chunksize,
            BiConsumer<Long, Long> progress) {
        return imap(fn, items, chunksize, progress, -1, false);
    }

    private <T, R> MapIterator<T, R> imap(SerializableFunction<T, R> fn, Iterator<T> items, int chunksize,
            BiConsumer<Long, Long> progress, long total, boolean ordered) {
        ensureRunning();
        if (chunksize < 1) throw new IllegalArgumentException("chunksize=" + chunksize + ", must be >= 1");
        long fnId = IDS.incrementAndGet();
        byte[] define = Codec.encodeFrame(new Messages.Define(fnId, Codec.encode(fn, "function", workerClassPath)),
                "function", maxFrame);
        MapIterator<T, R> it = new MapIterator<>(new MapCall(fnId), items, chunksize, define, progress, total,
                ordered, (MAX_PIPELINE_DEPTH + 1) * slots.size());
        // an imap iterator dropped before its end: the function goes once its chunks in flight end
        MapCall call = it.call;
        it.registration = RELEASER.register(it, call::submissionDone);
        return it;
    }

    private static final Cleaner RELEASER = Cleaner.create();

    /**
     * One map call's bookkeeping for its function's life in the workers: once no more chunks will be
     * submitted and every submitted chunk has ended (done, failed or cancelled), each worker that
     * had the function defined is told to drop it (FORGET), so that what it captured — shared
     * arrays included — is released there.
     */
    private final class MapCall {
        final long fnId;
        private final AtomicInteger outstanding = new AtomicInteger();
        private final AtomicBoolean submitted = new AtomicBoolean();
        private final AtomicBoolean forgotten = new AtomicBoolean();

        MapCall(long fnId) {
            this.fnId = fnId;
        }

        void jobSubmitted(CompletableFuture<Object> f) {
            outstanding.incrementAndGet();
            f.whenComplete((v, t) -> {
                if (outstanding.decrementAndGet() == 0 && submitted.get()) forget();
            });
        }

        void submissionDone() {
            if (submitted.compareAndSet(false, true) && outstanding.get() == 0) forget();
        }

        private void forget() {
            if (!forgotten.compareAndSet(false, true)) return;
            for (Slot s : slots) s.forgets.add(fnId);
        }
    }

    /** The iterator of {@code imap}/{@code imapUnordered} (and the engine of {@code map}). */
    private final class MapIterator<T, R> implements MapResults<R> {
        final MapCall call;
        /** Ends the submission when this iterator is exhausted, or unreachable before that. */
        Cleaner.Cleanable registration;
        private final Iterator<T> items;
        private final int chunksize;
        private final byte[] define;
        private final BiConsumer<Long, Long> progress;
        private final long total;
        private final boolean ordered;
        private final int window;
        private final Deque<CompletableFuture<Object>> inFlight = new ArrayDeque<>();
        /** Payload bytes of the chunks in {@link #inFlight}. */
        private long inFlightBytes;
        private Iterator<R> current = Collections.emptyIterator();
        private long done;

        MapIterator(MapCall call, Iterator<T> items, int chunksize, byte[] define,
                BiConsumer<Long, Long> progress, long total, boolean ordered, int window) {
            this.call = call;
            this.items = items;
            this.chunksize = chunksize;
            this.define = define;
            this.progress = progress;
            this.total = total;
            this.ordered = ordered;
            this.window = window;
        }

        /** Set by {@link #close()}: nothing more is read or submitted. */
        private boolean closed;

        /** Cancels the chunks in flight; their bytes go with them. */
        private CancellationException cancelAll(CancellationException e) {
            inFlightBytes = 0;
            return cancelled(inFlight, e);
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            cancelAll(null);
            current = Collections.emptyIterator();
            registration.clean();
        }

        private void topUp() {
            int floor = (PIPELINE_DEPTH + 1) * slots.size(); // in flight whatever their size
            while (!closed && inFlight.size() < window && items.hasNext()
                    && (inFlight.size() < floor || inFlightBytes < WINDOW_BYTES)) {
                List<T> chunk = new ArrayList<>(Math.min(chunksize, 1024)); // cut lazily: any chunksize is fine
                while (chunk.size() < chunksize && items.hasNext()) chunk.add(items.next());
                long id = IDS.incrementAndGet();
                byte[] payload = WorkerMain.applyFrame(id, call.fnId, chunk);
                if (payload.length + 1L > maxFrame) {
                    throw new FrameTooLargeException("the chunk", payload.length, maxFrame);
                }
                TaskFuture f = new TaskFuture();
                ensureRunning();
                call.jobSubmitted(f);
                Job job = track(new Job(Channel.APPLY, id, payload, f, call.fnId, config.retries, define));
                f.job = job;
                try {
                    enqueue(job);
                } catch (IllegalStateException closed) {
                    f.completeExceptionally(closed); // its map call's bookkeeping ends with it
                    throw closed;
                }
                inFlight.add(f);
                inFlightBytes += payload.length;
            }
        }

        /** Takes a chunk's future out of {@link #inFlight} (when still there), with its bytes. */
        private void removeInFlight(CompletableFuture<Object> f) {
            if (inFlight.remove(f)) inFlightBytes -= ((TaskFuture) f).job.payload.length;
        }

        @Override
        public boolean hasNext() {
            if (closed) return false;
            while (!current.hasNext()) {
                topUp();
                if (inFlight.isEmpty()) {
                    registration.clean();
                    return false;
                }
                CompletableFuture<Object> next = ordered ? inFlight.peekFirst() : firstDone();
                List<R> results;
                try {
                    @SuppressWarnings("unchecked")
                    List<R> r = (List<R>) await(next);
                    results = r;
                } catch (CancellationException e) {
                    if (Thread.currentThread().isInterrupted()) throw cancelAll(e);
                    throw e;
                } finally {
                    removeInFlight(next);
                }
                done += results.size();
                if (progress != null) progress.accept(done, total);
                current = results.iterator();
            }
            return true;
        }

        private CompletableFuture<Object> firstDone() {
            try {
                CompletableFuture.anyOf(inFlight.toArray(new CompletableFuture<?>[0])).exceptionally(t -> null).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw cancelAll(new CancellationException("interrupted while waiting for a result"));
            } catch (ExecutionException e) {
                // not reached: failures are mapped to null above
            }
            for (CompletableFuture<Object> f : inFlight) {
                if (f.isDone()) return f; // removed by the caller
            }
            throw new IllegalStateException("no completed chunk");
        }

        @Override
        public R next() {
            if (!hasNext()) throw new NoSuchElementException();
            return current.next();
        }
    }

    /** Waits for a future, rethrowing its failure as is (RemoteException, WorkerDiedException, ...). */
    private static Object await(CompletableFuture<Object> f) {
        try {
            return f.get();
        } catch (ExecutionException | CompletionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException) throw (RuntimeException) c;
            if (c instanceof Error) throw (Error) c;
            throw new IllegalStateException(c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting for a result");
        }
    }

    /**
     * A map call interrupted while waiting for a chunk, or an {@code imap} closed early: the call's
     * outstanding chunks are cancelled as by {@code cancel(true)} — queued ones never run, one
     * running in a worker is stopped (the worker is killed and replaced), one sent behind it never
     * starts — so nothing of the call goes on writing to shared arrays afterwards.
     */
    private static CancellationException cancelled(Deque<CompletableFuture<Object>> inFlight, CancellationException e) {
        for (CompletableFuture<Object> f : inFlight) f.cancel(true);
        inFlight.clear();
        return e;
    }

    /** No new tasks; queued tasks still run. Idempotent. See {@link #join()}. */
    @Override
    public void close() {
        shutdown();
        join();
    }

    @Override
    public synchronized void shutdown() {
        if (state == State.RUNNING) {
            state = State.CLOSED;
            for (int i = 0; i < slots.size(); i++) queue.add(STOP);
            stopSpare();
        }
    }

    @Override
    public boolean isShutdown() {
        return state != State.RUNNING;
    }

    /** Whether every slot thread has exited (after {@link #shutdown()} or {@link #terminate()}). */
    @Override
    public boolean isTerminated() {
        for (Slot s : slots) {
            if (s.thread.isAlive()) return false;
        }
        return state != State.RUNNING;
    }


    /** Waits until every queued task ran and every worker exited. */
    public void join() {
        if (state == State.RUNNING) throw new IllegalStateException("join() needs close() or terminate() first");
        for (Slot s : slots) {
            try {
                s.thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        state = State.TERMINATED;
    }

    /** Kills every worker at once; queued and running tasks fail with {@link CancellationException}. */
    @Override
    public void terminate() {
        shutdownNow();
    }

    @Override
    public synchronized List<SerializableCallable<?>> shutdownNow() {
        List<SerializableCallable<?>> never = new ArrayList<>();
        if (state == State.TERMINATED) return never;
        state = State.TERMINATED;
        CompletableFuture<Worker> spareStarting = stopSpare();
        List<Job> pending = new ArrayList<>();
        queue.drainTo(pending);
        for (Job j : pending) {
            if (j == STOP) continue;
            boolean cancelledHere = j.future.completeExceptionally(new CancellationException("pool terminated"));
            if (cancelledHere && j.origin != null) never.add(j.origin); // not cancelled by its caller first
        }
        List<Worker> workers = new ArrayList<>();
        for (Slot s : slots) {
            Worker w = s.worker; // before the interrupt: the slot may drop it while dying
            if (w != null) workers.add(w);
        }
        for (Slot s : slots) {
            s.thread.interrupt();
            s.kill();
        }
        for (int i = 0; i < slots.size(); i++) queue.add(STOP);
        for (Slot s : slots) {
            try {
                s.thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Worker w : workers) { // gone when this returns, whichever thread killed them
            w.process.destroyForcibly();
            Worker.waitExit(w.process);
        }
        if (spareStarting != null) { // a standby still starting: wait for it (bounded), then it is gone too
            try {
                Worker w = spareStarting.get(options.startTimeout().toMillis(), TimeUnit.MILLISECONDS);
                w.process.destroyForcibly();
                Worker.waitExit(w.process);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | java.util.concurrent.TimeoutException | CancellationException e) {
                // it failed to start (nothing to stop), or it is killed by its own start timeout
            }
        }
        return never;
    }

    /** How often an idle slot looks for FORGET frames to send. */
    private static final long FORGET_POLL_MILLIS = 250;

    /**
     * Map chunks sent to one worker ahead of its result: while the worker runs one, the next is
     * already in its socket, so it never waits for the parent to decode a result and send more.
     * Tasks are never queued behind another job on a worker (a long task would hold them while
     * another worker idles).
     */
    static final int PIPELINE_DEPTH = 2;

    /**
     * Map chunks in flight per worker once the map's chunks prove short: they go out with one
     * write, and their results come back to one read.
     */
    static final int MAX_PIPELINE_DEPTH = 32;

    /**
     * A map chunk that takes less than this (100 µs) from its start to its result, as the parent
     * sees it, is short: deeper pipelines pay. What waits behind a running chunk then stays about
     * {@code MAX_PIPELINE_DEPTH x} this long, so a map's end is rarely long in one worker while
     * another idles; a chunk that turns out long can still hold that many behind it.
     */
    static final long SHORT_CHUNK_NANOS = 100_000;

    /** Bytes of frames a slot sends behind the chunk its worker runs (see {@code Slot.fitsBehindHead}). */
    static final int PIPELINE_BYTES = 128 * 1024;

    /** Bytes of chunks a map keeps in flight beyond the first {@code 3 x workers} chunks. */
    static final long WINDOW_BYTES = 16L << 20;

    /**
     * One worker position: its dispatcher thread and its current worker JVM. The thread sends jobs
     * and reads their results in order; behind a map chunk it sends up to
     * {@value #PIPELINE_DEPTH} - 1 more chunks before the first result is back, up to
     * {@value #MAX_PIPELINE_DEPTH} - 1 for a map whose chunks proved short here, and never more
     * than {@value #PIPELINE_BYTES} bytes of them.
     */
    private final class Slot implements Runnable {
        final Thread thread;
        volatile Worker worker;
        final Set<Long> defined = new HashSet<>();
        /** Functions of finished maps, to be dropped by this slot's worker (posted by the slot thread). */
        final java.util.Queue<Long> forgets = new java.util.concurrent.ConcurrentLinkedQueue<>();
        int tasksRun;
        /** Jobs sent to the current worker, oldest (the one running there) first. */
        final Deque<Job> inFlight = new ArrayDeque<>();
        /** When the oldest job in flight started: sent to an idle worker, or its predecessor's result came. */
        long headStart;
        /** The map whose chunk times {@link #chunkNanos} holds (0: none yet). */
        long timedFn;
        /** A moving average of the time {@link #timedFn}'s chunks took, start to result, on this worker. */
        long chunkNanos;
        /** A STOP was taken while jobs were in flight: exit once they are done. */
        boolean stopping;
        /**
         * Held by whoever talks to the worker — the slot thread, or a caller of {@link #apply} on an
         * idle worker — and guards the fields above.
         */
        final java.util.concurrent.locks.ReentrantLock io = new java.util.concurrent.locks.ReentrantLock();

        Slot(int index) {
            thread = new Thread(this, "shmarray-pool-slot-" + index);
            thread.setDaemon(true);
        }

        Worker launch() {
            Worker w = takeSpare();
            if (w == null) w = startInitialised();
            if (state == State.TERMINATED) { // terminate() ran meanwhile: it would never see this one
                w.process.destroyForcibly();
                w.stop();
                throw new CancellationException("pool terminated");
            }
            if (launchedBefore) replacements.increment();
            launchedBefore = true;
            defined.clear();
            tasksRun = 0;
            return w;
        }

        /** Whether this slot had a worker before: later launches are replacements. */
        private boolean launchedBefore;

        void kill() {
            Worker w = worker;
            if (w != null) {
                w.process.destroyForcibly();
                w.stop();
            }
        }

        @Override
        public void run() {
            io.lock();
            try {
                while (true) {
                    postForgets();
                    if (inFlight.isEmpty()) {
                        if (stopping) { // jobs sent back by a dead worker still run before the exit
                            Job left = queue.pollFirst();
                            if (left == null || left == STOP) {
                                if (left == STOP) queue.addLast(STOP); // another slot's
                                return;
                            }
                            dispatch(left);
                            continue;
                        }
                        Job job;
                        io.unlock(); // idle: a caller of apply may use this worker meanwhile
                        try {
                            job = queue.poll(FORGET_POLL_MILLIS, TimeUnit.MILLISECONDS); // idle: forgets still go out
                        } catch (InterruptedException e) {
                            io.lock();
                            return;
                        }
                        if (!io.tryLock()) { // a caller of apply runs a task here: leave the job to others
                            if (job != null) queue.offerFirst(job);
                            io.lock();
                            continue;
                        }
                        if (job == null) continue;
                        if (job == STOP) return;
                        dispatch(job);
                    }
                    topUp();
                    if (!inFlight.isEmpty()) awaitOldest();
                }
            } finally {
                try {
                    Worker w = worker;
                    worker = null;
                    if (w != null) w.stop();
                    for (Job j; (j = inFlight.poll()) != null; ) {
                        j.future.completeExceptionally(new CancellationException("pool terminated"));
                    }
                } finally {
                    io.unlock();
                }
            }
        }

        /**
         * Runs {@code job} on this slot's worker from the calling thread, when the worker is idle:
         * no hand-off to the slot thread and back. False when it is busy (nothing was done).
         */
        boolean runHere(Job job) {
            if (!io.tryLock()) return false;
            try {
                Worker w = worker;
                if (!inFlight.isEmpty() || stopping || state != State.RUNNING || w == null || !w.process.isAlive()) {
                    return false;
                }
                if (dispatch(job)) awaitOldest();
                return true;
            } finally {
                io.unlock();
            }
        }

        /** Whether {@code next} may go to the worker behind what is in flight now. */
        private boolean pipelinable(Job next) {
            Job last = inFlight.peekLast();
            return last != null && last.type == Channel.APPLY && next.type == Channel.APPLY
                    && inFlight.size() < depth(next) && fitsBehindHead(next)
                    && (config.maxTasksPerWorker == 0 || tasksRun + inFlight.size() < config.maxTasksPerWorker);
        }

        /**
         * How many chunks of {@code next}'s map may be in flight here: {@value #PIPELINE_DEPTH}, or up to
         * {@value #MAX_PIPELINE_DEPTH} once that map's chunks proved short on this worker and
         * everything in flight is of that map (a long chunk of another never has a crowd behind it).
         */
        private int depth(Job next) {
            if (next.fnId != timedFn || chunkNanos >= SHORT_CHUNK_NANOS) return PIPELINE_DEPTH;
            for (Job j : inFlight) {
                if (j.fnId != timedFn) return PIPELINE_DEPTH;
            }
            return MAX_PIPELINE_DEPTH;
        }

        /**
         * Whether {@code next} (with its function's definition, when this worker lacks it) fits
         * with the chunks already sent behind the oldest in flight within half the socket's send
         * buffer, at most {@value #PIPELINE_BYTES} bytes. The worker reads them only once the
         * oldest is done: more would block this thread in a write for as long as that chunk runs
         * (and past the stall limit, fail it).
         */
        private boolean fitsBehindHead(Job next) {
            long bytes = next.payload.length + 5L;
            if (next.define != null && !defined.contains(next.fnId)) bytes += next.define.length + 5L;
            boolean head = true;
            for (Job j : inFlight) {
                if (!head) bytes += j.payload.length + 5L;
                head = false;
            }
            return bytes <= Math.min(PIPELINE_BYTES, worker.channel.sendBufferBytes() / 2);
        }

        /** Sends waiting map chunks behind a chunk in flight, up to the pipeline depth, in one write. */
        private void topUp() {
            try {
                while (!stopping && !inFlight.isEmpty() && inFlight.size() < MAX_PIPELINE_DEPTH
                        && inFlight.peekLast().type == Channel.APPLY) {
                    Job next = queue.poll();
                    if (next == null) return;
                    if (next == STOP) {
                        stopping = true;
                        return;
                    }
                    if (!pipelinable(next)) {
                        queue.offerFirst(next); // for an idle worker, or this one once it is done
                        return;
                    }
                    if (!dispatch(next, true)) return;
                }
            } finally {
                flush();
            }
        }

        /**
         * Writes the chunks {@link #topUp} queued. A worker gone meanwhile, or killed because the
         * write failed, is found by the wait for the result in flight before them, which sends
         * them back to the queue (they never started).
         */
        private void flush() {
            Worker w = worker;
            if (w != null) w.flush();
        }

        /** Sends a job to this slot's worker (starting one if needed); false when it could not go. */
        private boolean dispatch(Job job) {
            return dispatch(job, false);
        }

        /**
         * {@link #dispatch(Job)}; with {@code later}, behind a job in flight, the frames are only
         * queued on the channel, for {@link #flush()}.
         */
        private boolean dispatch(Job job, boolean later) {
            if (state == State.TERMINATED) {
                job.future.completeExceptionally(new CancellationException("pool terminated"));
                return false;
            }
            if (job.future.isCancelled()) return false; // cancelled while it was being taken
            try {
                if (worker != null && !worker.process.isAlive() && inFlight.isEmpty()) { // died while idle
                    Worker dead = worker;
                    worker = null;
                    dead.close(); // its channel (socket, selector) and stdin; leaked before
                }
                if (worker == null) worker = launch();
                Worker w = worker;
                if (job.define != null && defined.add(job.fnId)) w.sendLater(Channel.DEFINE, job.define);
                if (later && !inFlight.isEmpty()) w.sendLater(job.type, job.payload);
                else w.send(job.type, job.payload);
                if (inFlight.isEmpty()) {
                    headStart = System.nanoTime();
                    running(job, w);
                }
                inFlight.add(job);
                return true;
            } catch (WorkerDiedException e) { // it never reached the worker, or the start failed
                if (!inFlight.isEmpty()) { // died while running the oldest: its receive reports that
                    queue.addFirst(job);
                    return false;
                }
                lost(job, e);
                return false;
            } catch (RuntimeException e) {
                job.future.completeExceptionally(e);
                return false;
            }
        }

        /** Records that {@code job} runs on {@code w} now (null: no longer), for a cancel(true). */
        private void running(Job job, Worker w) {
            if (job == null) return;
            synchronized (job) {
                job.runningOn = w;
                if (w != null) job.lastPid = w.pid();
                if (w != null && job.killRequested) w.process.destroyForcibly(); // cancelled while being sent
            }
        }

        /** Waits for the result of the oldest job in flight and completes it. */
        private void awaitOldest() {
            Job job = inFlight.peekFirst();
            Worker w = worker;
            long timeout = config.taskTimeout == null ? -1 : Math.max(1, config.taskTimeout.toMillis());
            long deadline = timeout < 0 ? Long.MAX_VALUE : headStart + timeout * 1_000_000L;
            Reply r;
            try {
                r = w.receive(deadline, timeout, inFlight.size());
            } catch (WorkerDiedException | TaskTimeoutException e) {
                inFlight.removeFirst();
                lost(job, e);
                return;
            } catch (RuntimeException e) { // a garbled channel is not trusted again: the worker is recycled
                inFlight.removeFirst();
                running(job, null);
                job.future.completeExceptionally(e);
                if (e instanceof ProtocolException && !(e instanceof FrameTooLargeException)) replaceWorker(null);
                return;
            }
            if (r.id != job.id && r.id != -1) {
                inFlight.removeFirst();
                running(job, null);
                job.future.completeExceptionally(new ProtocolException("result " + r.id + " for task " + job.id));
                replaceWorker(null);
                return;
            }
            inFlight.removeFirst();
            running(job, null);
            long now = System.nanoTime();
            if (job.type == Channel.APPLY) { // how long this map's chunks take here: the pipeline's depth
                long took = now - headStart;
                chunkNanos = job.fnId == timedFn ? (3 * chunkNanos + took) / 4 : took;
                timedFn = job.fnId;
            }
            headStart = now; // the worker moved on to the next in flight
            running(inFlight.peekFirst(), w);
            topUp(); // keep it fed while this result is decoded
            if (r.ok) {
                Object value = null;
                Exception refused = null;
                try {
                    value = r.value(w);
                } catch (ProtocolException | ClassNotFoundException e) {
                    // the frame arrived whole, the channel is in step: only this result is refused
                    // (the filter, a missing class), not the worker
                    refused = e;
                }
                if (refused == null) job.future.complete(value);
                else job.future.completeExceptionally(refused);
            } else {
                job.future.completeExceptionally(r.failure(w));
            }
            tasksRun++;
            if (config.maxTasksPerWorker > 0 && tasksRun >= config.maxTasksPerWorker && inFlight.isEmpty()) {
                worker = null;
                w.stop();
            }
        }

        /**
         * The job's worker died, timed out or never got it. A job that never reached its worker
         * goes once more, on a fresh worker; one that ran is retried only when the pool asks for it
         * (it may have mutated shared arrays). The jobs sent behind it never started there (a
         * worker runs its frames in order): they go back to the front of the queue.
         */
        private void lost(Job job, RuntimeException e) {
            running(job, null);
            boolean notDelivered = e instanceof Worker.NotDelivered && !job.redelivered;
            if (notDelivered) job.redelivered = true;
            String what = (job.type == Channel.APPLY ? "map chunk " : "task ") + job.id;
            if (state != State.TERMINATED && !job.future.isCancelled() // a cancel(true) killed it: that is all
                    && (notDelivered // it never ran: once more, on a fresh worker
                    || (e instanceof WorkerDiedException && job.attemptsLeft-- > 0))) {
                queue.addFirst(job); // (otherwise an opt-in retry)
                LOG.log(System.Logger.Level.WARNING, "shmarray pool: " + what + (notDelivered
                        ? " never reached its worker and runs again: " : " is retried after: ") + e.getMessage());
            } else {
                job.future.completeExceptionally(e);
                if (state != State.TERMINATED && job.future.isCancelled()) {
                    LOG.log(System.Logger.Level.DEBUG, "shmarray pool: " + what + " was cancelled: its worker was killed");
                } else if (state != State.TERMINATED) {
                    LOG.log(System.Logger.Level.WARNING, "shmarray pool: " + what + " failed: " + e.getMessage());
                }
            }
            replaceWorker(e);
        }

        /** Closes the current worker (dead, timed out or untrusted) and starts its replacement. */
        private void replaceWorker(RuntimeException why) {
            Worker dead = worker;
            worker = null;
            if (dead != null) {
                if (why == null) dead.process.destroyForcibly();
                dead.close();
            }
            for (Job j; (j = inFlight.pollLast()) != null; ) {
                if (state == State.TERMINATED) j.future.completeExceptionally(new CancellationException("pool terminated"));
                else if (!j.future.isCancelled()) queue.addFirst(j); // never started on the dead worker
            }
            if (state != State.TERMINATED) {
                boolean interrupted = Thread.interrupted(); // a caller of apply that was interrupted
                try {
                    worker = launch(); // the replacement, warm for the next task
                    LOG.log(System.Logger.Level.DEBUG, "shmarray pool: worker pid " + (dead == null ? "?" : dead.pid())
                            + " replaced by pid " + worker.pid());
                } catch (RuntimeException startFailure) {
                    worker = null; // retried at the next task, which then reports it
                    LOG.log(System.Logger.Level.WARNING, "shmarray pool: the replacement of worker pid "
                            + (dead == null ? "?" : dead.pid()) + " did not start (retried with the next task): "
                            + startFailure.getMessage());
                } finally {
                    if (interrupted) Thread.currentThread().interrupt();
                }
            }
        }

        /** Tells this slot's worker to drop the functions of finished maps it had defined. */
        private void postForgets() {
            for (Long fnId; (fnId = forgets.poll()) != null; ) {
                Worker w = worker;
                if (!defined.remove(fnId) || w == null || !w.process.isAlive()) continue;
                try {
                    w.send(Channel.FORGET, java.nio.ByteBuffer.allocate(Long.BYTES).putLong(fnId).array());
                } catch (RuntimeException e) {
                    // the worker is dying: its replacement starts without any definition
                }
            }
        }
    }

    @Override
    public String toString() {
        return "Pool[" + slots.size() + " workers, " + state + ", " + queue.size() + " queued]";
    }

    /** Jobs waiting for a worker (for tests). */
    int queuedJobs() {
        return queue.size();
    }

    /**
     * Awaits termination at most {@code timeout}; true when all workers exited. Only a closed or
     * terminated pool ever terminates.
     *
     * @param timeout how long to wait
     * @return true when every worker exited, false when the time ran out first
     * @throws InterruptedException when the calling thread is interrupted while waiting
     */
    @Override
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        for (Slot s : slots) {
            long left = end - System.nanoTime();
            if (left <= 0) return false;
            TimeUnit.NANOSECONDS.timedJoin(s.thread, left);
            if (s.thread.isAlive()) return false;
        }
        return true;
    }
}
