package io.shmarray;

import java.io.Serializable;
import java.time.Duration;

/** A flag processes wait on (Python's {@code multiprocessing.Event}); travels as a handle. *
 * <pre>{@code
 * SharedEvent ready = SharedEvent.create();
 * WorkerProcess.start(() -> ready.await(Duration.ofMinutes(1)));   // blocks in the worker
 * ready.set();                                                     // wakes it, across processes
 * }</pre>
 *
 * <p><b>Threads:</b> every blocking call is interruptible — an interrupted thread gets a
 * {@link WaitInterruptedException} within {@value SharedArray#WAIT_SLICE_MILLIS} ms, having returned nothing, with its interrupt status still set — and works on virtual threads (which poll
 * and park instead of pinning their carrier in a native wait).
 */
public final class SharedEvent implements Serializable, AutoCloseable {
    private static final long serialVersionUID = 1L;
    private static final int FLAG = 0;
    private static final int SEQ = 1;

    private final SyncCell cell;

    private SharedEvent(SyncCell cell) {
        this.cell = cell;
    }

    public static SharedEvent create() {
        return new SharedEvent(SyncCell.create(2));
    }

    public String name() {
        return cell.words.name();
    }

    public void set() {
        cell.words.setVolatile(FLAG, 1);
        cell.words.getAndAdd(SEQ, 1);
        cell.wakeAll(SEQ);
    }

    public void clear() {
        cell.words.setVolatile(FLAG, 0);
    }

    public boolean isSet() {
        return cell.words.getVolatile(FLAG) != 0;
    }

    /** Waits until set, at most {@code timeout} ({@code null}: forever); false on timeout. */
    public boolean await(Duration timeout) {
        long deadline = SyncCell.deadline(timeout);
        while (true) {
            long seen = cell.words.getVolatile(SEQ);
            if (isSet()) return true;
            if (!cell.await(SEQ, seen, deadline)) return isSet();
        }
    }

    @Override
    public void close() {
        cell.words.close();
    }
}
