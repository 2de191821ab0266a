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

    private final SyncCell cell;

    private SharedBarrier(SyncCell cell) {
        this.cell = cell;
    }

    public static SharedBarrier create(int parties) {
        if (parties < 1) throw new IllegalArgumentException("parties=" + parties + ", must be >= 1");
        SyncCell c = SyncCell.create(3);
        c.words.set(PARTIES, parties);
        return new SharedBarrier(c);
    }

    public String name() {
        return cell.words.name();
    }

    /** Waits for all parties, at most {@code timeout} ({@code null}: forever); false on timeout. */
    public boolean await(Duration timeout) {
        long deadline = SyncCell.deadline(timeout);
        long generation;
        try (ArrayLock held = cell.lockRecovering(timeout)) {
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

    @Override
    public void close() {
        cell.words.close();
    }
}
