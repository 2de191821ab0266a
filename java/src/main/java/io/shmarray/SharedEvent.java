package io.shmarray;

import java.io.Serializable;
import java.time.Duration;

/**
 * A flag processes wait on (Python's {@code multiprocessing.Event}); travels as a handle.
 *
 * <pre>{@code
 * SharedEvent ready = SharedEvent.create();
 * WorkerProcess.start(() -> ready.await(Duration.ofMinutes(1)));   // blocks in the worker
 * ready.set();                                                     // wakes it, across processes
 * }</pre>
 *
 * <p><b>Threads:</b> every blocking call is interruptible — an interrupted thread gets a
 * {@link WaitInterruptedException} within {@value SharedArray#WAIT_SLICE_MILLIS} ms, having returned
 * nothing, with its interrupt status still set — and works on virtual threads (which poll and park
 * instead of pinning their carrier in a native wait).
 */
public final class SharedEvent implements Serializable, AutoCloseable {
    private static final long serialVersionUID = 1L;
    private static final int FLAG = 0;
    private static final int SEQ = 1;

    /** The event's segment: the flag and a wake-up counter (serialized as the array's handle). */
    private final SyncCell cell;

    private SharedEvent(SyncCell cell) {
        this.cell = cell;
    }

    /**
     * Creates a cleared event in a fresh owner-scoped segment: its name goes when this process
     * closes it or exits.
     *
     * @return the new event
     * @throws InsufficientSharedMemoryException when /dev/shm cannot hold it
     */
    public static SharedEvent create() {
        return new SharedEvent(SyncCell.create(2));
    }

    /** {@return the name of the event's segment} */
    public String name() {
        return cell.words.name();
    }

    /** Sets the flag and wakes every thread waiting in {@link #await}, in every process. */
    public void set() {
        cell.words.setVolatile(FLAG, 1);
        cell.words.getAndAdd(SEQ, 1);
        cell.wakeAll(SEQ);
    }

    /** Clears the flag: later {@link #await} calls wait for the next {@link #set()}. */
    public void clear() {
        cell.words.setVolatile(FLAG, 0);
    }

    /** {@return whether the flag is set now} */
    public boolean isSet() {
        return cell.words.getVolatile(FLAG) != 0;
    }

    /**
     * Waits until set, at most {@code timeout} ({@code null}: forever); returns at once when the
     * flag is set already.
     *
     * @param timeout how long to wait, or {@code null} to wait as long as it takes
     * @return true when the flag is set, false when the time ran out first
     * @throws WaitInterruptedException when the thread is interrupted while waiting
     */
    public boolean await(Duration timeout) {
        long deadline = SyncCell.deadline(timeout);
        while (true) {
            long seen = cell.words.getVolatile(SEQ);
            if (isSet()) return true;
            if (!cell.await(SEQ, seen, deadline)) return isSet();
        }
    }

    /**
     * Releases this process's mapping of the event; idempotent. In the creating process this also
     * removes the segment's name: processes already attached keep working, later attaches fail.
     */
    @Override
    public void close() {
        cell.words.close();
    }
}
