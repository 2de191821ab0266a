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
 */
public final class SharedPipe<T> implements Serializable, AutoCloseable {
    private static final long serialVersionUID = 1L;

    private final SharedQueue<T> out;
    private final SharedQueue<T> in;

    private SharedPipe(SharedQueue<T> out, SharedQueue<T> in) {
        this.out = out;
        this.in = in;
    }

    /** One end of a new pipe; {@link #otherEnd()} gives the other. Each direction buffers {@code ringBytes}. */
    public static <T> SharedPipe<T> create(int ringBytes) {
        return new SharedPipe<>(SharedQueue.create(ringBytes), SharedQueue.create(ringBytes));
    }

    /** The opposite end: what this end sends, it receives. */
    public SharedPipe<T> otherEnd() {
        return new SharedPipe<>(in, out);
    }

    public void send(T item) {
        out.put(item);
    }

    public T receive() {
        return in.take();
    }

    /** Receives, waiting at most {@code timeout}; null on timeout. */
    public T poll(Duration timeout) {
        return in.poll(timeout);
    }

    @Override
    public void close() {
        out.close();
        in.close();
    }
}
