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

    private final SyncCell cell;

    private SharedSemaphore(SyncCell cell) {
        this.cell = cell;
    }

    public static SharedSemaphore create(long permits) {
        if (permits < 0) throw new IllegalArgumentException("permits=" + permits + ", must be >= 0");
        SyncCell c = SyncCell.create(2);
        c.words.set(PERMITS, permits);
        return new SharedSemaphore(c);
    }

    public String name() {
        return cell.words.name();
    }

    public void acquire() {
        tryAcquire(null);
    }

    /** Takes a permit, waiting at most {@code timeout} ({@code null}: forever); false on timeout. */
    public boolean tryAcquire(Duration timeout) {
        long deadline = SyncCell.deadline(timeout);
        while (true) {
            long seen;
            try (ArrayLock held = cell.lockRecovering(timeout)) {
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

    public void release() {
        try (ArrayLock held = cell.lockForUpdate()) {
            cell.words.set(PERMITS, cell.words.get(PERMITS) + 1);
            cell.words.getAndAdd(SEQ, 1);
        }
        cell.wakeAll(SEQ);
    }

    public long availablePermits() {
        return cell.words.getVolatile(PERMITS);
    }

    @Override
    public void close() {
        cell.words.close();
    }
}
