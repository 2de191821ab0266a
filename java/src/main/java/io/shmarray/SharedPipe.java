package io.shmarray;

import java.io.Serializable;
import java.time.Duration;

/**
 * A duplex pipe between two processes (Python's {@code multiprocessing.Pipe()}): two
 * {@link SharedQueue}s crossed over. Each end travels as a handle. Waits behave as the queue's:
 * interruptible, and fine on virtual threads.
 *
 * <pre>{@code
 * SharedPipe<String> here = SharedPipe.create(1 << 16);
 * SharedPipe<String> there = here.otherEnd();           // give this one to the other process
 * WorkerProcess.start(() -> { there.send("pong:" + there.receive()); return null; });
 * here.send("ping");
 * String reply = here.receive();                        // "pong:ping"
 * }</pre>
 *
 * @param <T> the type of the messages, both ways
 */
public final class SharedPipe<T> implements Serializable, AutoCloseable {
    private static final long serialVersionUID = 1L;

    /** The queue this end sends into (the other end's {@code in}). */
    private final SharedQueue<T> out;
    /** The queue this end receives from (the other end's {@code out}). */
    private final SharedQueue<T> in;

    private SharedPipe(SharedQueue<T> out, SharedQueue<T> in) {
        this.out = out;
        this.in = in;
    }

    /**
     * One end of a new pipe; {@link #otherEnd()} gives the other. Each direction buffers
     * {@code ringBytes}, in its own owner-scoped segment.
     *
     * @param <T> the type of the messages
     * @param ringBytes each direction's ring size in bytes, in {@code [64, 2^30]}
     * @return this process's end
     * @throws IllegalArgumentException when {@code ringBytes} is out of range
     */
    public static <T> SharedPipe<T> create(int ringBytes) {
        return new SharedPipe<>(SharedQueue.create(ringBytes), SharedQueue.create(ringBytes));
    }

    /** {@return the opposite end: what this end sends, it receives} Give it to the other process. */
    public SharedPipe<T> otherEnd() {
        return new SharedPipe<>(in, out);
    }

    /**
     * Sends a message to the other end, waiting for room as long as it takes.
     *
     * @param item the message; serialized now
     * @throws IllegalArgumentException when the serialized message can never fit the ring
     * @throws WaitInterruptedException when the thread is interrupted while waiting (nothing sent)
     * @see SharedQueue#put
     */
    public void send(T item) {
        out.put(item);
    }

    /**
     * Receives the oldest message from the other end, waiting as long as it takes.
     *
     * @return the message
     * @throws WaitInterruptedException when the thread is interrupted while waiting (nothing taken)
     * @see SharedQueue#take
     */
    public T receive() {
        return in.take();
    }

    /**
     * Receives, waiting at most {@code timeout}; null on timeout.
     *
     * @param timeout how long to wait, or {@code null} to wait as long as it takes
     * @return the message, or {@code null} when the time ran out
     * @throws WaitInterruptedException when the thread is interrupted while waiting (nothing taken)
     */
    public T poll(Duration timeout) {
        return in.poll(timeout);
    }

    /** Closes both of this end's queues (see {@link SharedQueue#close()}); idempotent. */
    @Override
    public void close() {
        out.close();
        in.close();
    }
}
