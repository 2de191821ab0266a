package io.shmarray;

import java.io.Serializable;
import java.time.Duration;

/**
 * A barrier for {@code parties} processes (Python's {@code multiprocessing.Barrier}); travels as a
 * handle. A waiter that times out or is interrupted withdraws its arrival, so the barrier stays
 * usable.
 *
 * <pre>{@code
 * SharedBarrier start = SharedBarrier.create(3);            // this process + 2 workers
 * pool.submit(() -> start.await(Duration.ofSeconds(30)));   // in each worker
 * boolean all = start.await(Duration.ofSeconds(30));        // true once all three arrived
 * }</pre>
 *
 * <p>{@code await} is interruptible ({@link WaitInterruptedException}, interrupt status kept) and
 * works on virtual threads, as {@link SharedQueue}'s waits do.
 */
public final class SharedBarrier implements Serializable, AutoCloseable {
    private static final long serialVersionUID = 1L;
    private static final int PARTIES = 0;
    private static final int COUNT = 1;
    private static final int GENERATION = 2;

    /** The barrier's segment: parties, arrivals and generation (serialized as the array's handle). */
    private final SyncCell cell;

    private SharedBarrier(SyncCell cell) {
        this.cell = cell;
    }

    /**
     * Creates a barrier in a fresh owner-scoped segment: its name goes when this process closes it
     * or exits. It is cyclic: once all parties arrived it opens and starts counting again.
     *
     * @param parties how many {@link #await} calls, in all processes together, open it
     * @return the new barrier
     * @throws IllegalArgumentException when {@code parties < 1}
     */
    public static SharedBarrier create(int parties) {
        if (parties < 1) throw new IllegalArgumentException("parties=" + parties + ", must be >= 1");
        SyncCell c = SyncCell.create(3);
        c.words.set(PARTIES, parties);
        return new SharedBarrier(c);
    }

    /** {@return the name of the barrier's segment} */
    public String name() {
        return cell.words.name();
    }

    /**
     * Waits for all parties, at most {@code timeout} ({@code null}: forever); false on timeout.
     *
     * @param timeout how long to wait, or {@code null} to wait as long as it takes
     * @return true once all parties arrived; false when the time ran out first (this party's
     *     arrival is withdrawn)
     * @throws WaitInterruptedException when the thread is interrupted while waiting (the arrival is
     *     withdrawn unless the barrier opened meanwhile, in which case this returns true)
     */
    public boolean await(Duration timeout) {
        long deadline = SyncCell.deadline(timeout);
        long generation;
        try (ArrayLock held = cell.lockUntil(deadline)) {
            if (held == null) return false; // the time ran out before arriving: nothing to withdraw
            generation = cell.words.get(GENERATION);
            long arrived = cell.words.get(COUNT) + 1;
            if (arrived == cell.words.get(PARTIES)) {
                cell.words.set(COUNT, 0);
                cell.words.setVolatile(GENERATION, generation + 1);
                cell.wakeAll(GENERATION);
                return true;
            }
            cell.words.set(COUNT, arrived);
        }
        while (cell.words.getVolatile(GENERATION) == generation) {
            boolean inTime;
            try {
                inTime = cell.await(GENERATION, generation, deadline);
            } catch (WaitInterruptedException e) {
                if (!withdraw(generation)) return true; // tripped meanwhile: it counts as passed
                throw e;
            }
            if (!inTime) return !withdraw(generation);
        }
        return true;
    }

    /** Takes back this party's arrival unless the barrier tripped meanwhile; true if withdrawn. */
    private boolean withdraw(long generation) {
        try (ArrayLock held = cell.lockForUpdate()) {
            if (cell.words.get(GENERATION) != generation) return false;
            cell.words.set(COUNT, cell.words.get(COUNT) - 1);
            return true;
        }
    }

    /**
     * Releases this process's mapping of the barrier; idempotent. In the creating process this also
     * removes the segment's name: processes already attached keep working, later attaches fail.
     */
    @Override
    public void close() {
        cell.words.close();
    }
}
