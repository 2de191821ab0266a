package io.shmarray;

import io.shmarray.internal.Backends;
import java.io.Serializable;
import java.time.Duration;

/**
 * The shared state behind {@link SharedLock}, {@link SharedSemaphore}, {@link SharedEvent},
 * {@link SharedBarrier} and {@link SharedValue}: a few 64-bit words in one segment, its robust
 * lock, and futex waits on the low 32 bits of a word. Travels as its array's handle.
 */
final class SyncCell implements Serializable {
    private static final long serialVersionUID = 1L;

    final SharedLongArray words;

    SyncCell(SharedLongArray words) {
        this.words = words;
    }

    static SyncCell create(int n) {
        return new SyncCell(SharedLongArray.create(n));
    }

    static SyncCell attach(String name) {
        return new SyncCell(SharedLongArray.attach(name));
    }

    /**
     * The lock, surviving a dead holder: for primitives whose every update is one word written
     * under the lock, a holder's death leaves nothing half-done.
     */
    ArrayLock lockRecovering(Duration timeout) {
        while (true) {
            try {
                return words.lock(timeout);
            } catch (LockOwnerDiedException | PoisonedArrayException e) {
                words.recover();
            }
        }
    }

    /** Waits while the low 32 bits of word {@code k} equal {@code seen}; false once the deadline passed. */
    boolean await(int k, long seen, long deadline) {
        long left = deadline == Long.MAX_VALUE ? -1 : deadline - System.nanoTime();
        if (deadline != Long.MAX_VALUE && left <= 0) return false;
        Backends.get().futexWait(words.attachment.data().address(8L * k), (int) seen, left);
        return deadline == Long.MAX_VALUE || System.nanoTime() < deadline;
    }

    void wakeAll(int k) {
        Backends.get().futexWake(words.attachment.data().address(8L * k), Integer.MAX_VALUE);
    }

    static long deadline(Duration timeout) {
        return timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
    }
}
