package io.shmarray.runtime;

import io.shmarray.ProtocolException;
import io.shmarray.internal.DecodeRules;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Deque;

/**
 * The parent's side of one running worker JVM: the process, its authenticated channel, and the
 * tail of its stderr; it sends frames, waits for results (heartbeats, timeouts, death) and stops
 * the worker. {@link WorkerLauncher} starts them.
 */
final class Worker implements AutoCloseable {


    final Process process;
    final Channel channel;
    private final OutputStream stdin; // closing it tells the worker to go
    private final Deque<String> stderrTail;
    private final Thread stderrPump;
    /** What this parent accepts from the worker: its options' frame cap and filter. */
    final DecodeRules rules;
    private final long heartbeatTimeoutMillis;

    Worker(Process process, Channel channel, OutputStream stdin, Deque<String> stderrTail, Thread stderrPump,
            DecodeRules rules, long heartbeatTimeoutMillis) {
        this.process = process;
        this.channel = channel;
        this.stdin = stdin;
        this.stderrTail = stderrTail;
        this.stderrPump = stderrPump;
        this.rules = rules;
        this.heartbeatTimeoutMillis = heartbeatTimeoutMillis;
    }

    /** Waits (5 s at most, then kills) for the worker to exit and returns its exit code. */
    static int waitExit(Process p) {
        try {
            if (!p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
        return p.exitValue();
    }

    /**
     * {@link #waitExit} for a report: also lets the stderr pump collect the last lines (50 ms at
     * most: a grandchild may hold the pipe open).
     */
    static int waitExitForTail(Process p, Thread pump) {
        int code = waitExit(p);
        try {
            pump.join(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return code;
    }

    static String tailOf(Deque<String> tail) {
        synchronized (tail) {
            return String.join("\n", tail);
        }
    }

    String stderrTail() {
        return tailOf(stderrTail);
    }

    long pid() {
        return process.pid();
    }

    /** Sends a task and waits for its result frame; a worker that dies meanwhile is reported. */
    Reply call(long id, byte[] task) {
        return call(Channel.TASK, task, -1);
    }

    /** Sends a frame and waits for its result: {@link #send}, then {@link #receive}. */
    Reply call(byte type, byte[] payload, long taskTimeoutMillis) {
        send(type, payload);
        long deadline = taskTimeoutMillis > 0 ? System.nanoTime() + taskTimeoutMillis * 1_000_000L : Long.MAX_VALUE;
        return receive(deadline, taskTimeoutMillis, 1);
    }

    /**
     * Sends one frame without waiting for anything back (a task, a chunk, a definition).
     *
     * @throws NotDelivered the worker was gone before the whole frame went out: it never ran it
     */
    void send(byte type, byte[] payload) {
        write(type, payload, true);
    }

    /** {@link Channel#send} ({@code now}) or {@link Channel#sendLater}, with the failures told as {@link #send} tells them. */
    private void write(byte type, byte[] payload, boolean now) {
        try {
            if (now) channel.send(type, payload);
            else channel.sendLater(type, payload);
        } catch (IOException e) {
            throw new NotDelivered(died("the worker was gone before the frame reached it (" + e + ")"));
        } catch (ProtocolException e) {
            throw notReading(e);
        }
    }

    /**
     * A write that failed part-way (the worker stopped reading for the stall limit) closed the
     * channel: the worker is killed, so that it runs nothing it may have read, and the frame counts
     * as never delivered. A frame refused before any byte went out (too large) is the caller's.
     */
    private RuntimeException notReading(ProtocolException e) {
        if (channel.isOpen()) return e;
        process.destroyForcibly();
        return new NotDelivered(died("the worker stopped reading its frames (" + e.getMessage() + "): killed"));
    }

    /**
     * Writes the frames queued with {@link #sendLater}. When that fails the worker is killed (it
     * runs nothing more); the wait for the result in flight before them then reports it, and they
     * go back to the queue as never started.
     */
    void flush() {
        try {
            channel.flush();
        } catch (IOException | ProtocolException e) {
            process.destroyForcibly();
        }
    }

    /**
     * Queues one frame on the channel, written with the next {@link #send} or channel flush.
     *
     * @throws NotDelivered the worker was gone before what was queued before it went out
     */
    void sendLater(byte type, byte[] payload) {
        write(type, payload, false);
    }

    /**
     * Waits for the next result, skipping heartbeats. The worker runs what it was sent in order,
     * so this is the result of the oldest of the {@code inFlight} frames it was sent. A worker
     * silent for longer than the heartbeat timeout (hung, or stopped with SIGSTOP) is killed and
     * reported dead; when {@code deadlineNanos} (of a {@code taskTimeoutMillis} limit) passes first,
     * it is killed and a {@link TaskTimeoutException} thrown. Either way nothing it sends later can
     * be mistaken for a result.
     *
     * @throws NotDelivered the worker died before it had read its only frame in flight
     */
    Reply receive(long deadlineNanos, long taskTimeoutMillis, int inFlight) {
        long silence = heartbeatTimeoutMillis;
        try {
            while (true) {
                long wait = silence;
                boolean untilDeadline = false;
                if (deadlineNanos != Long.MAX_VALUE) {
                    long left = (deadlineNanos - System.nanoTime() + 999_999L) / 1_000_000L;
                    if (left <= 0) throw timedOut(taskTimeoutMillis);
                    if (left < wait) {
                        wait = left;
                        untilDeadline = true;
                    }
                }
                Channel.Frame f;
                try {
                    f = channel.receive(wait);
                } catch (Channel.Silent e) {
                    if (untilDeadline) throw timedOut(taskTimeoutMillis);
                    process.destroyForcibly();
                    throw died("no heartbeat for " + silence + " ms (hung or stopped): killed");
                }
                if (f == null) throw died("the worker's channel closed while it ran the task");
                if (f.type == Channel.HEARTBEAT) continue;
                if (f.type == Channel.RESULT_OK) return Reply.ok(f.payload);
                if (f.type != Channel.RESULT) throw new ProtocolException("unexpected frame type " + f.type);
                Object r = Codec.decode(f.payload, rules);
                if (!(r instanceof Messages.Result)) throw new ProtocolException("not a result: " + r.getClass().getName());
                return Reply.of((Messages.Result) r);
            }
        } catch (ProtocolException e) {
            if (!process.isAlive() || !channel.isOpen()) throw died("the worker died while running the task");
            throw e;
        } catch (java.io.InterruptedIOException e) { // the waiting thread was interrupted: abandon the task
            process.destroyForcibly();
            throw died("the thread waiting for its result was interrupted: the task was abandoned and the worker killed");
        } catch (IOException | ClassNotFoundException e) {
            if (inFlight == 1 && unreadWhenItDied(e)) {
                throw new NotDelivered(died("the worker died before it read the task (" + e + ")"));
            }
            throw died("the worker's channel broke (" + e + ")");
        }
    }

    /**
     * Linux closes a Unix socket that still holds unread data with ECONNRESET for its peer
     * ({@code unix_release_sock}); a peer that read everything gives end of file instead. During a
     * call the parent sends nothing after the task, so a reset means the worker died before it had
     * read the whole task: it never ran. (Java reports ECONNRESET only as this message.) With more
     * than one frame in flight the unread one may be a later frame: the oldest then counts as run.
     */
    private static boolean unreadWhenItDied(Exception e) {
        return e instanceof java.net.SocketException && e.getMessage() != null
                && e.getMessage().contains("Connection reset");
    }

    /**
     * The worker died before a frame reached it whole (a failed send: a broken pipe, a reset), so
     * the task never started there and may run on a fresh worker; the pool does that once.
     */
    static final class NotDelivered extends WorkerDiedException {
        private static final long serialVersionUID = 1L;

        NotDelivered(WorkerDiedException cause) {
            super(cause.getMessage(), cause.exitCode(), cause.stderrTail());
        }
    }

    private TaskTimeoutException timedOut(long millis) {
        process.destroyForcibly();
        waitExit(process);
        channel.close();
        return new TaskTimeoutException("task did not finish within " + millis + " ms: its worker pid " + process.pid()
                + " was killed (and is replaced)");
    }

    WorkerDiedException died(String why) {
        int code = waitExitForTail(process, stderrPump);
        String signal = code > 128 ? " (signal " + (code - 128) + ")" : "";
        String tail = stderrTail();
        String oom = tail.lines().filter(l -> l.contains("OutOfMemoryError")).reduce((a, b) -> b)
                .map(l -> "; it ran out of memory (" + l.strip() + "): give workers more heap, e.g."
                        + " WorkerOptions.withJvmOptions(\"-Xmx2g\")")
                .orElse("");
        return new WorkerDiedException("worker pid " + process.pid() + " died: " + why + "; exit code " + code + signal
                + oom, code, tail);
    }

    /** {@link #close()}, then waits for the JVM to exit (killing it after 5 s). */
    void stop() {
        close();
        waitExit(process);
    }

    /** Asks the worker to exit, closes the channel and stdin. */
    @Override
    public void close() {
        boolean bye = false;
        try {
            if (channel.isOpen() && process.isAlive()) {
                channel.send(Channel.BYE, new byte[0]);
                bye = true;
            }
        } catch (IOException | RuntimeException ignored) {
            // gone already
        }
        if (bye) {
            // let it exit on the goodbye (exit code 0) before its stdin closes, which it would
            // otherwise take for its parent's death
            try {
                process.waitFor(2, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        channel.close();
        try {
            stdin.close();
        } catch (IOException ignored) {
            // gone already
        }
    }
}
