package io.shmarray.runtime;

import java.util.concurrent.CompletableFuture;

/** The warm standby worker of {@link WorkerProcess#prestart}: at most one, for one set of options. */
final class Standby {

    private static WorkerOptions options;
    private static CompletableFuture<Worker> next;

    private Standby() {}

    static synchronized void enable(WorkerOptions o) {
        disable();
        options = o;
        next = launchAsync(o);
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
        next = launchAsync(o);
        if (w != null && !(w.process.isAlive() && w.channel.isOpen())) {
            w.stop(); // died while waiting: its channel (socket and selector) and process go now
            w = null;
        }
        return w;
    }

    private static CompletableFuture<Worker> launchAsync(WorkerOptions o) {
        CompletableFuture<Worker> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(Worker.launch(o));
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        }, "shmarray-standby-launcher");
        t.setDaemon(true);
        t.start();
        return f;
    }
}
