package io.shmarray;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shmarray.internal.Attachments;
import io.shmarray.testing.NoLeaks;
import io.shmarray.testing.TestSupport;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The shared-array conformance suite. One subclass per backend ({@link JnaSharedArrayTest},
 * {@link FfmSharedArrayTest}); each runs in the Maven lanes where its backend is the active one
 * and skips, saying so, elsewhere.
 */
@ExtendWith(NoLeaks.class)
abstract class SharedArrayContract {

    /** The backend this subclass covers. */
    abstract String backend();

    private final List<SharedArray> toClean = new ArrayList<>();

    @BeforeEach
    void onlyOnItsBackend() {
        if (!Shmarray.backendName().equals(backend())) {
            TestSupport.skip(getClass().getSimpleName() + " covers the " + backend() + " backend; this JVM runs "
                    + Shmarray.backendName() + " (another lane covers it)");
        }
    }

    @AfterEach
    void cleanUp() {
        for (SharedArray a : toClean) {
            try {
                a.unlink();
            } catch (SegmentNotFoundException alreadyGone) {
                // unlinked by the test itself
            }
            a.close();
        }
    }

    /** Registers an array whose name the test should remove at the end. */
    <T extends SharedArray> T owned(T a) {
        toClean.add(a);
        return a;
    }

    @Test
    void everyTypeRoundTripsThroughItsSegment() {
        for (DType t : DType.values()) {
            SharedArray a = owned(SharedArray.create(t, 3, 4));
            assertEquals(t, a.dtype());
            assertEquals(12, a.length());
            assertEquals(12L * t.byteSize(), a.byteSize());
            assertArrayEquals(new long[] {3, 4}, a.shape());
            assertArrayEquals(new long[] {4, 1}, a.strides());
            assertTrue(a.name().startsWith("shmarray-") && a.name().length() <= 31, a.name());
            for (long i = 0; i < 12; i++) put(a, i, i * 3 - 5);
            try (SharedArray b = SharedArray.attach(a.name())) {
                assertEquals(a.getClass(), b.getClass());
                for (long i = 0; i < 12; i++) assertEquals(i * 3 - 5, read(b, i), t + "[" + i + "]");
            }
        }
    }

    /** Writes v (small integer) through the typed API. */
    static void put(SharedArray a, long i, long v) {
        if (a instanceof SharedByteArray) ((SharedByteArray) a).set(i, (byte) v);
        else if (a instanceof SharedShortArray) ((SharedShortArray) a).set(i, (short) v);
        else if (a instanceof SharedIntArray) ((SharedIntArray) a).set(i, (int) v);
        else if (a instanceof SharedLongArray) ((SharedLongArray) a).set(i, v);
        else if (a instanceof SharedFloatArray) ((SharedFloatArray) a).set(i, v);
        else ((SharedDoubleArray) a).set(i, v);
    }

    static long read(SharedArray a, long i) {
        if (a instanceof SharedByteArray) return ((SharedByteArray) a).get(i);
        if (a instanceof SharedShortArray) return ((SharedShortArray) a).get(i);
        if (a instanceof SharedIntArray) return ((SharedIntArray) a).get(i);
        if (a instanceof SharedLongArray) return ((SharedLongArray) a).get(i);
        if (a instanceof SharedFloatArray) return (long) ((SharedFloatArray) a).get(i);
        return (long) ((SharedDoubleArray) a).get(i);
    }

    @Test
    void multiIndexViewsAndSlicesShareMemory() {
        SharedDoubleArray m = owned(SharedDoubleArray.create(4, 5));
        for (long i = 0; i < 4; i++) {
            for (long j = 0; j < 5; j++) m.setAt(i * 10 + j, i, j);
        }
        assertEquals(23.0, m.getAt(2, 3));
        assertEquals(23.0, m.get(2 * 5 + 3));
        assertThrows(IndexOutOfBoundsException.class, () -> m.getAt(4, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> m.getAt(0, 5));
        assertThrows(IllegalArgumentException.class, () -> m.getAt(1));

        try (SharedDoubleArray rows = m.slice(1, 3)) {
            assertArrayEquals(new long[] {2, 5}, rows.shape());
            assertTrue(rows.isContiguous());
            assertEquals(10.0, rows.get(0));
            rows.set(0, -1);
            assertEquals(-1.0, m.getAt(1, 0), "a view writes the parent's memory");
            assertEquals(rows.name(), m.name());
        }
        try (SharedDoubleArray cols = m.slice(1, 1, 4)) { // m[:, 1:4]
            assertArrayEquals(new long[] {4, 3}, cols.shape());
            assertFalse(cols.isContiguous());
            assertEquals(21.0, cols.getAt(2, 0));
            assertEquals(33.0, cols.get(3 * 3 + 2), "flat index walks the view row-major");
            assertArrayEquals(new double[] {1, 2, 3, 11, 12, 13, 21, 22, 23, 31, 32, 33}, cols.toArray());
            cols.copyFrom(new double[] {100, 101}, 0, 4, 2); // (1,1) and (1,2) of the view
            assertEquals(101.0, m.getAt(1, 3));
            cols.fill(7);
            assertEquals(7.0, m.getAt(3, 3));
            assertEquals(30.0, m.getAt(3, 0), "outside the view untouched");
            assertThrows(UnsupportedOperationException.class, () -> cols.reshape(12));
            assertThrows(UnsupportedOperationException.class, cols::asByteBuffer);
        }
        try (SharedDoubleArray flat = m.reshape(20); SharedDoubleArray t = m.reshape(5, 2, 2)) {
            assertEquals(m.get(7), flat.get(7));
            assertEquals(m.get(19), t.getAt(4, 1, 1));
        }
        assertThrows(IllegalArgumentException.class, () -> m.reshape(3, 7));
        assertThrows(IndexOutOfBoundsException.class, () -> m.slice(3, 5));
        assertThrows(IllegalArgumentException.class, () -> m.slice(2, 0, 1));
        try (SharedDoubleArray empty = m.slice(2, 2)) {
            assertEquals(0, empty.length());
        }
    }

    @Test
    void viewsOutliveTheirParentObject() {
        SharedIntArray a = owned(SharedIntArray.create(10));
        SharedIntArray v = a.slice(5, 10);
        int live = Attachments.liveCount();
        a.close();
        v.set(0, 9); // the view holds its own reference on the mapping
        assertEquals(live, Attachments.liveCount());
        v.close();
        assertEquals(live - 1, Attachments.liveCount(), "the last close unmapped");
    }

    @Test
    void bulkCopiesFillAndRanges() {
        SharedLongArray a = owned(SharedLongArray.create(1000));
        long[] src = new long[1000];
        for (int i = 0; i < src.length; i++) src[i] = i * i;
        a.copyFrom(src);
        assertArrayEquals(src, a.toArray());
        long[] part = new long[10];
        a.copyTo(990, part, 0, 10);
        assertEquals(999L * 999, part[9]);
        a.copyFrom(new long[] {-1, -2}, 0, 998, 2);
        assertEquals(-2, a.get(999));
        assertThrows(IndexOutOfBoundsException.class, () -> a.copyTo(995, part, 0, 10));
        assertThrows(IndexOutOfBoundsException.class, () -> a.copyFrom(src, 0, 1, 1000));
        assertThrows(IndexOutOfBoundsException.class, () -> a.copyTo(0, part, 5, 6));
        a.fill(42);
        for (long i = 0; i < 1000; i++) assertEquals(42, a.get(i));
        assertThrows(IndexOutOfBoundsException.class, () -> a.get(1000));
        assertThrows(IndexOutOfBoundsException.class, () -> a.set(-1, 0));
        // indices whose byte offset would overflow and wrap into the mapping
        for (long huge : new long[] {1L << 61, (1L << 62) + 3, Long.MAX_VALUE, Long.MIN_VALUE}) {
            assertThrows(IndexOutOfBoundsException.class, () -> a.get(huge), "get(" + huge + ")");
            assertThrows(IndexOutOfBoundsException.class, () -> a.set(huge, 1), "set(" + huge + ")");
        }
    }

    @Test
    void zeroCopyWindows() {
        SharedIntArray a = owned(SharedIntArray.create(256));
        IntBuffer ib = a.asIntBuffer();
        assertEquals(256, ib.capacity());
        ib.put(17, 1234);
        assertEquals(1234, a.get(17), "a window is the same memory");
        a.set(3, 77);
        assertEquals(77, ib.get(3));
        ByteBuffer bb = a.asByteBuffer();
        assertEquals(1024, bb.capacity());
        assertTrue(bb.isDirect());
        List<ByteBuffer> parts = a.byteBuffers();
        assertEquals(1, parts.size());
        try (SharedIntArray ro = SharedIntArray.attach(a.name(), AccessMode.READ_ONLY)) {
            IntBuffer r = ro.asIntBuffer();
            assertTrue(r.isReadOnly());
            assertEquals(1234, r.get(17));
            assertThrows(ReadOnlyBufferException.class, () -> r.put(0, 1));
        }
    }

    /** The same on both backends: a window keeps the mapping alive and stays usable after close. */
    @Test
    void aWindowTakenBeforeCloseStaysUsable() {
        SharedDoubleArray a = SharedDoubleArray.create(64);
        java.nio.DoubleBuffer w = a.asDoubleBuffer();
        a.set(5, 2.5);
        a.close();
        assertThrows(IllegalStateException.class, () -> a.get(5), "the array is closed");
        assertEquals(2.5, w.get(5), "the window still reads the memory");
        w.put(6, 1.0); // and writes it, never a crash
        assertEquals(1.0, w.get(6));
    }

    /** Views with a zero extent touch no memory, wherever their first element would be. */
    @Test
    void emptyViewsOfEmptyArrays() {
        SharedIntArray rows = owned(SharedIntArray.create(5, 0));
        try (SharedIntArray v = rows.slice(2, 4)) {
            assertEquals(0, v.length());
            assertEquals(0, v.toArray().length);
        }
        SharedIntArray cols = owned(SharedIntArray.create(0, 3));
        try (SharedIntArray v = cols.slice(1, 1, 2)) {
            assertEquals(0, v.length());
            assertThrows(IndexOutOfBoundsException.class, () -> v.get(0));
        }
        SharedIntArray some = owned(SharedIntArray.create(4, 4));
        try (SharedIntArray v = some.slice(4, 4)) {
            assertEquals(0, v.length());
        }
    }

    @Test
    void byteStridesAreNumpyStrides() {
        SharedIntArray m = owned(SharedIntArray.create(3, 4));
        assertArrayEquals(new long[] {16, 4}, m.byteStrides());
        try (SharedIntArray cols = m.slice(1, 1, 3)) {
            assertArrayEquals(new long[] {16, 4}, cols.byteStrides());
        }
    }

    /** JDK 22+: MemorySegments.of is the same memory, read-only for a read-only array. */
    @Test
    void aMemorySegmentViewOnJdk22() throws Exception {
        if (Runtime.version().feature() < 22) {
            TestSupport.skip("MemorySegments exists on JDK 22+ only; this JVM is " + Runtime.version());
            return;
        }
        Class<?> views = Class.forName("io.shmarray.MemorySegments");
        java.lang.reflect.Method of = views.getMethod("of", SharedArray.class);
        SharedDoubleArray a = owned(SharedDoubleArray.create(10, 10));
        a.setAt(4.5, 3, 7);
        Object seg = of.invoke(null, a);
        Class<?> msClass = Class.forName("java.lang.foreign.MemorySegment");
        assertEquals(800L, msClass.getMethod("byteSize").invoke(seg));
        try (SharedDoubleArray column = a.slice(1, 7, 8)) { // column 7: strided
            Object cols = of.invoke(null, column);
            assertEquals((9 * 10 + 1) * 8L, msClass.getMethod("byteSize").invoke(cols), "first to end of last element");
        }
        try (SharedDoubleArray ro = SharedDoubleArray.attach(a.name(), AccessMode.READ_ONLY)) {
            assertEquals(true, msClass.getMethod("isReadOnly").invoke(of.invoke(null, ro)));
        }
        assertEquals(false, msClass.getMethod("isReadOnly").invoke(seg));
        java.nio.ByteBuffer bb = (java.nio.ByteBuffer) msClass.getMethod("asByteBuffer").invoke(seg);
        assertEquals(4.5, bb.order(java.nio.ByteOrder.nativeOrder()).getDouble((3 * 10 + 7) * 8), "the same memory");
        SharedDoubleArray closed = SharedDoubleArray.attach(a.name());
        closed.close();
        java.lang.reflect.InvocationTargetException e = assertThrows(java.lang.reflect.InvocationTargetException.class,
                () -> of.invoke(null, closed));
        assertTrue(e.getCause() instanceof IllegalStateException, String.valueOf(e.getCause()));
    }

    @Test
    void atomicsInOneProcess() {
        SharedLongArray l = owned(SharedLongArray.create(4));
        assertEquals(0, l.getAndAdd(1, 5));
        assertEquals(5, l.getAndAdd(1, -2));
        assertTrue(l.compareAndSet(1, 3, 10));
        assertFalse(l.compareAndSet(1, 3, 11));
        l.setRelease(2, 99);
        assertEquals(99, l.getAcquire(2));
        l.setVolatile(3, -7);
        assertEquals(-7, l.getVolatile(3));

        SharedIntArray i = owned(SharedIntArray.create(2));
        assertEquals(0, i.getAndAdd(1, Integer.MAX_VALUE));
        assertEquals(Integer.MAX_VALUE, i.getAndAdd(1, 1));
        assertEquals(Integer.MIN_VALUE, i.getVolatile(1), "wraps like Java ints");

        SharedDoubleArray d = owned(SharedDoubleArray.create(2));
        assertEquals(0.0, d.getAndAdd(0, 1.5));
        assertEquals(1.5, d.getAndAdd(0, 1.5));
        assertEquals(3.0, d.getVolatile(0));
        d.set(1, -0.0);
        assertFalse(d.compareAndSet(1, 0.0, 1.0), "bitwise: -0.0 is not 0.0");
        assertTrue(d.compareAndSet(1, -0.0, 1.0));

        SharedFloatArray f = owned(SharedFloatArray.create(1));
        f.setVolatile(0, 2.5f);
        assertTrue(f.compareAndSet(0, 2.5f, 3.5f));
        assertEquals(3.5f, f.getAndAdd(0, 1f));
        assertEquals(4.5f, f.getAcquire(0));
    }

    @Test
    void readOnlyMappingsRefuseWritesWithoutCrashing() {
        SharedDoubleArray a = owned(SharedDoubleArray.create(16));
        a.set(0, 5);
        try (SharedDoubleArray ro = SharedDoubleArray.attach(a.name(), AccessMode.READ_ONLY)) {
            assertEquals(AccessMode.READ_ONLY, ro.mode());
            assertEquals(5.0, ro.get(0));
            a.set(1, 6);
            assertEquals(6.0, ro.get(1), "shared: sees the writer");
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> ro.set(0, 1));
            assertTrue(e.getMessage().contains("READ_ONLY"), e.getMessage());
            assertThrows(UnsupportedOperationException.class, () -> ro.fill(1));
            assertThrows(UnsupportedOperationException.class, () -> ro.copyFrom(new double[] {1}));
            assertThrows(UnsupportedOperationException.class, () -> ro.setVolatile(0, 1));
            assertThrows(UnsupportedOperationException.class, () -> ro.getAndAdd(0, 1));
            assertEquals(5.0, ro.getVolatile(0));
            assertThrows(ReadOnlyBufferException.class, () -> ro.asByteBuffer().putDouble(0, 1));
            assertEquals(5.0, a.get(0));
        }
    }

    @Test
    void copyOnWriteStaysPrivateAndFollowsUntouchedPages() {
        // 2048 doubles = 4 pages of 4 KiB
        SharedDoubleArray a = owned(SharedDoubleArray.create(2048));
        try (SharedDoubleArray cow = SharedDoubleArray.attach(a.name(), AccessMode.COPY_ON_WRITE)) {
            cow.set(0, 42); // page 0 becomes private here
            assertEquals(42.0, cow.get(0));
            assertEquals(0.0, a.get(0), "the private write is invisible to the shared mapping");
            a.set(1, 7); // page 0: private in cow now, so cow keeps its copy
            assertEquals(0.0, cow.get(1));
            a.set(1500, 9); // page 2: never written through cow, so it still shows shared writes
            assertEquals(9.0, cow.get(1500));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> cow.getAndAdd(0, 1));
            assertTrue(e.getMessage().contains("COPY_ON_WRITE"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> cow.getVolatile(0));
        }
    }

    @Test
    void useAfterCloseIsAlreadyClosed() {
        SharedDoubleArray a = owned(SharedDoubleArray.create(8));
        SharedDoubleArray b = SharedDoubleArray.attach(a.name());
        b.close();
        b.close();
        assertTrue(b.isClosed());
        for (Runnable r : List.<Runnable>of(() -> b.get(0), () -> b.set(0, 1), () -> b.getVolatile(0),
                () -> b.fill(1), b::toArray, b::asByteBuffer, b::handle, () -> b.slice(0, 1))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, r::run);
            assertTrue(e.getMessage().startsWith("Already closed"), e.getMessage());
        }
        a.set(0, 1); // the other object is unaffected
    }

    @Test
    void attachingTheSameSegmentAgainReusesTheMapping() {
        SharedFloatArray a = owned(SharedFloatArray.create(100));
        int live = Attachments.liveCount();
        try (SharedFloatArray b = SharedFloatArray.attach(a.name()); SharedArray c = SharedArray.attach(a.handle())) {
            assertEquals(live, Attachments.liveCount(), "one mapping per segment and mode");
            assertNotSame(a, b);
            b.set(3, 1.5f);
            assertEquals(1.5f, ((SharedFloatArray) c).get(3));
            try (SharedFloatArray ro = SharedFloatArray.attach(a.name(), AccessMode.READ_ONLY)) {
                assertEquals(live + 1, Attachments.liveCount(), "another mode is another mapping");
            }
        }
        assertEquals(live, Attachments.liveCount());
    }

    @Test
    void wrongTypesAndMissingNames() {
        SharedIntArray a = owned(SharedIntArray.create(4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SharedDoubleArray.attach(a.name()));
        assertTrue(e.getMessage().contains("INT"), e.getMessage());
        assertThrows(SegmentNotFoundException.class, () -> SharedArray.attach(TestSupport.testName()));
        assertThrows(IllegalArgumentException.class, () -> SharedArray.create(DType.INT, -1));
        assertThrows(IllegalArgumentException.class, () -> SharedArray.create(DType.INT, 1, 1, 1, 1, 1, 1, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> SharedArray.create(DType.LONG, Long.MAX_VALUE / 2, 4));
        try (SharedByteArray scalar = SharedByteArray.create()) {
            assertEquals(0, scalar.rank());
            assertEquals(1, scalar.length());
            scalar.set(0, (byte) 3);
            assertEquals(3, scalar.getAt());
            scalar.unlink();
        }
    }

    // ------------------------------------------------------------------ handles and serialization

    static byte[] serialize(Object o) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.toByteArray();
    }

    static Object deserialize(byte[] b) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(b))) {
            return in.readObject();
        }
    }

    /** A user's object graph holding shared arrays and ordinary data. */
    static final class Job implements Serializable {
        private static final long serialVersionUID = 1L;
        final String label;
        final SharedDoubleArray data;
        final List<SharedArray> more;

        Job(String label, SharedDoubleArray data, List<SharedArray> more) {
            this.label = label;
            this.data = data;
            this.more = more;
        }
    }

    @Test
    void arraysTravelAsHandlesThroughAnyObjectStream() throws Exception {
        SharedDoubleArray big = owned(SharedDoubleArray.create(1_000_000));
        SharedIntArray small = owned(SharedIntArray.create(3, 3));
        big.set(999_999, 3.25);
        byte[] bytes;
        try (SharedIntArray cols = small.slice(1, 1, 3)) {
            bytes = serialize(new Job("job-1", big, List.of(cols)));
        }
        assertTrue(bytes.length < 2000, "8 MB of doubles travel as a handle: " + bytes.length + " bytes");
        Job back = (Job) deserialize(bytes);
        try (SharedDoubleArray d = back.data; SharedArray v = back.more.get(0)) {
            assertEquals("job-1", back.label);
            assertEquals(3.25, d.get(999_999));
            d.set(0, 1.0);
            assertEquals(1.0, big.get(0), "the same memory, not a copy");
            assertInstanceOf(SharedIntArray.class, v);
            assertArrayEquals(new long[] {3, 2}, v.shape());
            ((SharedIntArray) v).setAt(5, 2, 1);
            assertEquals(5, small.getAt(2, 2));
        }
        back.more.forEach(SharedArray::close);
    }

    @Test
    void handlesRoundTripAndCarryTheMode() throws Exception {
        SharedShortArray a = owned(SharedShortArray.create(2, 3));
        ArrayHandle h = a.handle();
        assertEquals(h, deserialize(serialize(h)));
        assertEquals(6, h.length());
        assertTrue(h.segmentId() != 0);
        try (SharedShortArray ro = (SharedShortArray) h.withMode(AccessMode.READ_ONLY).attach()) {
            assertEquals(AccessMode.READ_ONLY, ro.mode());
            assertThrows(UnsupportedOperationException.class, () -> ro.set(0, (short) 1));
        }
    }

    @Test
    void aReusedNameIsAStaleHandle() {
        String name = TestSupport.testName();
        ArrayHandle h;
        try (SharedLongArray first = SharedLongArray.createNamed(name, 4)) {
            h = first.handle();
            first.unlink();
        }
        try (SharedLongArray second = SharedLongArray.createNamed(name, 4)) {
            try {
                StaleHandleException e = assertThrows(StaleHandleException.class, h::attach);
                assertTrue(e.getMessage().contains("reused"), e.getMessage());
            } finally {
                second.unlink();
            }
        }
    }

    @Test
    void fuzzedHandlesAreIllegalArguments() {
        SharedIntArray a = owned(SharedIntArray.create(10));
        String n = a.name();
        List<Runnable> bad = List.of(
                () -> ArrayHandle.ofRaw("", DType.INT, 0, AccessMode.READ_WRITE, 1),
                () -> ArrayHandle.ofRaw("/", DType.INT, 0, AccessMode.READ_WRITE, 1),
                () -> ArrayHandle.ofRaw("..", DType.INT, 0, AccessMode.READ_WRITE, 1),
                () -> ArrayHandle.ofRaw("a\0b", DType.INT, 0, AccessMode.READ_WRITE, 1),
                () -> ArrayHandle.ofRaw("x".repeat(300), DType.INT, 0, AccessMode.READ_WRITE, 1),
                () -> ArrayHandle.ofRaw(n, DType.INT, -4, AccessMode.READ_WRITE, 1),
                () -> ArrayHandle.ofRaw(n, DType.INT, 2, AccessMode.READ_WRITE, 1),
                () -> ArrayHandle.ofRaw(n, DType.INT, 0, AccessMode.READ_WRITE, -1),
                () -> ArrayHandle.ofRaw(n, DType.LONG, 0, AccessMode.READ_WRITE, Long.MAX_VALUE, 2),
                () -> ArrayHandle.ofRaw(n, DType.INT, 0, AccessMode.READ_WRITE, 1, 1, 1, 1, 1, 1, 1, 1, 1),
                // well-formed, but past the end of the segment's data
                () -> ArrayHandle.ofRaw(n, DType.INT, 0, AccessMode.READ_WRITE, 1L << 40).attach(),
                () -> SharedArray.attachRaw(n, DType.BYTE, Long.MAX_VALUE - 7, AccessMode.READ_ONLY, 1));
        for (Runnable r : bad) assertThrows(IllegalArgumentException.class, r::run);
        assertThrows(IllegalArgumentException.class, () -> ArrayHandle.ofRaw(n, null, 0, AccessMode.READ_WRITE, 1));
        assertThrows(IllegalArgumentException.class, () -> ArrayHandle.ofRaw(n, DType.INT, 0, null, 1));
        assertThrows(IllegalArgumentException.class, () -> ArrayHandle.ofRaw(n, DType.INT, 0, AccessMode.READ_WRITE,
                (long[]) null));
        assertThrows(IllegalArgumentException.class, () -> SharedArray.create(null, 4));
        assertThrows(IllegalArgumentException.class, () -> SharedArray.create(DType.INT, (long[]) null));
        assertThrows(IllegalArgumentException.class, () -> SharedArray.attach((ArrayHandle) null));
    }

    /** Same fields as ArrayHandle, so a stream of it can pose as one (a forged handle). */
    static final class ForgedArrayHandle implements Serializable {
        private static final long serialVersionUID = 1L;
        String name;
        DType dtype;
        long[] shape;
        long[] strides;
        long byteOffset;
        AccessMode mode;
        boolean raw;
        long generation;
        long creatorPid;
        long creatorStartTime;
        long segmentId;
    }

    static Object readForged(Consumer<ForgedArrayHandle> forge) throws Exception {
        ForgedArrayHandle f = new ForgedArrayHandle();
        f.name = "shmarray-forged";
        f.dtype = DType.INT;
        f.shape = new long[] {4};
        f.strides = new long[] {1};
        f.mode = AccessMode.READ_WRITE;
        forge.accept(f);
        byte[] bytes = serialize(f);
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes)) {
            @Override
            protected ObjectStreamClass readClassDescriptor() throws IOException, ClassNotFoundException {
                ObjectStreamClass d = super.readClassDescriptor();
                return d.getName().equals(ForgedArrayHandle.class.getName()) ? ObjectStreamClass.lookup(ArrayHandle.class) : d;
            }
        }) {
            return in.readObject();
        }
    }

    @Test
    void forgedSerializedHandlesAreRejectedBeforeUse() throws Exception {
        assertInstanceOf(ArrayHandle.class, readForged(f -> { }), "the forging works for a valid handle");
        List<Consumer<ForgedArrayHandle>> forgeries = List.of(
                f -> f.name = "../../etc/passwd",
                f -> f.name = null,
                f -> f.dtype = null,
                f -> f.shape = new long[] {-5},
                f -> f.strides = new long[] {-1},
                f -> f.strides = new long[0],
                f -> f.shape = null,
                f -> f.byteOffset = -8,
                f -> f.shape = new long[] {Long.MAX_VALUE / 2},
                f -> f.mode = null);
        for (Consumer<ForgedArrayHandle> forge : forgeries) {
            assertThrows(InvalidObjectException.class, () -> readForged(forge));
        }
    }

    // ------------------------------------------------------------------ large arrays

    @Test
    void arraysOverTwoGigabytes() {
        long n = (5L << 30) / 2; // 2.5 GiB of bytes: three 1 GiB chunks
        SharedByteArray a;
        try {
            a = owned(SharedByteArray.create(n));
        } catch (InsufficientSharedMemoryException e) {
            TestSupport.skip("/dev/shm cannot hold 2.5 GiB here: " + e.getMessage());
            return;
        }
        long boundary = 1L << 31;
        a.set(boundary - 1, (byte) 1);
        a.set(boundary, (byte) 2);
        a.set(n - 1, (byte) 3);
        assertEquals(3, a.get(n - 1));
        byte[] across = new byte[4];
        a.copyTo(boundary - 2, across, 0, 4); // a copy crossing a chunk boundary
        assertArrayEquals(new byte[] {0, 1, 2, 0}, across);
        a.copyFrom(new byte[] {9, 9, 9}, 0, (1L << 30) - 1, 3);
        assertEquals(9, a.get(1L << 30));
        List<ByteBuffer> parts = a.byteBuffers();
        assertEquals(3, parts.size());
        assertEquals(n, parts.stream().mapToLong(ByteBuffer::capacity).sum());
        assertThrows(UnsupportedOperationException.class, a::asByteBuffer);
        assertThrows(UnsupportedOperationException.class, a::toArray);
        try (SharedByteArray tail = a.slice(boundary - 8, boundary + 8)) {
            ByteBuffer w = tail.asByteBuffer(); // a window across a chunk boundary
            assertEquals(1, w.get(7));
            assertEquals(2, w.get(8));
        }
    }
}
