package io.shmarray;

/**
 * A held array lock (see {@link SharedArray#lock()}); closing it releases the lock. Confined to
 * the thread that took it: the process-shared mutex belongs to that OS thread.
 *
 * <pre>{@code
 * try (ArrayLock held = array.lock(Duration.ofSeconds(5))) {   // one mutex per segment, all processes
 *     array.set(0, array.get(0) + 1);
 * }                                                            // released here
 * }</pre>
 */
public final class ArrayLock implements AutoCloseable {

    private final SharedArray array;
    private final long address;
    private final Thread owner;
    private boolean released;

    ArrayLock(SharedArray array, long address, Thread owner) {
        this.array = array;
        this.address = address;
        this.owner = owner;
    }

    /** {@return the array whose segment this lock guards (the one {@code lock()} was called on)} */
    public SharedArray array() {
        return array;
    }

    /**
     * Releases the lock; idempotent on the owning thread.
     *
     * @throws IllegalStateException on another thread (the lock stays held)
     */
    @Override
    public void close() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("the lock of " + array + " was taken by thread '" + owner.getName()
                    + "' and must be released there (a process-shared mutex belongs to its OS thread)");
        }
        if (released) return;
        released = true;
        array.unlock(address);
    }

    @Override
    public String toString() {
        return "ArrayLock[" + array.name() + ", held by " + owner.getName() + (released ? ", released" : "") + "]";
    }
}
