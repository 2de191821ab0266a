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

    private final SyncCell cell;
    private final boolean floating;

    private SharedValue(SyncCell cell, boolean floating) {
        this.cell = cell;
        this.floating = floating;
    }

    public static SharedValue ofLong(long initial) {
        SyncCell c = SyncCell.create(1);
        c.words.setVolatile(0, initial);
        return new SharedValue(c, false);
    }

    public static SharedValue ofDouble(double initial) {
        SyncCell c = SyncCell.create(1);
        c.words.setVolatile(0, Double.doubleToRawLongBits(initial));
        return new SharedValue(c, true);
    }

    public String name() {
        return cell.words.name();
    }

    public long getLong() {
        return floating ? (long) getDouble() : cell.words.getVolatile(0);
    }

    public void setLong(long v) {
        if (floating) setDouble(v);
        else cell.words.setVolatile(0, v);
    }

    public long addAndGet(long delta) {
        if (floating) return (long) addAndGet((double) delta);
        return cell.words.getAndAdd(0, delta) + delta;
    }

    public double getDouble() {
        long bits = cell.words.getVolatile(0);
        return floating ? Double.longBitsToDouble(bits) : bits;
    }

    public void setDouble(double v) {
        if (floating) cell.words.setVolatile(0, Double.doubleToRawLongBits(v));
        else cell.words.setVolatile(0, (long) v);
    }

    public double addAndGet(double delta) {
        if (!floating) return addAndGet((long) delta);
        while (true) {
            long bits = cell.words.getVolatile(0);
            double next = Double.longBitsToDouble(bits) + delta;
            if (cell.words.compareAndSet(0, bits, Double.doubleToRawLongBits(next))) return next;
        }
    }

    /** The value's lock, for compound updates (owner-died semantics as {@link SharedLock}). */
    public ArrayLock lock(Duration timeout) {
        return cell.words.lock(timeout);
    }

    @Override
    public void close() {
        cell.words.close();
    }
}
