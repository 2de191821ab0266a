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

    private final SyncCell cell;

    private SharedLock(SyncCell cell) {
        this.cell = cell;
    }

    public static SharedLock create() {
        return new SharedLock(SyncCell.create(1));
    }

    public static SharedLock attach(String name) {
        return new SharedLock(SyncCell.attach(name));
    }

    public String name() {
        return cell.words.name();
    }

    public ArrayLock lock() {
        return cell.words.lock();
    }

    /** @throws LockTimeoutException when not acquired in time */
    public ArrayLock lock(Duration timeout) {
        return cell.words.lock(timeout);
    }

    /** After {@link LockOwnerDiedException}: the protected state was checked; use the lock again. */
    public void recover() {
        cell.words.recover();
    }

    @Override
    public void close() {
        cell.words.close();
    }
}
