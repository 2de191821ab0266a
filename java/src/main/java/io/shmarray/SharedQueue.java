package io.shmarray;

import io.shmarray.internal.Serialization;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Objects;

/**
 * A bounded multi-producer, multi-consumer queue between processes — Python's
 * {@code multiprocessing.Queue}, but a value: pass it as a task argument, return it as a result,
 * put it into another queue, or attach to it by name from a process started later. Items are
 * serialized as tasks are ({@code io.shmarray.runtime.Codec}: shared arrays inside them travel as handles).
 *
 * <pre>{@code
 * SharedQueue<String> q = SharedQueue.create(1 << 20);              // 1 MiB of ring buffer
 * WorkerProcess.start(() -> { q.put("hello from " + ProcessHandle.current().pid()); return null; });
 * String msg = q.take();                                              // or poll(Duration)
 * }</pre>
 *
 * <p>The queue is a byte ring in one shared segment, guarded by the segment's robust lock, with
 * futex waits for "not empty" and "not full" (a put or take makes the wake-up system call only
 * when someone waits). <b>Crash semantics:</b> a producer that dies in the
 * middle of {@code put} loses only the item it was putting (the item is published last, so the
 * queue never shows half of it); a consumer that dies in the middle of {@code take} loses only the
 * item it was taking. Others are neither blocked nor see a corrupted queue: the next operation
 * finds the lock's owner dead, checks the queue's bookkeeping and goes on.
 *
 * <p><b>Threads:</b> every blocking call is interruptible — an interrupted thread gets a
 * {@link WaitInterruptedException} within {@value SharedArray#WAIT_SLICE_MILLIS} ms, having taken or
 * put nothing, with its interrupt status still set — and works on virtual threads (which poll
 * and park instead of pinning their carrier in a native wait).
 *
 * @param <T> the type of the items
 */
public final class SharedQueue<T> implements Serializable, AutoCloseable {
    private static final long serialVersionUID = 1L;

    private static final int NOT_EMPTY = 0; // u32 futex word, bumped by every put
    private static final int NOT_FULL = 4;  // u32 futex word, bumped by every take
    private static final int HEAD = 8;      // u64 byte position of the next item to take
    private static final int TAIL = 16;     // u64 byte position after the last item
    private static final int COUNT = 24;    // u64 items in the queue
    private static final int CAPACITY = 32; // u64 ring bytes
    /** u32 counts of processes waiting (or about to) on NOT_EMPTY and NOT_FULL, at word + this. */
    private static final int WAITERS = 40;
    private static final int RING = 64;

    private static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    /** The queue's segment: its bookkeeping words and the ring (serialized as the array's handle). */
    private final SharedByteArray buffer; // travels as its handle
    private transient ByteBuffer view;
    private transient long capacity;

    private SharedQueue(SharedByteArray buffer) {
        this.buffer = buffer;
        init();
    }

    private void init() {
        this.view = buffer.asByteBuffer();
        this.capacity = view.getLong(CAPACITY);
        if (capacity <= 0 || RING + capacity != view.capacity()) {
            throw new CorruptSegmentException("segment '" + buffer.name() + "' is not a SharedQueue", 0, buffer.name(),
                    "capacity");
        }
    }

    /**
     * A queue with {@code ringBytes} of buffer (items take their serialized size + 4 bytes), in a
     * fresh owner-scoped segment: its name goes when this process closes it or exits.
     *
     * @param <T> the type of the items
     * @param ringBytes the ring's size in bytes, in {@code [64, 2^30]}
     * @return the new, empty queue
     * @throws IllegalArgumentException when {@code ringBytes} is out of range
     */
    public static <T> SharedQueue<T> create(int ringBytes) {
        if (ringBytes < 64 || ringBytes > (1 << 30)) {
            throw new IllegalArgumentException("ringBytes=" + ringBytes + ", must be in [64, 2^30]");
        }
        SharedByteArray b = SharedByteArray.create(RING + ringBytes);
        b.asByteBuffer().order(ByteOrder.nativeOrder()).putLong(CAPACITY, ringBytes);
        return new SharedQueue<>(b);
    }

    /**
     * Attaches to a queue by its segment name (see {@link #name()}).
     *
     * @param <T> the type of the items (not checked: a wrong one fails at {@link #take()})
     * @param name the queue's segment name
     * @return the same queue, shared with its creator
     * @throws SegmentNotFoundException when no segment has this name
     * @throws CorruptSegmentException when the segment is not a queue's
     */
    public static <T> SharedQueue<T> attach(String name) {
        return new SharedQueue<>(SharedByteArray.attach(name));
    }

    /** {@return the name of the queue's segment, for {@link #attach(String)}} */
    public String name() {
        return buffer.name();
    }

    /** The segment behind the queue (for tests of crash behaviour). */
    SharedByteArray buffer() {
        return buffer;
    }

    /** {@return the number of items in the queue now (a snapshot: other processes may put or take any time)} */
    public long size() {
        try (ArrayLock held = buffer.lockRecovering(null, false)) {
            return view.getLong(COUNT);
        }
    }

    /**
     * Puts an item, waiting for room as long as it takes.
     *
     * @param item the item; serialized now, so later changes to it do not travel
     * @throws IllegalArgumentException when the serialized item can never fit the ring
     * @throws io.shmarray.NotSerializableTaskException when the item cannot be serialized
     * @throws WaitInterruptedException when the thread is interrupted while waiting (nothing put)
     */
    public void put(T item) {
        if (!offer(item, null)) throw new IllegalStateException("unreachable: put without timeout returned false");
    }

    /**
     * Puts an item, waiting at most {@code timeout} for room ({@code null}: forever).
     *
     * @param item the item; serialized now, so later changes to it do not travel
     * @param timeout how long to wait for room, or {@code null} to wait as long as it takes
     * @return true when the item was put; false when the time ran out (the item was not put)
     * @throws IllegalArgumentException when the serialized item can never fit the ring
     * @throws io.shmarray.NotSerializableTaskException when the item cannot be serialized
     * @throws WaitInterruptedException when the thread is interrupted while waiting (nothing put)
     */
    public boolean offer(T item, Duration timeout) {
        byte[] bytes = Serialization.encodeValue(item, "queue item");
        long need = 4L + bytes.length;
        if (need > capacity) {
            throw new IllegalArgumentException("item of " + bytes.length + " serialized bytes can never fit a ring of "
                    + capacity + " bytes; share large data through a shared array instead");
        }
        long deadline = SharedArray.deadline(timeout);
        while (true) {
            int seen;
            try (ArrayLock held = lock(deadline)) {
                if (held == null) return false; // the time ran out waiting for the lock: not put
                long head = view.getLong(HEAD);
                long tail = view.getLong(TAIL);
                if (capacity - (tail - head) >= need) {
                    ringWrite(tail, bytes);  // the item first ...
                    view.putLong(COUNT, view.getLong(COUNT) + 1);
                    view.putLong(TAIL, tail + need); // ... published last
                    INTS.getAndAdd(view, NOT_EMPTY, 1);
                    wake(NOT_EMPTY);
                    return true;
                }
                seen = (int) INTS.getVolatile(view, NOT_FULL);
            }
            if (!await(NOT_FULL, seen, deadline)) return false;
        }
    }

    /**
     * Takes the oldest item, waiting as long as it takes.
     *
     * @return the item, deserialized in this process
     * @throws io.shmarray.ProtocolException when the item's class is unknown here or refused by
     *     the codec's filter (the item is gone from the queue)
     * @throws WaitInterruptedException when the thread is interrupted while waiting (nothing taken)
     */
    public T take() {
        return poll(null);
    }

    /**
     * Takes the oldest item, waiting at most {@code timeout} ({@code null}: forever); null on timeout.
     *
     * @param timeout how long to wait for an item, or {@code null} to wait as long as it takes
     * @return the item, deserialized in this process, or {@code null} when the time ran out
     * @throws io.shmarray.ProtocolException when the item's class is unknown here or refused by
     *     the codec's filter (the item is gone from the queue)
     * @throws WaitInterruptedException when the thread is interrupted while waiting (nothing taken)
     */
    @SuppressWarnings("unchecked")
    public T poll(Duration timeout) {
        long deadline = SharedArray.deadline(timeout);
        while (true) {
            int seen;
            byte[] bytes = null;
            try (ArrayLock held = lock(deadline)) {
                if (held == null) return null; // the time ran out waiting for the lock: nothing taken
                if (view.getLong(COUNT) > 0) {
                    long head = view.getLong(HEAD);
                    int len = ringReadInt(head);
                    bytes = ringRead(head + 4, len);
                    view.putLong(HEAD, head + 4 + len);
                    view.putLong(COUNT, view.getLong(COUNT) - 1);
                    INTS.getAndAdd(view, NOT_FULL, 1);
                    wake(NOT_FULL);
                }
                seen = (int) INTS.getVolatile(view, NOT_EMPTY);
            }
            if (bytes != null) {
                try {
                    return (T) Serialization.decodeValue(bytes, capacity);
                } catch (ClassNotFoundException e) {
                    throw new ProtocolException("queue item of an unknown class: " + e.getMessage(), e);
                }
            }
            if (!await(NOT_EMPTY, seen, deadline)) return null;
        }
    }

    // ------------------------------------------------------------------ internals

    /** The segment lock; a dead holder is survived: the queue's bookkeeping is published last. */
    private ArrayLock lock(long deadline) {
        return buffer.lockUntil(deadline); // HEAD/TAIL/COUNT are never half-updated: nothing to repair
    }

    /**
     * Sleeps while {@code word} still reads {@code seen}, counted as a waiter meanwhile. A waker
     * that bumped the word and read no waiter saves the system call; a waiter counted too late
     * for it finds the word changed (the futex compares it before sleeping) and does not sleep.
     * A waiter that dies counted only costs later wakers a needless call.
     */
    private boolean await(int word, int seen, long deadline) {
        INTS.getAndAdd(view, word + WAITERS, 1);
        try {
            return buffer.awaitWord(word, seen, deadline);
        } finally {
            INTS.getAndAdd(view, word + WAITERS, -1);
        }
    }

    /** Wakes the waiters on {@code word}, after it was bumped (a full fence), if there are any. */
    private void wake(int word) {
        if ((int) INTS.getVolatile(view, word + WAITERS) != 0) buffer.wakeWord(word);
    }

    private void ringWrite(long pos, byte[] bytes) {
        ByteBuffer len = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, bytes.length);
        copyIn(pos, len.array());
        copyIn(pos + 4, bytes);
    }

    private void copyIn(long pos, byte[] src) {
        int at = (int) (pos % capacity);
        int first = (int) Math.min(src.length, capacity - at);
        view.put(RING + at, src, 0, first);
        if (first < src.length) view.put(RING, src, first, src.length - first);
    }

    private byte[] ringRead(long pos, int len) {
        byte[] out = new byte[len];
        int at = (int) (pos % capacity);
        int first = (int) Math.min(len, capacity - at);
        view.get(RING + at, out, 0, first);
        if (first < len) view.get(RING, out, first, len - first);
        return out;
    }

    private int ringReadInt(long pos) {
        return ByteBuffer.wrap(ringRead(pos, 4)).order(ByteOrder.nativeOrder()).getInt();
    }

    /**
     * Deserialization re-attaches the ring and rebuilds the local views.
     *
     * @return a queue over the re-attached ring
     * @throws ObjectStreamException never: declared for serialization; a segment that is not a queue's
     *     fails with {@link CorruptSegmentException}
     */
    private Object readResolve() throws ObjectStreamException {
        return new SharedQueue<T>(Objects.requireNonNull(buffer, "buffer"));
    }

    /** Releases this process's mapping; the creator's close removes the queue. */
    @Override
    public void close() {
        buffer.close();
    }

    @Override
    public String toString() {
        return "SharedQueue[" + buffer.name() + ", " + capacity + " bytes]";
    }
}
