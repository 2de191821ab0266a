package io.shmarray;

import io.shmarray.internal.Attachment;
import io.shmarray.internal.Attachments;
import io.shmarray.internal.ReceivedArrays;
import io.shmarray.internal.Backend;
import io.shmarray.internal.Backends;
import io.shmarray.internal.HeaderPage;
import io.shmarray.internal.Memory;
import io.shmarray.internal.NativeErrors;
import io.shmarray.internal.Names;
import io.shmarray.internal.SegmentHeader;
import io.shmarray.internal.SegmentHeaderDescriptor;
import java.io.Serializable;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An N-dimensional, row-major array in a named POSIX shared-memory segment, which other processes
 * (JVMs, C programs, Python with numpy) attach to by name or by {@link ArrayHandle} and read or
 * write in place. One subclass per element type — {@link SharedByteArray}, {@link SharedShortArray},
 * {@link SharedIntArray}, {@link SharedLongArray}, {@link SharedFloatArray},
 * {@link SharedDoubleArray} — adds the typed accessors; this class holds what they share.
 *
 * <pre>{@code
 * try (SharedDoubleArray m = SharedDoubleArray.create(1000, 3)) {    // 1000 x 3, zero-filled
 *     m.setAt(2.5, 10, 1);                                            // m[10, 1] = 2.5
 *     SharedDoubleArray rows = m.slice(100, 200);                     // a view: same memory
 *     ArrayHandle h = m.handle();                                     // send to another process
 *     // there: try (SharedArray same = h.attach()) { ... }
 *     m.unlink();                                                     // remove the name
 * }
 * }</pre>
 *
 * <h2>Lifetime</h2>
 * {@link #close()} releases this object's use of the mapping (idempotent); the mapping goes away
 * when the last array or view over it in this process is closed. Segments are
 * {@link Lifetime#OWNER_SCOPED} unless created {@link Lifetime#PERSISTENT}: the owner (the creating
 * process, or one that {@linkplain #adopt() adopted} the segment) removes the name when it closes
 * its last array over it, exits, or dies — {@code kill -9} included, through the reaper helper
 * within seconds, else through the sweep at the next start of any shmarray process. Processes that
 * only attached never remove anything. An array a worker creates and returns as (part of) a task
 * result is adopted by the receiving process automatically. Otherwise hand a segment to a receiver
 * that outlives its creator with {@link #adopt()} (in the receiver) or {@link #makePersistent()};
 * attaching after the owner closed fails with {@link SegmentNotFoundException}. {@link #unlink()} removes the name
 * at once: processes already attached keep their mapping. Using a closed array throws
 * {@code IllegalStateException("Already closed: ...")} — also when another thread closes it
 * concurrently, on both backends; no access can crash the JVM, also when another process
 * truncates the segment ({@link SegmentTruncatedException}; on JDK 17–21 HotSpot reports such a
 * fault asynchronously, so it can also surface a little later as {@code InternalError}).
 *
 * <h2>Lock</h2>
 * {@link #lock()} takes the segment's robust process-shared lock (one per segment, shared by all
 * its views, in all processes). If its previous holder died holding it, the array becomes
 * <em>poisoned</em>: {@link LockOwnerDiedException} is thrown, and every access fails with
 * {@link PoisonedArrayException} until {@link #recover()}; data written by a dead holder is never
 * trusted silently. Other processes see the poison at their next {@code lock()}, attach, bulk
 * operation or window.
 *
 * <h2>Serialization</h2>
 * Serializing an array writes only its {@link ArrayHandle}; deserializing attaches again (in the
 * handle's access mode). Arrays therefore travel inside any object graph through any
 * {@code ObjectOutputStream}; within one process, attaching again reuses the existing mapping.
 *
 * <h2>Concurrency</h2>
 * Plain {@code get}/{@code set} have no ordering between threads or processes. The typed classes
 * offer atomics named by memory ordering ({@code getVolatile/setVolatile},
 * {@code getAcquire/setRelease}, {@code compareAndSet}, {@code getAndAdd}) for int, long, float
 * and double elements: a {@code setRelease} (or any volatile write, or a successful
 * {@code compareAndSet}) in one process happens-before an observing {@code getAcquire} (or
 * volatile read) in another, exactly as for threads. Atomics need naturally aligned elements,
 * which every array created by shmarray has.
 *
 * <h2>Element access</h2>
 * {@code get}/{@code set} compile to one load or store on a memory view chosen once by JDK version
 * (a {@code MemorySegment} on JDK 22+, {@code sun.misc.Unsafe} on JDK 17–21): in a loop the JIT
 * hoists the index check, the closed check and the poison check, so the loop runs at heap-array
 * speed (see the benchmark report). Contiguous and strided views take separate paths.
 *
 * <p><b>NOTE:</b> indices are checked on every access; {@code -Dio.shmarray.disableBoundsChecks=true}
 * removes shmarray's own checks (for benchmarks). Even then no access touches memory outside the
 * mapping: the memory layer checks every offset. A thread already inside a compiled loop over an
 * array when another thread closes it may finish that loop on the still-mapped memory (the mapping
 * stays until nothing can reach it); its next call on the array throws "Already closed".
 */
public abstract sealed class SharedArray implements AutoCloseable, Serializable
        permits SharedByteArray, SharedShortArray, SharedIntArray, SharedLongArray, SharedFloatArray, SharedDoubleArray {

    private static final long serialVersionUID = 1L;

    /** Largest buffer {@link #byteBuffers()} hands out. */
    static final long MAX_BUFFER = 1L << 30;

    final transient Attachment attachment;
    /**
     * This array's memory, sliced to its elements; {@code null} once this object is closed (the
     * cleared reference is the closed check; the mapping itself lives while anything reaches it).
     */
    transient Memory memory;
    /** Shape, strides and element offsets: contiguous and strided views are different classes. */
    final transient Geometry geometry;
    final transient DType dtype;
    final transient int elementSize;
    final transient long base;
    final transient long[] shape;
    final transient long[] strides;
    final transient long length;
    final transient boolean contiguous;
    final transient boolean readOnly;
    final transient boolean copyOnWrite;
    private final transient AtomicBoolean closed = new AtomicBoolean();
    private final transient AtomicBoolean pinned = new AtomicBoolean();
    /** Set for an array this process received by deserialization: released when unreachable. */
    private transient volatile java.lang.ref.Cleaner.Cleanable received;

    /** Takes over one reference on {@code attachment}. */
    SharedArray(Attachment attachment, DType dtype, long base, long[] shape, long[] strides) {
        this.attachment = attachment;
        this.dtype = dtype;
        this.elementSize = dtype.byteSize();
        this.base = base;
        this.geometry = Geometry.of(shape, strides, elementSize);
        this.shape = geometry.shape;
        this.strides = geometry.strides;
        this.length = geometry.length;
        this.contiguous = geometry.contiguous();
        long extent = geometry.extentBytes();
        // an empty view (a zero extent anywhere) touches no memory, wherever its base would be
        this.memory = attachment.data().memory().slice(extent == 0 ? 0 : base, extent);
        this.readOnly = attachment.mode() == AccessMode.READ_ONLY;
        this.copyOnWrite = attachment.mode() == AccessMode.COPY_ON_WRITE;
    }

    // ---------------------------------------------------------------- creation and attachment

    /**
     * Creates a zero-filled array under a fresh unpredictable name ({@code shmarray-} and 16
     * characters, within macOS's 31-character limit).
     *
     * @param dtype the element type; the result is the matching subclass
     * @param shape the extents, row-major; none for a scalar (one element)
     * @return the new array, owned by this process ({@link Lifetime#OWNER_SCOPED})
     * @throws IllegalArgumentException for negative extents, a rank over 8, or a size over 2^63
     * @throws InsufficientSharedMemoryException when /dev/shm cannot hold it
     */
    public static SharedArray create(DType dtype, long... shape) {
        return create(Names.generate(), true, Lifetime.OWNER_SCOPED, dtype, shape);
    }

    /**
     * Creates a zero-filled, owner-scoped array under {@code name}.
     *
     * @param name the segment name (a leading '/' is dropped)
     * @param dtype the element type; the result is the matching subclass
     * @param shape the extents, row-major; none for a scalar (one element)
     * @return the new array, owned by this process
     * @throws SegmentExistsException when the name is taken
     */
    public static SharedArray createNamed(String name, DType dtype, long... shape) {
        return create(name, false, Lifetime.OWNER_SCOPED, dtype, shape);
    }

    /**
     * Creates a zero-filled array under {@code name} with the given lifetime; a
     * {@link Lifetime#PERSISTENT} segment stays until someone calls {@link #unlink()}.
     *
     * @param name the segment name (a leading '/' is dropped)
     * @param lifetime how long the name lives
     * @param dtype the element type; the result is the matching subclass
     * @param shape the extents, row-major; none for a scalar (one element)
     * @return the new array
     * @throws SegmentExistsException when the name is taken
     */
    public static SharedArray createNamed(String name, Lifetime lifetime, DType dtype, long... shape) {
        return create(name, false, nonNull(lifetime, "lifetime"), dtype, shape);
    }

    static SharedArray create(String name, boolean generated, Lifetime lifetime, DType dtype, long... shape) {
        nonNull(dtype, "dtype");
        long[] s = nonNull(shape, "shape").clone();
        Attachment a = Attachments.create(name, generated, dtype, s, lifetime);
        return newArray(dtype, a, 0, s, rowMajorStrides(s));
    }

    /**
     * Attaches read-write to the whole array named {@code name}; its type comes from the header.
     *
     * @param name the segment name (a leading '/' is dropped)
     * @return a new array of the stored element type; close it when done
     * @throws SegmentNotFoundException when no segment has this name
     * @throws CorruptSegmentException when it is not a valid shmarray segment
     */
    public static SharedArray attach(String name) {
        return attach(name, AccessMode.READ_WRITE);
    }

    /**
     * Attaches to the whole array named {@code name} in the given mode.
     *
     * @param name the segment name (a leading '/' is dropped)
     * @param mode how to map the data
     * @return a new array of the stored element type; close it when done
     * @throws SegmentNotFoundException when no segment has this name
     * @throws CorruptSegmentException when it is not a valid shmarray segment
     * @throws SegmentAccessException when it is not safe to adopt (symlink, other owner, mode)
     */
    public static SharedArray attach(String name, AccessMode mode) {
        Attachment a = Attachments.attach(name, nonNull(mode, "mode"));
        SegmentHeader h = a.header();
        long[] s = h.shape();
        return newArray(h.dtype(), a, 0, s, rowMajorStrides(s));
    }

    /**
     * Attaches to the array (or view) a handle describes.
     *
     * @param handle the handle, e.g. from {@link #handle()} in another process
     * @return a new array or view in the handle's access mode; close it when done
     * @throws SegmentNotFoundException when the segment no longer exists
     * @throws StaleHandleException when the name now belongs to another segment
     * @throws IllegalArgumentException when the handle's type or geometry does not fit the segment
     */
    public static SharedArray attach(ArrayHandle handle) {
        nonNull(handle, "handle");
        Attachment a;
        try {
            a = handle.raw() ? Attachments.attachRaw(handle.name(), handle.mode())
                    : Attachments.attach(handle.name(), handle.mode());
        } catch (SegmentNotFoundException e) {
            throw new SegmentNotFoundException("attach '" + handle.name() + "' failed: the segment this handle names"
                    + " no longer exists. An owner-scoped segment is removed when its owner closes it or exits: keep"
                    + " the array open until receivers have attached, or create it PERSISTENT, or have the receiver"
                    + " adopt() it", e.errno(), handle.name());
        }
        boolean success = false;
        try {
            SegmentHeader h = a.header();
            if (h != null) {
                if (h.dtype() != handle.dtype()) {
                    throw new IllegalArgumentException("handle says " + handle.dtype() + " but segment '" + handle.name()
                            + "' holds " + h.dtype());
                }
                if (handle.segmentId() != 0
                        && (h.segmentId() != handle.segmentId() || h.generation() != handle.generation())) {
                    throw new StaleHandleException("segment '" + handle.name() + "' is not the one this handle was made"
                            + " for (id " + Long.toHexString(h.segmentId()) + " generation " + h.generation()
                            + ", created by pid " + h.creatorPid() + "; the handle names id "
                            + Long.toHexString(handle.segmentId()) + " generation " + handle.generation()
                            + "): the name was removed and reused", handle.name());
                }
            }
            long extent = handle.extentBytes();
            if (handle.byteOffset() > a.dataLength() || extent > a.dataLength() - handle.byteOffset()) {
                throw new IllegalArgumentException("handle's array spans bytes [" + handle.byteOffset() + ", +" + extent
                        + ") but segment '" + handle.name() + "' holds " + a.dataLength() + " data bytes");
            }
            SharedArray array = newArray(handle.dtype(), a, handle.byteOffset(), handle.shape(), handle.strides());
            success = true;
            return array;
        } finally {
            if (!success) Attachments.release(a);
        }
    }

    /**
     * Attaches to row-major data in a segment without a shmarray header, e.g. one made by
     * Python's {@code multiprocessing.shared_memory.SharedMemory} (name without the leading
     * '/'), starting {@code byteOffset} bytes into the segment.
     *
     * @param name the segment name (a leading '/' is dropped)
     * @param dtype the element type
     * @param byteOffset where element 0 starts, in bytes from the segment's start; a multiple of the
     *     element size
     * @param mode how to map the data
     * @param shape the extents, row-major
     * @return a new array of that type over those elements; close it when done
     * @throws SegmentNotFoundException when no segment has this name
     * @throws IllegalArgumentException when the geometry is invalid or does not fit the segment
     */
    public static SharedArray attachRaw(String name, DType dtype, long byteOffset, AccessMode mode, long... shape) {
        return attach(ArrayHandle.ofRaw(name, dtype, byteOffset, mode, shape));
    }

    static SharedArray newArray(DType dtype, Attachment a, long base, long[] shape, long[] strides) {
        switch (dtype) {
            case BYTE: return new SharedByteArray(a, base, shape, strides);
            case SHORT: return new SharedShortArray(a, base, shape, strides);
            case INT: return new SharedIntArray(a, base, shape, strides);
            case LONG: return new SharedLongArray(a, base, shape, strides);
            case FLOAT: return new SharedFloatArray(a, base, shape, strides);
            case DOUBLE: return new SharedDoubleArray(a, base, shape, strides);
            default: throw new IllegalArgumentException("dtype " + dtype);
        }
    }

    /** Narrows a freshly attached array to the expected type, or closes it and says why. */
    static <T extends SharedArray> T expect(SharedArray a, Class<T> type, DType dtype) {
        if (a.dtype != dtype) {
            a.close();
            throw new IllegalArgumentException("segment '" + a.name() + "' holds " + a.dtype + " elements, not " + dtype);
        }
        return type.cast(a);
    }

    /**
     * A required argument: null is an {@link IllegalArgumentException} naming it, like every other
     * bad argument here (a fuzzed handle or call gets only IllegalArgumentException or a typed
     * {@link ShmException}).
     */
    static <T> T nonNull(T value, String what) {
        if (value == null) throw new IllegalArgumentException(what + " is null");
        return value;
    }

    /** Row-major strides (in elements) for a shape. */
    static long[] rowMajorStrides(long[] shape) {
        return Geometry.rowMajorStrides(shape);
    }

    // ---------------------------------------------------------------- description

    /** {@return the segment name (without a leading '/')} */
    public final String name() {
        return attachment.name();
    }

    /** {@return the element type} */
    public final DType dtype() {
        return dtype;
    }

    /** {@return the extents, row-major (a copy); empty for a scalar} */
    public final long[] shape() {
        return shape.clone();
    }

    /** {@return the strides in elements per dimension (a copy)} */
    public final long[] strides() {
        return strides.clone();
    }

    /** {@return the strides in bytes per dimension (numpy's {@code ndarray.strides})} */
    public final long[] byteStrides() {
        return geometry.byteStrides();
    }

    /** {@return the number of dimensions (0 for a scalar)} */
    public final int rank() {
        return shape.length;
    }

    /** {@return the number of elements (1 for a scalar)} */
    public final long length() {
        return length;
    }

    /** {@return the bytes of element data ({@code length() * dtype().byteSize()})} */
    public final long byteSize() {
        return length * elementSize;
    }

    /** {@return how this process maps the data} */
    public final AccessMode mode() {
        return attachment.mode();
    }

    /** {@return whether the elements are adjacent in row-major order (true unless a strided slice)} */
    public final boolean isContiguous() {
        return contiguous;
    }

    /** {@return whether {@link #close()} was called on this object (other views are unaffected)} */
    public final boolean isClosed() {
        return closed.get();
    }

    /**
     * A handle describing this array (or view) in its access mode.
     *
     * @return the handle, for another process to {@linkplain ArrayHandle#attach() attach} with
     * @throws IllegalStateException when this array is closed
     */
    public final ArrayHandle handle() {
        ensureOpen();
        SegmentHeader h = attachment.header();
        return h == null
                ? new ArrayHandle(name(), dtype, shape, strides, base, mode(), true, 0, 0, 0, 0)
                : new ArrayHandle(name(), dtype, shape, strides, base, mode(), false, h.generation(), h.creatorPid(),
                        h.creatorStartTime(), h.segmentId());
    }

    /** {@return the byte offset of element 0 from the start of the segment (header included): for numpy} */
    public final long segmentOffset() {
        SegmentHeader h = attachment.header();
        return (h == null ? 0 : h.dataOffset()) + base;
    }

    /**
     * The segment's current lifetime, read from its header.
     *
     * @return {@link Lifetime#PERSISTENT} if the header says so, else {@link Lifetime#OWNER_SCOPED}
     *     (always for a raw segment)
     * @throws IllegalStateException when this array is closed
     */
    public final Lifetime lifetime() {
        return (headerFlags() & SegmentHeaderDescriptor.FLAG_PERSISTENT) != 0 ? Lifetime.PERSISTENT : Lifetime.OWNER_SCOPED;
    }

    /** {@return whether this process will remove the name when it is done with the segment} */
    public final boolean isOwner() {
        return Attachments.owned(attachment);
    }

    /**
     * Makes this process the segment's owner: its name is removed when this process closes its
     * last array over it, exits or dies, not when the previous owner does. Use it in a receiver
     * that must outlive the creator (e.g. a result array made by a worker). Clears PERSISTENT.
     *
     * @throws UnsupportedOperationException for a raw segment, or an array not attached READ_WRITE
     */
    public final void adopt() {
        HeaderPage h = writableHeader("adopt");
        ProcessHandle me = ProcessHandle.current();
        long start = Backends.get().processStartTime((int) me.pid());
        h.clearFlags(SegmentHeaderDescriptor.FLAG_PERSISTENT);
        pin();
        Attachments.adopt(attachment, me.pid(), start);
    }

    /**
     * Marks the segment PERSISTENT: no process removes its name until {@link #unlink()}.
     *
     * @throws UnsupportedOperationException for a raw segment, or an array not attached READ_WRITE
     */
    public final void makePersistent() {
        HeaderPage h = writableHeader("makePersistent");
        h.setFlags(SegmentHeaderDescriptor.FLAG_PERSISTENT);
        Attachments.disown(attachment);
    }

    // ---------------------------------------------------------------- lock and poisoning

    private static final MethodHandle IS_VIRTUAL = isVirtualHandle();

    private static MethodHandle isVirtualHandle() {
        try {
            return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
        } catch (ReflectiveOperationException e) {
            return null; // JDK < 21: no virtual threads
        }
    }

    private static boolean onVirtualThread() {
        if (IS_VIRTUAL == null) return false;
        try {
            return (boolean) IS_VIRTUAL.invokeExact(Thread.currentThread());
        } catch (Throwable t) {
            return false;
        }
    }

    private HeaderPage writableHeader(String what) {
        ensureOpen();
        HeaderPage page = attachment.headerPage();
        if (page == null) throw new UnsupportedOperationException(what + " needs a shmarray header; " + name() + " is raw");
        if (mode() != AccessMode.READ_WRITE) {
            throw new UnsupportedOperationException(what + " needs a READ_WRITE attachment: " + this);
        }
        checkHeaderMapped();
        return page;
    }

    /** fstat before touching the header page: a segment shrunk below it would fault. */
    private void checkHeaderMapped() {
        Backend b = Backends.get();
        long size = b.size(attachment.fd());
        if (size < 0) { // the descriptor went with a concurrent close
            ensureOpen();
            throw NativeErrors.toException(b, size, "fstat", name(), -1);
        }
        if (size < b.pageSize()) {
            throw new SegmentTruncatedException("segment '" + name() + "' was truncated to " + size
                    + " bytes by another process; its header is gone", 0, name());
        }
    }

    private int headerFlags() {
        ensureOpen();
        HeaderPage page = attachment.headerPage();
        if (page == null) return 0;
        checkHeaderMapped(); // a header truncated away would fault, and JDK 17-21 report that late
        try {
            return page.flags();
        } catch (InternalError e) {
            throw memoryFault(e);
        }
    }

    /**
     * Whether the segment is poisoned (a lock holder died); reads the shared header.
     *
     * @return true until someone calls {@link #recover()}; always false for a raw segment
     * @throws IllegalStateException when this array is closed
     */
    public final boolean isPoisoned() {
        boolean p = (headerFlags() & SegmentHeaderDescriptor.FLAG_POISONED) != 0;
        attachment.poisoned = p;
        return p;
    }

    /**
     * Declares the data trustworthy again after {@link LockOwnerDiedException}: clears the
     * poison for every process. Call it once the data has been checked or repaired.
     *
     * @throws UnsupportedOperationException for a raw segment, or an array not attached READ_WRITE
     */
    public final void recover() {
        HeaderPage h = writableHeader("recover");
        h.clearFlags(SegmentHeaderDescriptor.FLAG_POISONED);
        attachment.poisoned = false;
    }

    /**
     * {@link #lock(Duration)} without a time limit.
     *
     * @return the guard; closing it releases the lock
     * @throws LockOwnerDiedException when the previous holder died holding it
     * @throws PoisonedArrayException when the array was poisoned before and not recovered
     */
    public final ArrayLock lock() {
        return lock(null);
    }

    /**
     * Takes the segment's robust process-shared lock and returns a guard that releases it.
     *
     * <pre>{@code
     * try (ArrayLock held = counts.lock(Duration.ofSeconds(5))) {
     *     counts.set(0, counts.get(0) + 1);
     * }
     * }</pre>
     *
     * <p>The lock belongs to the calling OS thread: release it on the same thread. It is refused
     * on a virtual thread (the mutex belongs to an OS thread, and a virtual thread that parks inside
     * the critical section may resume on another one), on READ_ONLY and COPY_ON_WRITE arrays, and
     * on raw segments (no header). The wait is interruptible: an interrupted thread gets a
     * {@link WaitInterruptedException} (within {@value #WAIT_SLICE_MILLIS} ms) and keeps its
     * interrupt status.
     *
     * @param timeout how long to wait, or {@code null} to wait as long as it takes
     * @return the guard; closing it releases the lock
     * @throws LockTimeoutException when not acquired in time
     * @throws LockOwnerDiedException when the previous holder died holding it (the array is now
     *     poisoned; the lock is released again)
     * @throws PoisonedArrayException when the array was poisoned before and not recovered
     * @throws WaitInterruptedException when the thread is interrupted while waiting
     * @throws IllegalStateException on a virtual thread, or when this thread already holds the lock
     * @throws UnsupportedOperationException for a raw segment, or an array not attached READ_WRITE
     */
    public final ArrayLock lock(Duration timeout) {
        if (onVirtualThread()) {
            throw new IllegalStateException("lock() needs a platform thread: the process-shared mutex belongs to an OS"
                    + " thread, and a virtual thread that parks while holding it may resume on another one. Take the"
                    + " lock on a platform thread (SharedQueue, SharedSemaphore, SharedEvent and SharedBarrier do"
                    + " support virtual threads)");
        }
        return lock(timeout, false, true);
    }

    /**
     * {@link #lock(Duration)}; {@code virtualOk} for the shared primitives, whose critical sections
     * never park (so a virtual thread stays on its carrier while it holds the mutex): a virtual
     * thread then polls with a try-lock and parks between attempts, never pinning its carrier in
     * a native wait.
     */
    private ArrayLock lock(Duration timeout, boolean virtualOk, boolean interruptible) {
        HeaderPage h = writableHeader("lock");
        Backend b = Backends.get();
        long address = h.lockAddress();
        long deadline = deadline(timeout);
        boolean virtual = virtualOk && onVirtualThread();
        long pause = MIN_PARK_NANOS;
        int rc;
        // not interruptible: a set flag would make parkNanos return at once (a busy spin): set it aside
        boolean setAside = !interruptible && virtual && Thread.interrupted();
        try {
            while (true) { // in slices, to see an interrupt
                if (interruptible) checkNotInterrupted("the lock of");
                long left = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, deadline - System.nanoTime());
                rc = b.lock(address, virtual ? 0 : Math.min(left, WAIT_SLICE_NANOS));
                if (rc != -NativeErrors.ETIMEDOUT || left == 0) break;
                if (deadline != Long.MAX_VALUE && System.nanoTime() - deadline >= 0) break;
                if (virtual) {
                    java.util.concurrent.locks.LockSupport.parkNanos(Math.min(pause, left));
                    pause = Math.min(2 * pause, MAX_PARK_NANOS);
                }
            }
        } finally {
            if (setAside) Thread.currentThread().interrupt();
        }
        h.fence();
        if (rc == NativeErrors.LOCK_OWNER_DIED) { // this thread holds it; the data may be half-written
            h.setFlags(SegmentHeaderDescriptor.FLAG_POISONED);
            attachment.poisoned = true;
            b.lockConsistent(address);
            b.unlock(address);
            throw new LockOwnerDiedException("the previous holder of the lock of '" + name() + "' died holding it;"
                    + " the array is poisoned until recover() is called after checking or repairing its data",
                    0, name());
        }
        if (rc == -NativeErrors.ETIMEDOUT) {
            throw new LockTimeoutException("lock of '" + name() + "' not acquired within " + timeout,
                    NativeErrors.ETIMEDOUT, name());
        }
        if (rc == -NativeErrors.EDEADLK) {
            throw new IllegalStateException("this thread already holds the lock of " + this);
        }
        if (rc < 0) throw NativeErrors.toException(b, rc, "lock", name(), -1);
        if ((h.flags() & SegmentHeaderDescriptor.FLAG_POISONED) != 0) {
            attachment.poisoned = true;
            b.unlock(address);
            throw poisoned();
        }
        attachment.poisoned = false;
        return new ArrayLock(this, address, Thread.currentThread());
    }

    /**
     * {@link #lock(Duration)} for structures built so that a dead holder leaves nothing half-done
     * (their state is published by one final write under the lock): the owner-died report and the
     * poison it set are cleared, and the lock is taken again. Virtual threads may take it (those
     * critical sections never park). Not {@code interruptible} for the steps that must not fail
     * half-way (a release, a barrier's withdrawal).
     */
    final ArrayLock lockRecovering(Duration timeout, boolean interruptible) {
        while (true) {
            try {
                return lock(timeout, true, interruptible);
            } catch (LockOwnerDiedException | PoisonedArrayException e) {
                recover();
            }
        }
    }

    /** {@link #lockRecovering}(interruptible) until {@code deadline}, or null once it passed without the lock. */
    final ArrayLock lockUntil(long deadline) {
        Duration left = deadline == Long.MAX_VALUE ? null : Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
        try {
            return lockRecovering(left, true);
        } catch (LockTimeoutException e) {
            return null;
        }
    }

    /** A deadline in {@link System#nanoTime()} terms; {@code null} means none ({@code Long.MAX_VALUE}). */
    static long deadline(Duration timeout) {
        if (timeout == null) return Long.MAX_VALUE;
        long nanos;
        try {
            nanos = timeout.toNanos();
        } catch (ArithmeticException tooLong) { // beyond ~292 years: forever
            return Long.MAX_VALUE;
        }
        long now = System.nanoTime();
        long d = now + nanos;
        return nanos > 0 && d - now < 0 ? Long.MAX_VALUE : d; // saturate instead of wrapping
    }

    /**
     * Sleeps (futex) while the 32-bit word at data byte {@code offset} holds {@code seen}, until
     * woken or {@code deadline}; wake-ups may be spurious, so callers re-check. False once the
     * deadline has passed. The native wait lasts {@value #WAIT_SLICE_MILLIS} ms at most (the
     * caller re-checks and comes back), so an interrupt is seen: {@link WaitInterruptedException}.
     * A virtual thread polls the word and parks instead of pinning its carrier in a native wait.
     */
    final boolean awaitWord(long offset, int seen, long deadline) {
        checkNotInterrupted("a wait on");
        long left = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
        if (left <= 0) return false;
        Memory m = memory; // not memory(): a poisoned lock must not break waits on structures built to survive it
        if (m == null) throw closedException();
        if (onVirtualThread()) { // a native wait would pin the carrier: poll and park instead
            long pause = MIN_PARK_NANOS;
            while (m.getIntVolatile(offset >>> 2) == seen) {
                java.util.concurrent.locks.LockSupport.parkNanos(Math.min(pause, left));
                checkNotInterrupted("a wait on");
                if (deadline != Long.MAX_VALUE && (left = deadline - System.nanoTime()) <= 0) return false;
                pause = Math.min(2 * pause, MAX_PARK_NANOS);
            }
            return true;
        }
        Backends.get().futexWait(m.address(offset), seen, Math.min(left, WAIT_SLICE_NANOS)); // woken, moved or timed out
        java.lang.ref.Reference.reachabilityFence(m);
        return deadline == Long.MAX_VALUE || deadline - System.nanoTime() > 0;
    }

    /** Longest native wait between two looks at the interrupt flag. */
    static final long WAIT_SLICE_MILLIS = 50;
    private static final long WAIT_SLICE_NANOS = WAIT_SLICE_MILLIS * 1_000_000L;
    /** A virtual thread's polling pauses: from 1 µs, doubling, up to 1 ms. */
    private static final long MIN_PARK_NANOS = 1_000, MAX_PARK_NANOS = 1_000_000;

    /** Throws {@link WaitInterruptedException} when this thread is interrupted, leaving the flag set. */
    private void checkNotInterrupted(String what) {
        if (Thread.currentThread().isInterrupted()) {
            throw new WaitInterruptedException("interrupted while waiting for " + what + " '" + name()
                    + "': gave up without taking anything (the thread's interrupt status stays set)", name());
        }
    }

    /** Wakes every process waiting in {@link #awaitWord} on the word at data byte {@code offset}. */
    final void wakeWord(long offset) {
        Memory m = memory;
        if (m == null) throw closedException();
        Backends.get().futexWake(m.address(offset), Integer.MAX_VALUE);
        java.lang.ref.Reference.reachabilityFence(m);
    }

    /** Releases the lock taken by {@link #lock}; called by {@link ArrayLock#close()}. */
    final void unlock(long address) {
        int rc = Backends.get().unlock(address);
        java.lang.ref.Reference.reachabilityFence(attachment.headerPage());
        if (rc < 0) throw NativeErrors.toException(Backends.get(), rc, "unlock", name(), -1);
    }

    final PoisonedArrayException poisoned() {
        return new PoisonedArrayException("'" + name() + "' is poisoned: a lock holder died while holding its lock,"
                + " so its data may be half-written. Check or repair it, then call recover()", 0, name());
    }

    /** Turns the JVM's report of a fault inside a mapping (SIGBUS) into a typed exception. */
    final RuntimeException memoryFault(InternalError e) {
        Backend b = Backends.get();
        long size = b.size(attachment.fd());
        return new SegmentTruncatedException("access to '" + name() + "' faulted: the segment is " + size
                + " bytes now, shorter than this process mapped (another process truncated it); close this array", 0,
                name(), e);
    }

    // ---------------------------------------------------------------- views

    /**
     * A view with another shape over the same (contiguous) elements.
     *
     * @param newShape the new extents, row-major; their product must be {@link #length()}
     * @return a new view of the same memory; close it independently of this array
     * @throws IllegalArgumentException when the new shape holds another number of elements
     * @throws UnsupportedOperationException when this array is a strided view
     */
    public SharedArray reshape(long... newShape) {
        nonNull(newShape, "newShape");
        ensureOpen();
        if (!contiguous) throw new UnsupportedOperationException("reshape needs a contiguous array: " + this);
        Geometry g = geometry.reshape(newShape);
        return view(base, g.shape, g.strides);
    }

    /**
     * The view {@code [from, to)} along the first axis.
     *
     * @param from the first index kept, inclusive
     * @param to the end, exclusive
     * @return a new view of the same memory; close it independently of this array
     * @throws IndexOutOfBoundsException unless {@code 0 <= from <= to <= shape()[0]}
     * @throws IllegalArgumentException for a scalar (rank 0)
     */
    public SharedArray slice(long from, long to) {
        return slice(0, from, to);
    }

    /**
     * The view {@code [from, to)} along {@code axis}; other axes are kept whole. A slice along an
     * inner axis is strided (not {@linkplain #isContiguous() contiguous}).
     *
     * @param axis the dimension to slice, in {@code [0, rank())}
     * @param from the first index kept, inclusive
     * @param to the end, exclusive
     * @return a new view of the same memory; close it independently of this array
     * @throws IllegalArgumentException when {@code axis} is out of range
     * @throws IndexOutOfBoundsException unless {@code 0 <= from <= to <= shape()[axis]}
     */
    public SharedArray slice(int axis, long from, long to) {
        ensureOpen();
        Geometry g = geometry.slice(axis, from, to);
        return view(base + geometry.sliceOffset(axis, from, to), g.shape, g.strides);
    }

    private SharedArray view(long newBase, long[] newShape, long[] newStrides) {
        Attachments.retain(attachment);
        boolean success = false;
        try {
            SharedArray v = newArray(dtype, attachment, newBase, newShape, newStrides);
            if (received != null) v.releasedWhenUnreachable(); // a view of a received array is received too
            success = true;
            return v;
        } finally {
            if (!success) Attachments.release(attachment);
        }
    }

    // ---------------------------------------------------------------- zero-copy windows

    /**
     * A native-order buffer over this array's bytes (read-only unless the array is writable).
     * Needs a contiguous array of at most 2 GiB; see {@link #byteBuffers()} otherwise.
     *
     * <p><b>NOTE:</b> on both backends and every JDK the window keeps the mapping alive while it is
     * reachable and stays usable after the array is closed (as a file stays readable through an
     * open descriptor after it is unlinked); the closed array itself throws "Already closed".
     *
     * @return the buffer, positioned at 0 with the array's byte size as its limit
     * @throws UnsupportedOperationException when the array is a strided view or over 2 GiB
     */
    public final ByteBuffer asByteBuffer() {
        ensureContiguous("asByteBuffer");
        long bytes = byteSize();
        if (bytes > Integer.MAX_VALUE) {
            throw new UnsupportedOperationException(bytes + " bytes do not fit one ByteBuffer; use byteBuffers()");
        }
        checkShared();
        pin();
        return memory().buffer(0, (int) bytes);
    }

    /**
     * This contiguous array's bytes as consecutive buffers of at most 1 GiB each (native order, and
     * read-only unless the array is writable, as {@link #asByteBuffer()}).
     *
     * @return the buffers in order; empty for an array without elements
     * @throws UnsupportedOperationException when the array is a strided view
     */
    public final List<ByteBuffer> byteBuffers() {
        ensureContiguous("byteBuffers");
        checkShared();
        pin();
        Memory m = memory();
        List<ByteBuffer> out = new ArrayList<>();
        long end = byteSize();
        for (long off = 0; off < end; off += MAX_BUFFER) out.add(m.buffer(off, (int) Math.min(end - off, MAX_BUFFER)));
        return out;
    }

    // ---------------------------------------------------------------- lifetime

    /**
     * Releases this object's use of the mapping; idempotent. The mapping goes when the last
     * array or view over the segment in this process is closed. If this process <b>owns</b> the
     * segment (it created it owner-scoped, or {@linkplain #adopt() adopted} it), that last close
     * also removes the name from /dev/shm — even when another process damaged its header; a
     * persistent segment, or one this process only attached, keeps its name until
     * {@link #unlink()}.
     *
     * <p>An array this process <i>received</i> (deserialized from a task, a map's function, a
     * result or a queue item) need not be closed: it is released once unreachable (see
     * {@code io.shmarray.releaseReceived} in the README). Closing it earlier is fine.
     */
    @Override
    public final void close() {
        if (!closed.compareAndSet(false, true)) return;
        memory = null;
        java.lang.ref.Cleaner.Cleanable c = received;
        Attachments.release(attachment, c != null);
        if (c != null) c.clean(); // deregisters; its release is a no-op now
    }

    /** Registers this freshly received array with {@link ReceivedArrays}; returns it. */
    private SharedArray releasedWhenUnreachable() {
        received = ReceivedArrays.register(this, attachment, closed, pinned);
        return this;
    }

    /**
     * A received array whose memory escaped (a buffer window, which holds no reference to the
     * array) or that this process adopted is no longer released when unreachable: it stays until
     * closed, as any array this process attached itself.
     */
    final void pin() {
        if (received != null) pinned.set(true);
    }

    /**
     * Removes the segment's name from /dev/shm; every process already attached keeps its mapping.
     *
     * @throws SegmentNotFoundException when the name is already gone
     */
    public final void unlink() {
        Attachments.unlink(attachment.name());
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + name() + ", " + Arrays.toString(shape)
                + (contiguous ? "" : " strided") + ", " + mode() + (closed.get() ? ", closed" : "") + "]";
    }

    // ---------------------------------------------------------------- serialization

    /**
     * Serialization writes the handle only.
     *
     * @return the serialized form: this array's {@link ArrayHandle}, which attaches when read
     * @throws IllegalStateException when this array is closed
     */
    protected final Object writeReplace() {
        Object substitute = io.shmarray.internal.ArraySubstitution.substitute(this); // Codec.encodeReplacingArrays
        if (substitute != null) return substitute;
        return new SerializedArray(handle());
    }

    /** The serialized form of an array: its handle; reading it attaches. */
    static final class SerializedArray implements Serializable {
        private static final long serialVersionUID = 1L;
        private final ArrayHandle handle;

        SerializedArray(ArrayHandle handle) {
            this.handle = handle;
        }

        private Object readResolve() {
            return SharedArray.attach(handle).releasedWhenUnreachable();
        }

        ArrayHandle handle() {
            return handle;
        }
    }

    // ---------------------------------------------------------------- shared access helpers

    final void ensureOpen() {
        if (memory == null) throw closedException();
    }

    final IllegalStateException closedException() {
        return new IllegalStateException("Already closed: " + this);
    }

    private void ensureContiguous(String what) {
        if (!contiguous) throw new UnsupportedOperationException(what + " needs a contiguous array: " + this);
    }

    /**
     * This array's memory for one access: a cleared reference means closed, a poison this process
     * has seen refuses access. Both are plain loads the JIT hoists out of loops.
     */
    final Memory memory() {
        Memory m = memory;
        if (m == null) throw closedException();
        if (attachment.poisoned) throw poisoned();
        return m;
    }

    /** For bulk operations and windows: refreshes the poison state from the shared header. */
    final void checkShared() {
        if (isPoisoned()) throw poisoned(); // isPoisoned() checks open, and reads 0 flags for raw segments
    }

    final UnsupportedOperationException readOnlyError() {
        return new UnsupportedOperationException("read-only: " + this + " was attached READ_ONLY");
    }

    /** Atomics: refused on copy-on-write mappings, writes refused on read-only ones. Returns the element position. */
    final long atomicElement(long index, boolean write) {
        if (copyOnWrite) {
            throw new IllegalStateException("atomics are refused on a COPY_ON_WRITE array (they would only order this"
                    + " process's private copy): " + this);
        }
        if (write && readOnly) throw readOnlyError();
        return geometry.element(index);
    }

    /**
     * The memory for a bulk operation over {@code count} elements from flat index {@code first}:
     * range checked and the poison refreshed from the shared header.
     */
    final Memory bulk(long first, long count) {
        geometry.checkRange(first, count);
        checkShared();
        return memory();
    }

    final void checkWritable() {
        if (readOnly) throw readOnlyError();
    }
}
