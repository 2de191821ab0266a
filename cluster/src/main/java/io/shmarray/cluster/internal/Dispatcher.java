package io.shmarray.cluster.internal;

import io.shmarray.runtime.Codec;
import io.shmarray.runtime.RemoteException;
import io.shmarray.runtime.TaskTimeoutException;
import io.shmarray.runtime.WorkerDiedException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One cluster pool's jobs on their way to members: a queue, and a dispatcher thread that sends
 * each job to the compute member with the most room ({@value #PER_THREAD} jobs per member thread
 * in flight, so a member never idles while work waits), with the pool's timeout and retries. A
 * job's future completes with the reply body of a task that returned, or fails typed:
 * {@link RemoteException} (the task threw), {@link WorkerDiedException} (its member left the
 * cluster; retried first when retries remain), {@link TaskTimeoutException} (interrupted there),
 * {@link CancellationException}, {@code ClusterAuthenticationException}.
 */
public final class Dispatcher {

    private static final System.Logger LOG = System.getLogger("io.shmarray.cluster");
    static final int PER_THREAD = 2;

    /** What a job is: a task, or a map chunk. */
    public enum Kind { TASK, CHUNK }

    private final NodeAgent agent;
    private final long poolId;
    private final Duration timeout;
    private final int retries;
    private final Object lock = new Object();
    private final ArrayDeque<Job> queue = new ArrayDeque<>();
    private final Set<Job> running = new LinkedHashSet<>();
    private final Map<String, Integer> inFlight = new HashMap<>();
    private final ScheduledExecutorService timer;
    private final Thread thread;
    private boolean closed;
    private boolean terminated;

    /** Counters: submitted, completed, failed, cancelled, retried. */
    public final AtomicLong submitted = new AtomicLong();
    /** Jobs that returned a value. */
    public final AtomicLong completed = new AtomicLong();
    /** Jobs that failed. */
    public final AtomicLong failed = new AtomicLong();
    /** Jobs re-sent after their member left. */
    public final AtomicLong retried = new AtomicLong();

    /**
     * @param agent the driver's agent
     * @param poolId the pool
     * @param timeout the time limit per job, or null
     * @param retries re-sends of a job whose member left
     */
    public Dispatcher(NodeAgent agent, long poolId, Duration timeout, int retries) {
        this.agent = agent;
        this.poolId = poolId;
        this.timeout = timeout;
        this.retries = retries;
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "shmarray-cluster-timeouts-" + Long.toHexString(poolId));
            th.setDaemon(true);
            return th;
        });
        t.setRemoveOnCancelPolicy(true);
        this.timer = t;
        this.thread = new Thread(this::dispatch, "shmarray-cluster-dispatch-" + Long.toHexString(poolId));
        thread.setDaemon(true);
        thread.start();
    }

    /** A job and its future: {@code cancel} removes it from the queue or interrupts it where it runs. */
    public final class Job extends CompletableFuture<byte[]> {
        final Kind kind;
        final byte[] payload;
        /** What the user submitted, for {@code shutdownNow}. */
        public final Object origin;
        final String target;
        int attemptsLeft = retries;
        String member;
        CompletableFuture<Frame.Reply> remote;
        ScheduledFuture<?> timeoutTask;

        Job(Kind kind, byte[] payload, Object origin, String target) {
            this.kind = kind;
            this.payload = payload;
            this.origin = origin;
            this.target = target;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            CompletableFuture<Frame.Reply> r;
            synchronized (lock) {
                queue.remove(this);
                r = remote;
            }
            boolean done = super.cancel(mayInterruptIfRunning);
            if (done && r != null) r.cancel(mayInterruptIfRunning);
            return done;
        }
    }

    /**
     * Queues a job.
     *
     * @param kind a task or a chunk
     * @param payload its bytes (from {@link NodeAgent#encode})
     * @param origin what the user submitted
     * @return its future
     * @throws IllegalStateException when the pool takes no new jobs
     */
    public Job submit(Kind kind, byte[] payload, Object origin) {
        return enqueue(new Job(kind, payload, origin, null));
    }

    /**
     * Queues a task for one given member (it is not retried elsewhere).
     *
     * @param memberId the member
     * @param payload the task's bytes
     * @return its future
     */
    public Job submitTo(String memberId, byte[] payload) {
        Job j = new Job(Kind.TASK, payload, null, memberId);
        j.attemptsLeft = 0;
        return enqueue(j);
    }

    private Job enqueue(Job j) {
        String m = null;
        synchronized (lock) {
            if (closed || terminated) throw new IllegalStateException("the pool is closed: no new tasks");
            if (queue.isEmpty()) { // nothing waits ahead of it: send it from this thread when a member has room
                try {
                    m = pick(j);
                } catch (RuntimeException engineTrouble) {
                    m = null; // the dispatcher thread meets it too, and fails what is queued
                }
            }
            if (m != null) {
                inFlight.merge(m, 1, Integer::sum);
                running.add(j);
                j.member = m;
            } else if (!j.isDone()) {
                queue.add(j);
                lock.notifyAll();
            }
        }
        submitted.incrementAndGet();
        if (m != null) send(j, m);
        return j;
    }

    /** {@return how many tasks the compute members run at once now (at least 1)} */
    public int parallelism() {
        int n = 0;
        for (Engine.Member m : agent.engine().members()) {
            if (m.compute()) n += m.threads();
        }
        return Math.max(1, n);
    }

    private void dispatch() {
        long lastWarning = 0;
        while (true) {
            Job j;
            String m;
            synchronized (lock) {
                while (true) {
                    if (terminated || (closed && queue.isEmpty() && running.isEmpty())) { // a retry may still come
                        lock.notifyAll();
                        return;
                    }
                    if (queue.isEmpty()) {
                        waitQuietly(0);
                        continue;
                    }
                    j = queue.peek();
                    if (j.isDone()) {
                        queue.poll();
                        continue;
                    }
                    try {
                        m = pick(j);
                    } catch (RuntimeException engineGone) { // e.g. this member was shut down
                        failAll(engineGone);
                        return;
                    }
                    if (m == null) {
                        if (System.nanoTime() - lastWarning > 10_000_000_000L && noComputeMember()) {
                            lastWarning = System.nanoTime();
                            LOG.log(Level.WARNING, "no compute member in the cluster: " + queue.size() + " jobs wait for one");
                        }
                        waitQuietly(100);
                        continue;
                    }
                    queue.poll();
                    inFlight.merge(m, 1, Integer::sum);
                    running.add(j);
                    j.member = m;
                    break;
                }
            }
            send(j, m);
        }
    }

    private void waitQuietly(long millis) {
        try {
            lock.wait(millis);
        } catch (InterruptedException e) {
            terminated = true;
        }
    }

    private boolean noComputeMember() {
        for (Engine.Member e : agent.engine().members()) {
            if (e.compute()) return false;
        }
        return true;
    }

    /** The member with the most room for {@code j}, or null when all are full. */
    private String pick(Job j) {
        String best = null;
        double load = Double.MAX_VALUE;
        for (Engine.Member e : agent.engine().members()) {
            if (!e.compute() || (j.target != null && !j.target.equals(e.id()))) continue;
            int n = inFlight.getOrDefault(e.id(), 0);
            // with a time limit, only what runs at once: a job queued on the member would count its wait
            if (n >= (timeout == null ? PER_THREAD : 1) * e.threads()) continue;
            double l = (double) n / e.threads();
            if (l < load) {
                load = l;
                best = e.id();
            }
        }
        if (best == null && j.target != null && !isMember(j.target)) {
            if (j.completeExceptionally(gone(j.target, new Engine.MemberGoneException("not in the cluster", null)))) {
                failed.incrementAndGet();
            }
            queue.remove(j);
        }
        return best;
    }

    private boolean isMember(String id) {
        for (Engine.Member e : agent.engine().members()) {
            if (e.id().equals(id)) return true;
        }
        return false;
    }

    private void send(Job j, String m) {
        CompletableFuture<Frame.Reply> r;
        try {
            r = agent.call(m, Engine.Lane.TASKS, j.kind == Kind.TASK ? Frame.Kind.TASK : Frame.Kind.CHUNK, poolId,
                    agent.memberId(), j.payload);
        } catch (RuntimeException e) {
            finished(j, m, null, e);
            return;
        }
        synchronized (lock) {
            j.remote = r;
        }
        if (timeout != null) {
            try {
                j.timeoutTask = timer.schedule(() -> {
                    if (j.completeExceptionally(new TaskTimeoutException("the " + (j.kind == Kind.TASK ? "task" : "chunk")
                            + " ran longer than " + timeout + " on member " + m + ": it was interrupted there"))) {
                        failed.incrementAndGet();
                        r.cancel(true);
                    }
                }, timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException terminating) {
                r.cancel(true);
            }
        }
        r.whenComplete((reply, e) -> finished(j, m, reply, e));
        if (j.isDone()) r.cancel(true); // cancelled while being sent
    }

    /** The engine failed under the dispatcher: every queued and running job fails with it. */
    private void failAll(Throwable e) {
        List<Job> all;
        synchronized (lock) {
            terminated = true;
            all = new ArrayList<>(queue);
            all.addAll(running);
            queue.clear();
            lock.notifyAll();
        }
        for (Job j : all) {
            if (j.completeExceptionally(new WorkerDiedException("the cluster connection of this pool failed: " + e, -1, ""))) {
                failed.incrementAndGet();
            }
        }
        timer.shutdownNow();
    }

    private void finished(Job j, String m, Frame.Reply reply, Throwable e) {
        boolean retry = false;
        synchronized (lock) {
            running.remove(j);
            inFlight.merge(m, -1, Integer::sum);
            if (j.timeoutTask != null) j.timeoutTask.cancel(false);
            if (e instanceof Engine.MemberGoneException && j.attemptsLeft > 0 && !j.isDone() && !terminated) {
                j.attemptsLeft--;
                j.remote = null;
                queue.addFirst(j);
                retry = true;
            }
            lock.notifyAll();
        }
        if (retry) {
            retried.incrementAndGet();
            LOG.log(Level.INFO, "re-sending a job: its member " + m + " left the cluster");
            return;
        }
        if (j.isDone()) return;
        if (e != null) {
            if (e instanceof CancellationException) j.cancel(false);
            else if (j.completeExceptionally(typed(m, e))) failed.incrementAndGet();
            return;
        }
        if (reply.status() == Frame.OK) {
            completed.incrementAndGet(); // counted before the caller can see the result
            if (!j.complete(reply.body())) completed.decrementAndGet();
            return;
        }
        if (reply.status() == Frame.REFUSED) { // (a signed refusal: not sent today, refusals are unsigned)
            Throwable refused = new io.shmarray.cluster.ClusterAuthenticationException("member " + m + " refused the frame: "
                    + new String(reply.body(), java.nio.charset.StandardCharsets.UTF_8));
            if (j.completeExceptionally(refused)) failed.incrementAndGet();
            return;
        }
        Throwable cause;
        try {
            Object t = Codec.decode(reply.body(), Integer.MAX_VALUE - 8);
            cause = t instanceof Throwable ? (Throwable) t : new IllegalStateException(String.valueOf(t));
        } catch (Exception bad) {
            cause = bad;
        }
        if (j.completeExceptionally(new RemoteException("the " + (j.kind == Kind.TASK ? "task" : "chunk") + " failed on member "
                + m + ": " + cause, cause))) {
            failed.incrementAndGet();
        }
    }

    /** An engine failure as the pool's callers know them. */
    private static RuntimeException typed(String m, Throwable e) {
        if (e instanceof Engine.MemberGoneException) return gone(m, e);
        if (e instanceof io.shmarray.cluster.ClusterAuthenticationException) return (RuntimeException) e;
        return new RemoteException("member " + m + " could not run the job: " + e, e);
    }

    private static WorkerDiedException gone(String m, Throwable e) {
        WorkerDiedException w = new WorkerDiedException("member " + m + " left the cluster while running this job (" + e.getMessage()
                + ")", -1, "");
        w.initCause(e);
        return w;
    }

    /** No new jobs; queued ones still go. */
    public void shutdown() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
    }

    /**
     * Waits until every queued and running job ended, at most {@code timeout}.
     *
     * @param timeout how long to wait
     * @return true when none is left
     * @throws InterruptedException when interrupted while waiting
     */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (!queue.isEmpty() || !running.isEmpty()) {
                long left = end - System.nanoTime();
                if (left <= 0) return false;
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
        }
        thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
        return !thread.isAlive();
    }

    /**
     * Stops: queued jobs are cancelled and returned, running ones are cancelled (interrupted where they run).
     *
     * @return the jobs that never started
     */
    public List<Job> terminate() {
        List<Job> never;
        List<Job> run;
        synchronized (lock) {
            terminated = true;
            closed = true;
            never = new ArrayList<>(queue);
            queue.clear();
            run = new ArrayList<>(running);
            lock.notifyAll();
        }
        timer.shutdownNow();
        for (Job j : never) j.cancel(false);
        for (Job j : run) j.cancel(true); // remote cancels run in the background (HazelcastEngine)
        return never;
    }

    /** {@return whether the dispatcher stopped and no job runs} */
    public boolean isTerminated() {
        synchronized (lock) {
            return !thread.isAlive() && running.isEmpty();
        }
    }

    /** {@return jobs waiting and running now} */
    public int pending() {
        synchronized (lock) {
            return queue.size() + running.size();
        }
    }
}
