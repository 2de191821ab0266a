package io.shmarray.runtime;

import java.util.concurrent.CompletableFuture;

/** The warm standby worker of {@link WorkerProcess#prestart}: at most one, for one set of options. */
final class Standby {

    private static WorkerOptions options;
    private static volatile CompletableFuture<Worker> next;

    private Standby() {}

    static synchronized void enable(WorkerOptions o) {
        disable();
        options = o;
        launchAsync(o, 0);
    }

    static synchronized void disable() {
        if (next != null) {
            CompletableFuture<Worker> f = next;
            f.thenAccept(Worker::stop);
        }
        next = null;
        options = null;
    }

    /** A ready worker for these options (and a new standby on its way), or null. */
    static synchronized Worker take(WorkerOptions o) {
        if (next == null || !o.equals(options)) return null;
        Worker w;
        try {
            w = next.join(); // started in the background; waits only if still starting
        } catch (RuntimeException e) {
            w = null; // it failed to start: the caller starts one itself and reports
        }
        launchAsync(o, REPLACEMENT_DELAY_MILLIS);
        if (w != null && !(w.process.isAlive() && w.channel.isOpen())) {
            w.stop(); // died while waiting: its channel (socket and selector) and process go now
            w = null;
        }
        return w;
    }

    /**
     * How long the next standby waits before it starts: a JVM start takes both cores of a small
     * machine for a while, and the worker just taken is running its first task right now.
     */
    static final long REPLACEMENT_DELAY_MILLIS = 150;

    /** Starts the next standby (after {@code delayMillis}) and makes it {@link #next}; called holding the lock. */
    private static void launchAsync(WorkerOptions o, long delayMillis) {
        CompletableFuture<Worker> f = new CompletableFuture<>();
        next = f;
        Thread t = new Thread(() -> {
            try {
                if (delayMillis > 0) {
                    Thread.sleep(delayMillis);
                    if (next != f) { // disabled or replaced meanwhile (not locked: take() may wait on f)
                        f.cancel(false);
                        return;
                    }
                }
                f.complete(WorkerLauncher.launch(o));
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        }, "shmarray-standby-launcher");
        t.setDaemon(true);
        t.start();
    }
}
