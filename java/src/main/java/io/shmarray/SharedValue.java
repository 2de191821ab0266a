package io.shmarray;

import java.io.Serializable;
import java.time.Duration;

/**
 * One shared 64-bit number with a lock (Python's {@code multiprocessing.Value}); travels as a
 * handle. Single operations are atomic; use {@link #lock(Duration)} for compound updates.
 *
 * <pre>{@code
 * SharedValue done = SharedValue.ofLong(0);
 * pool.map(x -> done.addAndGet(1), items, 10);          // atomic across processes
 * long n = done.getLong();                               // == items.size()
 * }</pre>
 */
public final class SharedValue implements Serializable, AutoCloseable {
    private static final long serialVersionUID = 1L;

    /** The value's segment: one 64-bit word and its lock (serialized as the array's handle). */
    private final SyncCell cell;
    /** Whether the word holds a {@code double}'s bits rather than a {@code long}. */
    private final boolean floating;

    private SharedValue(SyncCell cell, boolean floating) {
        this.cell = cell;
        this.floating = floating;
    }

    /**
     * Creates a {@code long} value in a fresh owner-scoped segment: its name goes when this process
     * closes it or exits.
     *
     * @param initial the first value
     * @return the new value
     */
    public static SharedValue ofLong(long initial) {
        SyncCell c = SyncCell.create(1);
        c.words.setVolatile(0, initial);
        return new SharedValue(c, false);
    }

    /**
     * Creates a {@code double} value in a fresh owner-scoped segment: its name goes when this
     * process closes it or exits.
     *
     * @param initial the first value
     * @return the new value
     */
    public static SharedValue ofDouble(double initial) {
        SyncCell c = SyncCell.create(1);
        c.words.setVolatile(0, Double.doubleToRawLongBits(initial));
        return new SharedValue(c, true);
    }

    /** {@return the name of the value's segment} */
    public String name() {
        return cell.words.name();
    }

    /** {@return the value (volatile read); a {@code double} value is cast to {@code long}} */
    public long getLong() {
        return floating ? (long) getDouble() : cell.words.getVolatile(0);
    }

    /**
     * Sets the value (volatile write).
     *
     * @param v the new value; stored as {@code (double) v} in a {@code double} value
     */
    public void setLong(long v) {
        if (floating) setDouble(v);
        else cell.words.setVolatile(0, v);
    }

    /**
     * Atomically adds {@code delta}, across processes.
     *
     * @param delta the amount to add
     * @return the value after the addition (cast to {@code long} for a {@code double} value)
     */
    public long addAndGet(long delta) {
        if (floating) return (long) addAndGet((double) delta);
        return cell.words.getAndAdd(0, delta) + delta;
    }

    /** {@return the value (volatile read); a {@code long} value is converted to {@code double}} */
    public double getDouble() {
        long bits = cell.words.getVolatile(0);
        return floating ? Double.longBitsToDouble(bits) : bits;
    }

    /**
     * Sets the value (volatile write).
     *
     * @param v the new value; stored as {@code (long) v} in a {@code long} value
     */
    public void setDouble(double v) {
        if (floating) cell.words.setVolatile(0, Double.doubleToRawLongBits(v));
        else cell.words.setVolatile(0, (long) v);
    }

    /**
     * Atomically adds {@code delta}, across processes (a compare-and-set loop for a {@code double}
     * value).
     *
     * @param delta the amount to add; cast to {@code long} first for a {@code long} value
     * @return the value after the addition
     */
    public double addAndGet(double delta) {
        if (!floating) return addAndGet((long) delta);
        while (true) {
            long bits = cell.words.getVolatile(0);
            double next = Double.longBitsToDouble(bits) + delta;
            if (cell.words.compareAndSet(0, bits, Double.doubleToRawLongBits(next))) return next;
        }
    }

    /**
     * The value's lock, for compound updates (owner-died semantics as {@link SharedLock}). Single
     * operations do not take it.
     *
     * @param timeout how long to wait, or {@code null} to wait as long as it takes
     * @return the guard; closing it (on this thread) releases the lock
     * @throws LockTimeoutException when not acquired in time
     * @throws LockOwnerDiedException when the previous holder died holding it
     * @throws IllegalStateException on a virtual thread, or when this thread already holds it
     */
    public ArrayLock lock(Duration timeout) {
        return cell.words.lock(timeout);
    }

    /**
     * Releases this process's mapping of the value; idempotent. In the creating process this also
     * removes the segment's name: processes already attached keep working, later attaches fail.
     */
    @Override
    public void close() {
        cell.words.close();
    }
}
