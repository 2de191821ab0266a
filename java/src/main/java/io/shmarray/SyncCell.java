package io.shmarray;

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
        return words.lockRecovering(timeout, true);
    }

    /**
     * {@link #lockRecovering} until a {@link #deadline}: null once it has passed without the lock
     * (a timed wait then answers false, as documented, instead of throwing).
     */
    ArrayLock lockUntil(long deadline) {
        return words.lockUntil(deadline);
    }

    /** {@link #lockRecovering}, not interruptible: for updates that must not fail (a release). */
    ArrayLock lockForUpdate() {
        return words.lockRecovering(null, false);
    }

    /** Waits while the low 32 bits of word {@code k} equal {@code seen}; false once the deadline passed. */
    boolean await(int k, long seen, long deadline) {
        return words.awaitWord(8L * k, (int) seen, deadline);
    }

    void wakeAll(int k) {
        words.wakeWord(8L * k);
    }

    static long deadline(Duration timeout) {
        return SharedArray.deadline(timeout);
    }
}
