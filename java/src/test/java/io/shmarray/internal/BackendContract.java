package io.shmarray.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shmarray.DType;
import io.shmarray.testing.NoLeaks;
import io.shmarray.testing.TestSupport;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The contract every {@link Backend} meets, run once per implementation ({@link JnaBackendTest},
 * {@link FfmBackendTest}) so both behave identically, call for call.
 */
@ExtendWith(NoLeaks.class)
abstract class BackendContract {

    static final int PROT_READ = 1;
    static final int RW = 3;
    static final int MAP_SHARED = 0;

    /** The implementation under test; may skip (with a printed reason) when it cannot run here. */
    abstract Backend backend() throws Exception;

    Backend b;

    @BeforeEach
    void setUp() throws Exception {
        b = backend();
    }

    @Test
    void handshakeAndBasics() {
        assertEquals(Backends.EXPECTED_ABI_VERSION, b.abiVersion());
        long page = b.pageSize();
        assertTrue(page >= 4096 && Long.bitCount(page) == 1, "page size " + page);
        assertTrue(b.strerror(NativeErrors.ENOSPC).toLowerCase().contains("space"), b.strerror(NativeErrors.ENOSPC));
        assertTrue(b.strerror(NativeErrors.E_BAD_MAGIC).contains("magic"));
        long pid = ProcessHandle.current().pid();
        assertTrue(b.processStartTime((int) pid) > 0);
        assertEquals(-NativeErrors.EINVAL, b.processStartTime(0));
    }

    @Test
    void createAttachWriteReadUnlink() {
        String name = TestSupport.testName();
        byte[] h = new byte[SegmentHeaderDescriptor.HEADER_SIZE];
        int fd = b.create(name, DType.LONG.code(), new long[] {4, 5}, 0, h);
        assertTrue(fd >= 0, () -> "create: " + fd);
        try {
            SegmentHeader header = SegmentHeaderDescriptor.read(h);
            assertEquals(DType.LONG, header.dtype());
            assertArrayEquals(new long[] {4, 5}, header.shape());
            assertEquals(160, header.dataLength());
            assertEquals(b.pageSize(), header.dataOffset());
            assertEquals(ProcessHandle.current().pid(), header.creatorPid());
            assertEquals(b.processStartTime((int) header.creatorPid()), header.creatorStartTime());
            assertEquals(0600, header.creationMode());
            assertEquals(header.dataOffset() + header.dataLength(), b.size(fd));
            assertEquals(0, b.validateHeader(h, h.length, b.size(fd)));

            long a = b.map(fd, header.dataOffset(), header.dataLength(), RW, MAP_SHARED);
            assertTrue(a > 0, () -> "map: " + a);
            ByteBuffer w = b.buffer(a, 160).order(ByteOrder.nativeOrder());
            for (int i = 0; i < 20; i++) w.putLong(i * 8, 1000L + i);

            byte[] h2 = new byte[SegmentHeaderDescriptor.HEADER_SIZE];
            int fd2 = b.attach("/" + name, false, h2);
            assertTrue(fd2 >= 0, () -> "attach: " + fd2);
            assertArrayEquals(h, h2);
            long r = b.map(fd2, header.dataOffset(), 160, PROT_READ, MAP_SHARED);
            assertTrue(r > 0 && r != a);
            ByteBuffer rb = b.buffer(r, 160).order(ByteOrder.nativeOrder());
            for (int i = 0; i < 20; i++) assertEquals(1000L + i, rb.getLong(i * 8));
            w.putLong(0, -1L);
            assertEquals(-1L, rb.getLong(0), "one physical page, two mappings");
            // a read-only descriptor cannot be mapped writable-shared
            assertEquals(-NativeErrors.EACCES, b.map(fd2, header.dataOffset(), 160, RW, MAP_SHARED));

            assertEquals(0, b.unmap(r, 160));
            assertEquals(0, b.unmap(a, 160));
            assertEquals(0, b.close(fd2));
        } finally {
            b.close(fd);
            assertEquals(0, b.unlink(name));
        }
        assertEquals(-NativeErrors.ENOENT, b.attach(name, false, new byte[512]));
        assertEquals(-NativeErrors.ENOENT, b.unlink(name));
    }

    @Test
    void collisionsAndMissingNames() {
        String name = TestSupport.testName();
        int fd = b.createRaw(name, 100);
        assertTrue(fd >= 0);
        try {
            assertEquals(-NativeErrors.EEXIST, b.createRaw(name, 100));
            assertEquals(-NativeErrors.EEXIST, b.create(name, DType.BYTE.code(), new long[] {1}, 0, new byte[512]));
            assertEquals(100, b.size(fd));
            assertEquals(-NativeErrors.E_TRUNCATED, b.attach(name, false, new byte[512]), "raw segment has no header");
            int raw = b.attachRaw(name, true);
            assertTrue(raw >= 0);
            b.close(raw);
        } finally {
            b.close(fd);
            b.unlink(name);
        }
        assertEquals(-NativeErrors.ENOENT, b.attachRaw(name, false));
    }

    @Test
    void badArgumentsAreErrorsNotCrashes() {
        for (String bad : new String[] {null, "", "/", "a/b", ".", ".."}) {
            assertEquals(-NativeErrors.EINVAL, b.createRaw(bad, 1), String.valueOf(bad));
            assertEquals(-NativeErrors.EINVAL, b.attach(bad, false, new byte[512]), String.valueOf(bad));
            assertEquals(-NativeErrors.EINVAL, b.unlink(bad), String.valueOf(bad));
        }
        assertEquals(-NativeErrors.ENAMETOOLONG, b.createRaw("x".repeat(256), 1));
        // an embedded NUL would silently shorten the name in C: refused instead
        String prefix = TestSupport.testName();
        assertEquals(-NativeErrors.EINVAL, b.createRaw(prefix + "\0tail", 1));
        assertTrue(!Files.exists(Path.of("/dev/shm", prefix)));

        String name = TestSupport.testName();
        assertEquals(-NativeErrors.E_BAD_DTYPE, b.create(name, 0, new long[] {1}, 0, new byte[512]));
        assertEquals(-NativeErrors.E_BAD_RANK, b.create(name, 1, new long[9], 0, new byte[512]));
        assertEquals(-NativeErrors.E_BAD_SHAPE, b.create(name, 1, new long[] {-1}, 0, new byte[512]));
        assertEquals(-NativeErrors.E_BAD_SHAPE, b.create(name, DType.LONG.code(), new long[] {Long.MAX_VALUE / 4}, 0, new byte[512]));
        assertEquals(-NativeErrors.E_BAD_FLAGS, b.create(name, 1, new long[] {1}, 0x40, new byte[512]));
        assertEquals(-NativeErrors.EBADF, b.size(-1));
        assertEquals(-NativeErrors.EBADF, b.close(-1));
        assertEquals(-NativeErrors.EINVAL, b.unmap(0, 4096));

        int fd = b.createRaw(name, 4096);
        assertTrue(fd >= 0);
        try {
            assertEquals(-NativeErrors.EINVAL, b.map(fd, 1, 8, PROT_READ, MAP_SHARED));
            assertEquals(-NativeErrors.EINVAL, b.map(fd, 0, 0, PROT_READ, MAP_SHARED));
            assertEquals(-NativeErrors.EINVAL, b.map(fd, 0, 4097, PROT_READ, MAP_SHARED));
            assertEquals(-NativeErrors.EINVAL, b.map(fd, 0, 8, 0, MAP_SHARED));
            assertEquals(-NativeErrors.EINVAL, b.map(fd, 0, 8, PROT_READ, 7));
        } finally {
            b.close(fd);
            b.unlink(name);
        }
    }

    @Test
    void validatorNamesTheBadField() {
        String name = TestSupport.testName();
        byte[] h = new byte[512];
        int fd = b.create(name, DType.FLOAT.code(), new long[] {3}, 0, h);
        assertTrue(fd >= 0);
        b.close(fd);
        b.unlink(name);
        long size = 4096 + 12;
        assertEquals(0, b.validateHeader(h, 512, size));
        assertEquals(-NativeErrors.E_TRUNCATED, b.validateHeader(h, 100, -1));
        assertEquals(-NativeErrors.E_TRUNCATED, b.validateHeader(h, 0, -1));
        assertEquals(-NativeErrors.E_BAD_DATA_LENGTH, b.validateHeader(h, 512, size - 1));
        int[][] cases = {
            {SegmentHeaderDescriptor.MAGIC_OFFSET, NativeErrors.E_BAD_MAGIC},
            {SegmentHeaderDescriptor.FORMAT_VERSION_OFFSET, NativeErrors.E_BAD_VERSION},
            {SegmentHeaderDescriptor.HEADER_SIZE_OFFSET, NativeErrors.E_BAD_HEADER_SIZE},
            {SegmentHeaderDescriptor.DTYPE_OFFSET, NativeErrors.E_BAD_DTYPE},
            {SegmentHeaderDescriptor.RANK_OFFSET, NativeErrors.E_BAD_RANK},
            {SegmentHeaderDescriptor.BYTE_ORDER_OFFSET, NativeErrors.E_BAD_BYTE_ORDER},
            {SegmentHeaderDescriptor.FLAGS_OFFSET, NativeErrors.E_BAD_FLAGS},
            {SegmentHeaderDescriptor.DATA_OFFSET_OFFSET, NativeErrors.E_BAD_DATA_OFFSET},
            {SegmentHeaderDescriptor.DATA_LENGTH_OFFSET, NativeErrors.E_BAD_DATA_LENGTH},
            {SegmentHeaderDescriptor.CREATOR_PID_OFFSET + 7, NativeErrors.E_BAD_CREATOR},
            {SegmentHeaderDescriptor.SHAPE_OFFSET + 8, NativeErrors.E_BAD_SHAPE},
            {SegmentHeaderDescriptor.RESERVED1_OFFSET, NativeErrors.E_BAD_RESERVED},
            {SegmentHeaderDescriptor.RESERVED2_OFFSET + 5, NativeErrors.E_BAD_RESERVED},
        };
        for (int[] c : cases) {
            byte[] bad = h.clone();
            bad[c[0]] ^= (byte) 0x40;
            assertEquals(-c[1], b.validateHeader(bad, 512, size), "corrupt byte " + c[0]);
            assertNotEquals(null, SegmentHeaderDescriptor.fieldOf(c[1]));
        }
        byte[] notReady = h.clone();
        notReady[SegmentHeaderDescriptor.STATE_OFFSET] = 0;
        assertEquals(-NativeErrors.E_NOT_READY, b.validateHeader(notReady, 512, size));
        // the lock area is live state, not validated
        byte[] locked = h.clone();
        locked[SegmentHeaderDescriptor.LOCK_OFFSET + 3] = 9;
        assertEquals(0, b.validateHeader(locked, 512, size));
    }

    @Test
    void robustLockAndFutexThroughTheBackend() throws Exception {
        String name = TestSupport.testName();
        byte[] h = new byte[512];
        int fd = b.create(name, DType.INT.code(), new long[] {16}, 0, h);
        assertTrue(fd >= 0);
        MappedRegion header = MappedRegion.map(b, fd, 0, b.pageSize(), true, false, name);
        try {
            long lock = header.address(SegmentHeaderDescriptor.LOCK_OFFSET);
            assertEquals(0, b.lock(lock, 1_000_000_000L));
            assertEquals(-NativeErrors.EDEADLK, b.lock(lock, 0));
            Thread other = new Thread(() -> assertEquals(-NativeErrors.EPERM, b.unlock(lock)));
            other.start();
            other.join();
            assertEquals(0, b.unlock(lock));
            assertEquals(-NativeErrors.EINVAL, b.lock(lock + 1, 0));

            long word = header.address(SegmentHeaderDescriptor.RESERVED2_OFFSET);
            long t0 = System.nanoTime();
            assertEquals(-NativeErrors.ETIMEDOUT, b.futexWait(word, 0, 20_000_000L));
            assertTrue(System.nanoTime() - t0 >= 20_000_000L);
            assertEquals(-NativeErrors.EAGAIN, b.futexWait(word, 5, 1_000_000_000L));
            assertEquals(0, b.futexWake(word, 1));
        } finally {
            header.release();
            b.close(fd);
            b.unlink(name);
        }
    }

    @Test
    void livenessAndSweepThroughTheBackend() throws Exception {
        ProcessHandle me = ProcessHandle.current();
        long start = b.processStartTime((int) me.pid());
        assertEquals(1, b.processAlive((int) me.pid(), start));
        assertEquals(0, b.processAlive((int) me.pid(), start + 1), "another start time is another process");
        Process p = new ProcessBuilder("sleep", "0.2").start();
        long pStart = b.processStartTime((int) p.pid());
        p.waitFor();
        assertEquals(0, b.processAlive((int) p.pid(), pStart));

        Path dir = Files.createTempDirectory("shmarray-sweep");
        try {
            String name = TestSupport.testName();
            byte[] h = new byte[512];
            int fd = b.create(name, DType.BYTE.code(), new long[] {8}, 0, h);
            b.close(fd);
            b.unlink(name);
            ByteBuffer bb = ByteBuffer.wrap(h).order(ByteOrder.nativeOrder());
            bb.putLong(SegmentHeaderDescriptor.CREATOR_PID_OFFSET, p.pid());
            bb.putLong(SegmentHeaderDescriptor.CREATOR_START_TIME_OFFSET, pStart);
            byte[] file = new byte[4096 + 8];
            System.arraycopy(h, 0, file, 0, 512);
            Files.write(dir.resolve("orphan"), file);
            byte[] report = new byte[1024];
            assertEquals(1, b.sweep(dir.toString(), false, report));
            String text = new String(report, java.nio.charset.StandardCharsets.UTF_8).trim();
            assertTrue(text.startsWith("reclaimed orphan owner=" + p.pid()), text);
            assertTrue(!Files.exists(dir.resolve("orphan")));
            assertEquals(-NativeErrors.ENOENT, b.sweep(dir.resolve("missing").toString(), true, null));
        } finally {
            Files.deleteIfExists(dir.resolve("orphan"));
            Files.delete(dir);
        }
    }
}
