package io.shmarray.runtime;

import io.shmarray.NotSerializableTaskException;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A task running in its own freshly started JVM — the counterpart of Python's
 * {@code multiprocessing.Process}. The JVM cannot fork, so the worker is a new JVM with this
 * JVM's {@code java}, class path, native library and backend; the task travels as serialized
 * bytes: its code by reference (class + method), its captured values copied, shared arrays as
 * handles. See {@link io.shmarray.Explain} for exactly what a task copies.
 *
 * <pre>{@code
 * SharedDoubleArray data = SharedDoubleArray.create(1_000_000);
 * WorkerProcess<Double> p = WorkerProcess.start(() -> {
 *     double s = 0;
 *     for (long i = 0; i < data.length(); i++) s += data.get(i);    // the same memory, no copy
 *     return s;
 * });
 * double sum = p.result();                                           // or join(timeout), kill(), ...
 * }</pre>
 *
 * <p>A task's exception arrives as {@link RemoteException} whose cause is the original exception
 * with its remote stack trace; a worker that dies (killed, {@code System.exit}, crash) gives
 * {@link WorkerDiedException} with its exit code and stderr tail. A task or argument that cannot
 * be serialized fails here, before any JVM starts ({@link NotSerializableTaskException}). The
 * worker's stdout and stderr appear on this JVM's; if this JVM dies, the worker exits at once.
 *
 * @param <R> the type of the task's result
 */
public final class WorkerProcess<R> implements AutoCloseable {

    private static final java.util.concurrent.atomic.AtomicLong IDS = new java.util.concurrent.atomic.AtomicLong();

    private final Worker worker;
    private final CompletableFuture<R> result = new CompletableFuture<>();

    private WorkerProcess(Worker worker) {
        this.worker = worker;
    }

    /**
     * Runs {@code task} in a new worker JVM with default options.
     *
     * @param <R> the type of the task's result
     * @param task the task; serialized now
     * @return the running process; {@link #result()} gives the task's result
     * @throws NotSerializableTaskException before starting anything, naming what cannot travel
     * @throws WorkerStartException when the JVM does not start or connect in time
     */
    public static <R> WorkerProcess<R> start(SerializableCallable<R> task) {
        return start(WorkerOptions.defaults(), task);
    }

    /**
     * Runs {@code fn.apply(arg)} in a new worker JVM with default options.
     *
     * @param <T> the type of the argument
     * @param <R> the type of the result
     * @param fn the function; serialized now, with {@code arg}
     * @param arg its argument (copied, a shared array as its handle)
     * @return the running process; {@link #result()} gives the function's result
     * @throws NullPointerException when {@code fn} is null
     * @throws NotSerializableTaskException before starting anything, naming what cannot travel
     * @throws WorkerStartException when the JVM does not start or connect in time
     */
    public static <T, R> WorkerProcess<R> start(SerializableFunction<T, R> fn, T arg) {
        Objects.requireNonNull(fn, "fn");
        return start(WorkerOptions.defaults(), () -> fn.apply(arg));
    }

    /**
     * Runs {@code task} in a new worker JVM with default options; the result is {@code null}.
     *
     * @param task the task; serialized now
     * @return the running process; {@link #result()} returns once the task finished
     * @throws NullPointerException when {@code task} is null
     * @throws NotSerializableTaskException before starting anything, naming what cannot travel
     * @throws WorkerStartException when the JVM does not start or connect in time
     */
    public static WorkerProcess<Void> start(SerializableRunnable task) {
        Objects.requireNonNull(task, "task");
        return start(WorkerOptions.defaults(), () -> {
            task.run();
            return null;
        });
    }

    /**
     * Runs {@code task} in a new worker JVM started with {@code options} (a waiting
     * {@linkplain #prestart(WorkerOptions) standby} worker with the same options, when there is one).
     *
     * @param <R> the type of the task's result
     * @param options how to start the worker JVM
     * @param task the task; serialized now
     * @return the running process; {@link #result()} gives the task's result
     * @throws NullPointerException when {@code task} is null
     * @throws FrameTooLargeException when the serialized task exceeds the options' frame limit
     * @throws NotSerializableTaskException before starting anything, naming what cannot travel
     * @throws WorkerStartException when the JVM does not start or connect in time
     */
    public static <R> WorkerProcess<R> start(WorkerOptions options, SerializableCallable<R> task) {
        Objects.requireNonNull(task, "task");
        long id = IDS.incrementAndGet();
        byte[] payload = Messages.taskFrame(id, task, options.maxFrameBytes(), WorkerLauncher.classPath(options));
        Worker w = Standby.take(options);
        if (w == null) w = WorkerLauncher.launch(options);
        WorkerProcess<R> p = new WorkerProcess<>(w);
        Thread t = new Thread(() -> p.run(id, payload), "shmarray-process-" + w.pid());
        t.setDaemon(true);
        t.start();
        return p;
    }

    @SuppressWarnings("unchecked")
    private void run(long id, byte[] payload) {
        try {
            Reply r = worker.call(id, payload);
            if (r.ok) {
                result.complete((R) r.value(worker));
            } else {
                result.completeExceptionally(r.failure(worker));
            }
        } catch (Throwable e) {
            result.completeExceptionally(e);
        } finally {
            worker.close();
        }
    }

    /**
     * Starts a worker JVM now and keeps it waiting, so that the next {@code start} with the same
     * options hands its task to an already running JVM (milliseconds instead of a JVM start-up);
     * each start that takes the standby starts the next one in the background. Our answer to
     * Python's forkserver. The standby exits with this JVM, or on {@link #shutdownStandby()}.
     *
     * @param options the options of the starts to speed up; a start with other options launches its
     *     own JVM as usual
     * @throws NullPointerException when {@code options} is null
     */
    public static void prestart(WorkerOptions options) {
        Standby.enable(Objects.requireNonNull(options, "options"));
    }

    /** {@link #prestart(WorkerOptions)} with default options. */
    public static void prestart() {
        prestart(WorkerOptions.defaults());
    }

    /** Stops keeping a standby worker and stops the waiting one. */
    public static void shutdownStandby() {
        Standby.disable();
    }

    /** {@return the worker JVM's process id} */
    public long pid() {
        return worker.pid();
    }

    /** {@return whether the worker JVM still runs} */
    public boolean isAlive() {
        return worker.process.isAlive();
    }

    /**
     * Waits until the task finished (or failed), at most {@code timeout}; true when it did. The
     * worker exits right after its task: this then also waits up to 5 seconds for that exit.
     *
     * @param timeout how long to wait for the task
     * @return true when the task finished, successfully or not; false when the time ran out
     * @throws InterruptedException when the calling thread is interrupted while waiting
     */
    public boolean join(Duration timeout) throws InterruptedException {
        try {
            result.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            // finished, with a failure
        } catch (TimeoutException e) {
            return false;
        }
        worker.process.waitFor(5, TimeUnit.SECONDS); // it exits right after its task
        return true;
    }

    /** {@return the worker's exit code once it exited (128 + signal when killed), else empty} */
    public OptionalInt exitCode() {
        return worker.process.isAlive() ? OptionalInt.empty() : OptionalInt.of(worker.process.exitValue());
    }

    /**
     * The task's result, waiting as long as it takes.
     *
     * @return the task's result, deserialized in this process
     * @throws RemoteException the task threw (cause: its exception)
     * @throws WorkerDiedException the worker died first
     * @throws InterruptedException when the calling thread is interrupted while waiting (the worker
     *     goes on)
     */
    public R result() throws InterruptedException {
        try {
            return result.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException) throw (RuntimeException) c;
            if (c instanceof Error) throw (Error) c;
            throw new IllegalStateException(c);
        }
    }

    /** Asks the worker to stop (SIGTERM). */
    public void terminate() {
        worker.process.destroy();
    }

    /** Kills the worker (SIGKILL); a pending result becomes {@link WorkerDiedException}. */
    public void kill() {
        worker.process.destroyForcibly();
    }

    /** Kills the worker if it still runs and waits for it; idempotent. */
    @Override
    public void close() {
        worker.close();
        if (worker.process.isAlive()) {
            try {
                if (!worker.process.waitFor(2, TimeUnit.SECONDS)) {
                    worker.process.destroyForcibly();
                    worker.process.waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "WorkerProcess[pid " + pid() + (isAlive() ? ", running" : ", exited") + "]";
    }
}
