package io.shmarray;

import java.io.Serializable;
import java.time.Duration;

/**
 * A counting semaphore shared between processes; travels as a handle. A process that dies holding
 * permits does not give them back (as with Python's); the semaphore itself stays usable.
 *
 * <pre>{@code
 * SharedSemaphore gpu = SharedSemaphore.create(2);       // at most two holders in all processes
 * pool.map(x -> {
 *     if (!gpu.tryAcquire(Duration.ofMinutes(1))) throw new IllegalStateException("busy");
 *     try { return work(x); } finally { gpu.release(); }
 * }, items, 1);
 * }</pre>
 *
 * <p>{@code acquire} is interruptible ({@link WaitInterruptedException}, nothing acquired, interrupt
 * status kept) and works on virtual threads, as {@link SharedQueue}'s waits do; {@code release}
 * never fails on an interrupt.
 */
public final class SharedSemaphore implements Serializable, AutoCloseable {
    private static final long serialVersionUID = 1L;
    private static final int PERMITS = 0;
    private static final int SEQ = 1;

    /** The semaphore's segment: permits and a wake-up counter (serialized as the array's handle). */
    private final SyncCell cell;

    private SharedSemaphore(SyncCell cell) {
        this.cell = cell;
    }

    /**
     * Creates a semaphore in a fresh owner-scoped segment: its name goes when this process closes
     * it or exits.
     *
     * @param permits the permits available at first
     * @return the new semaphore
     * @throws IllegalArgumentException when {@code permits} is negative
     */
    public static SharedSemaphore create(long permits) {
        if (permits < 0) throw new IllegalArgumentException("permits=" + permits + ", must be >= 0");
        SyncCell c = SyncCell.create(2);
        c.words.set(PERMITS, permits);
        return new SharedSemaphore(c);
    }

    /** {@return the name of the semaphore's segment} */
    public String name() {
        return cell.words.name();
    }

    /**
     * Takes a permit, waiting as long as it takes.
     *
     * @throws WaitInterruptedException when the thread is interrupted while waiting (nothing taken)
     */
    public void acquire() {
        tryAcquire(null);
    }

    /**
     * Takes a permit, waiting at most {@code timeout} ({@code null}: forever); false on timeout.
     *
     * @param timeout how long to wait, or {@code null} to wait as long as it takes
     * @return true when a permit was taken, false when the time ran out first
     * @throws WaitInterruptedException when the thread is interrupted while waiting (nothing taken)
     */
    public boolean tryAcquire(Duration timeout) {
        long deadline = SyncCell.deadline(timeout);
        while (true) {
            long seen;
            try (ArrayLock held = cell.lockUntil(deadline)) {
                if (held == null) return false; // the time ran out waiting for the lock
                long p = cell.words.get(PERMITS);
                if (p > 0) {
                    cell.words.set(PERMITS, p - 1);
                    return true;
                }
                seen = cell.words.getVolatile(SEQ);
            }
            if (!cell.await(SEQ, seen, deadline)) return false;
        }
    }

    /**
     * Gives back one permit and wakes the waiters, in every process. Nothing checks that the caller
     * holds one: a release without an acquire adds a permit.
     */
    public void release() {
        try (ArrayLock held = cell.lockForUpdate()) {
            cell.words.set(PERMITS, cell.words.get(PERMITS) + 1);
            cell.words.getAndAdd(SEQ, 1);
        }
        cell.wakeAll(SEQ);
    }

    /** {@return the permits free now (a snapshot: other processes may take or release any time)} */
    public long availablePermits() {
        return cell.words.getVolatile(PERMITS);
    }

    /**
     * Releases this process's mapping of the semaphore; idempotent. In the creating process this also
     * removes the segment's name: processes already attached keep working, later attaches fail.
     */
    @Override
    public void close() {
        cell.words.close();
    }
}
