package io.shmarray;

import io.shmarray.internal.Names;
import io.shmarray.internal.SegmentHeaderDescriptor;
import java.io.InvalidObjectException;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * A small, immutable, serializable description of a shared array — everything another process
 * needs to attach to the same memory: segment name, element type, shape and strides, byte offset,
 * access mode, and the creator's identity (pid, start time, generation) that detects a name reused
 * by another segment.
 *
 * <pre>{@code
 * ArrayHandle h = array.handle();          // send it anywhere: a few hundred bytes
 * try (SharedArray same = h.attach()) {    // in another process: the same memory, no copy
 *     ...
 * }
 * }</pre>
 *
 * <p>Serializing a {@link SharedArray} itself writes exactly such a handle and re-attaches on
 * reading, so arrays may travel inside any object graph through any {@code ObjectOutputStream}.
 * A handle read from a stream is validated like one built in code: a forged one yields
 * {@link InvalidObjectException}, never a mapping outside the segment.
 */
public final class ArrayHandle implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The segment name, without a leading '/'. */
    private final String name;
    /** The element type. */
    private final DType dtype;
    /** The extents, row-major. */
    private final long[] shape;
    /** The strides, in elements, per dimension. */
    private final long[] strides;
    /** The byte offset of element 0 from the start of the data (of the segment, when raw). */
    private final long byteOffset;
    /** The access mode a receiver attaches in. */
    private final AccessMode mode;
    /** Whether the segment has no shmarray header. */
    private final boolean raw;
    /** The header's generation when the handle was made (0 when raw). */
    private final long generation;
    /** The pid of the segment's creator (0 when raw). */
    private final long creatorPid;
    /** The creator's process start time, as the header records it (0 when raw). */
    private final long creatorStartTime;
    /** The segment's random identity (0 when raw). */
    private final long segmentId;

    ArrayHandle(String name, DType dtype, long[] shape, long[] strides, long byteOffset, AccessMode mode, boolean raw,
            long generation, long creatorPid, long creatorStartTime, long segmentId) {
        this.name = Names.check(name);
        this.dtype = SharedArray.nonNull(dtype, "dtype");
        this.mode = SharedArray.nonNull(mode, "mode");
        this.shape = SharedArray.nonNull(shape, "shape").clone();
        this.strides = SharedArray.nonNull(strides, "strides").clone();
        this.byteOffset = byteOffset;
        this.raw = raw;
        this.generation = generation;
        this.creatorPid = creatorPid;
        this.creatorStartTime = creatorStartTime;
        this.segmentId = segmentId;
        extentBytes(); // validates geometry
    }

    /**
     * A handle for data in a segment without a shmarray header (e.g. Python's
     * {@code multiprocessing.shared_memory}): {@code byteOffset} counts from the segment's start
     * and must be a multiple of the element size; the layout is row-major.
     *
     * @param name the segment name (a leading '/' is dropped)
     * @param dtype the element type
     * @param byteOffset where element 0 starts, in bytes from the segment's start
     * @param mode the access mode to attach in
     * @param shape the extents, row-major
     * @return the handle; nothing is checked against the segment until it is attached
     * @throws IllegalArgumentException for a null or invalid argument: a bad name, a negative or
     *     misaligned offset, a rank over 8, negative extents, or a size over 2^63 bytes
     */
    public static ArrayHandle ofRaw(String name, DType dtype, long byteOffset, AccessMode mode, long... shape) {
        return new ArrayHandle(name, dtype, shape, SharedArray.rowMajorStrides(SharedArray.nonNull(shape, "shape")),
                byteOffset, mode, true, 0, 0, 0, 0);
    }

    /**
     * Bytes from {@code byteOffset} to the end of the last element (0 for an empty array).
     *
     * @throws IllegalArgumentException for a negative or misaligned offset, a bad rank, negative
     *     extents or strides, or a geometry that overflows
     */
    long extentBytes() {
        if (shape.length > SegmentHeaderDescriptor.MAX_RANK) {
            throw new IllegalArgumentException("rank=" + shape.length + ", must be <= " + SegmentHeaderDescriptor.MAX_RANK);
        }
        if (strides.length != shape.length) {
            throw new IllegalArgumentException("strides.length=" + strides.length + " != rank " + shape.length);
        }
        if (byteOffset < 0 || byteOffset % dtype.byteSize() != 0) {
            throw new IllegalArgumentException("byteOffset=" + byteOffset + ", must be >= 0 and a multiple of "
                    + dtype.byteSize());
        }
        try {
            long last = 0; // element index of the last element, in strides
            for (int i = 0; i < shape.length; i++) {
                if (shape[i] < 0) throw new IllegalArgumentException("shape[" + i + "]=" + shape[i] + ", must be >= 0");
                if (strides[i] < 0) throw new IllegalArgumentException("strides[" + i + "]=" + strides[i] + ", must be >= 0");
                if (shape[i] == 0) return 0;
                last = Math.addExact(last, Math.multiplyExact(shape[i] - 1, strides[i]));
            }
            return Math.multiplyExact(Math.addExact(last, 1), dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " with strides "
                    + Arrays.toString(strides) + " overflows 2^63 bytes");
        }
    }

    /** {@return the segment name, without a leading '/'} */
    public String name() {
        return name;
    }

    /** {@return the element type} */
    public DType dtype() {
        return dtype;
    }

    /** {@return the extents, row-major (a copy); empty for a scalar} */
    public long[] shape() {
        return shape.clone();
    }

    /** {@return the strides in elements, per dimension (a copy)} */
    public long[] strides() {
        return strides.clone();
    }

    /** {@return the byte offset of element 0 from the start of the data (of the segment, for raw handles)} */
    public long byteOffset() {
        return byteOffset;
    }

    /** {@return the access mode {@link #attach()} maps the data in} */
    public AccessMode mode() {
        return mode;
    }

    /** {@return whether the segment carries no shmarray header} */
    public boolean raw() {
        return raw;
    }

    /**
     * {@return the segment header's generation when this handle was made (0 for raw handles)}
     * Attaching fails with {@link StaleHandleException} when the segment's generation differs.
     */
    public long generation() {
        return generation;
    }

    /** {@return the process id of the segment's creator (0 for raw handles)} */
    public long creatorPid() {
        return creatorPid;
    }

    /**
     * {@return the start time of the segment's creator process, as the segment header records it (0 for raw
     * handles)} With {@link #creatorPid()} it identifies the creator even after its pid is reused.
     */
    public long creatorStartTime() {
        return creatorStartTime;
    }

    /** {@return the random identity of the segment this handle was made for (0 for raw handles)} */
    public long segmentId() {
        return segmentId;
    }

    /** {@return the number of elements (1 for a scalar)} */
    public long length() {
        long n = 1;
        for (long e : shape) n *= e;
        return n;
    }

    /**
     * The same handle with another access mode.
     *
     * @param newMode the mode for the new handle
     * @return a new handle; this one is unchanged
     * @throws IllegalArgumentException when {@code newMode} is null
     */
    public ArrayHandle withMode(AccessMode newMode) {
        return new ArrayHandle(name, dtype, shape, strides, byteOffset, newMode, raw, generation, creatorPid,
                creatorStartTime, segmentId);
    }

    /**
     * Attaches to the array this handle describes (see {@link SharedArray#attach(ArrayHandle)}).
     *
     * @return a new array of the handle's element type; close it when done
     * @throws SegmentNotFoundException when the segment no longer exists
     * @throws StaleHandleException when the name now belongs to another segment
     */
    public SharedArray attach() {
        return SharedArray.attach(this);
    }

    long[] shapeRef() {
        return shape;
    }

    long[] stridesRef() {
        return strides;
    }

    /**
     * Deserialization re-validates through the constructor: a forged handle never gets out.
     *
     * @return the validated handle
     * @throws ObjectStreamException ({@link InvalidObjectException}) when the fields describe no valid handle
     */
    private Object readResolve() throws ObjectStreamException {
        try {
            return new ArrayHandle(name, dtype, shape, strides, byteOffset, mode, raw, generation, creatorPid,
                    creatorStartTime, segmentId);
        } catch (RuntimeException e) {
            InvalidObjectException ex = new InvalidObjectException("invalid ArrayHandle: " + e.getMessage());
            ex.initCause(e);
            throw ex;
        }
    }

    /**
     * Handles are equal when every field is: the same elements of the same segment (same name,
     * generation, creator and identity), in the same access mode.
     *
     * @param o the object to compare with
     * @return whether {@code o} is an equal handle
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof ArrayHandle && equalsHandle((ArrayHandle) o);
    }

    private boolean equalsHandle(ArrayHandle h) {
        return name.equals(h.name) && dtype == h.dtype && Arrays.equals(shape, h.shape) && Arrays.equals(strides, h.strides)
                && byteOffset == h.byteOffset && mode == h.mode && raw == h.raw && generation == h.generation
                && creatorPid == h.creatorPid && creatorStartTime == h.creatorStartTime && segmentId == h.segmentId;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), byteOffset, mode);
    }

    @Override
    public String toString() {
        return "ArrayHandle[" + name + ", " + dtype + Arrays.toString(shape) + ", strides=" + Arrays.toString(strides)
                + ", byteOffset=" + byteOffset + ", " + mode + (raw ? ", raw" : ", generation=" + generation
                + ", creator=" + creatorPid + "@" + creatorStartTime + ", id=" + Long.toHexString(segmentId)) + "]";
    }
}
