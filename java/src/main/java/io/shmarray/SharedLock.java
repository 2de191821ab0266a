package io.shmarray;

import java.io.Serializable;
import java.time.Duration;

/**
 * A robust process-shared lock that travels as a handle (Python's {@code multiprocessing.Lock},
 * passable to pool tasks). Same semantics as {@link SharedArray#lock()}: owned by the locking OS
 * thread, and a holder's death poisons it ({@link LockOwnerDiedException}, then
 * {@link PoisonedArrayException} until {@link #recover()}). Waiting for it is interruptible
 * ({@link WaitInterruptedException}); it is refused on a virtual thread, with an error that says
 * why (a holder that parks may resume on another OS thread than the one owning the mutex).
 *
 * <pre>{@code
 * SharedLock lock = SharedLock.create();
 * try (ArrayLock held = lock.lock(Duration.ofSeconds(5))) { ... }
 * }</pre>
 */
public final class SharedLock implements Serializable, AutoCloseable {
    private static final long serialVersionUID = 1L;

    /** The lock's segment: one word and its robust lock (serialized as the array's handle). */
    private final SyncCell cell;

    private SharedLock(SyncCell cell) {
        this.cell = cell;
    }

    /**
     * Creates an unlocked lock in a fresh owner-scoped segment: its name goes when this process
     * closes it or exits.
     *
     * @return the new lock
     * @throws InsufficientSharedMemoryException when /dev/shm cannot hold it
     */
    public static SharedLock create() {
        return new SharedLock(SyncCell.create(1));
    }

    /**
     * Attaches to the lock another process created, by its {@link #name()} (passing the object
     * itself to a task is simpler: it travels as a handle).
     *
     * @param name the lock's segment name
     * @return the same lock, shared with its creator
     * @throws SegmentNotFoundException when no segment has this name
     * @throws IllegalArgumentException when the segment is not a lock's (another element type)
     */
    public static SharedLock attach(String name) {
        return new SharedLock(SyncCell.attach(name));
    }

    /** {@return the name of the lock's segment, for {@link #attach(String)}} */
    public String name() {
        return cell.words.name();
    }

    /**
     * Takes the lock, waiting as long as it takes.
     *
     * @return the guard; closing it (on this thread) releases the lock
     * @throws LockOwnerDiedException when the previous holder died holding it (the lock is now
     *     poisoned and released again)
     * @throws PoisonedArrayException when the lock was poisoned before and not recovered
     * @throws WaitInterruptedException when the thread is interrupted while waiting
     * @throws IllegalStateException on a virtual thread, or when this thread already holds it
     */
    public ArrayLock lock() {
        return cell.words.lock();
    }

    /**
     * Takes the lock, waiting at most {@code timeout}.
     *
     * @param timeout how long to wait, or {@code null} to wait as long as it takes
     * @return the guard; closing it (on this thread) releases the lock
     * @throws LockTimeoutException when not acquired in time
     * @throws LockOwnerDiedException when the previous holder died holding it (the lock is now
     *     poisoned and released again)
     * @throws PoisonedArrayException when the lock was poisoned before and not recovered
     * @throws WaitInterruptedException when the thread is interrupted while waiting
     * @throws IllegalStateException on a virtual thread, or when this thread already holds it
     */
    public ArrayLock lock(Duration timeout) {
        return cell.words.lock(timeout);
    }

    /** After {@link LockOwnerDiedException}: the protected state was checked; use the lock again. */
    public void recover() {
        cell.words.recover();
    }

    /**
     * Releases this process's mapping of the lock; idempotent. In the creating process this also
     * removes the segment's name: processes already attached keep working, later attaches fail.
     */
    @Override
    public void close() {
        cell.words.close();
    }
}
