package io.shmarray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shmarray.internal.NativeErrors;
import io.shmarray.testing.NoLeaks;
import io.shmarray.testing.TestSupport;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaks.class)
class SharedDoubleArrayTest {

    @Test
    void twoMappingsShareTheData() {
        try (SharedDoubleArray a = SharedDoubleArray.create(1000)) {
            try {
                assertTrue(a.name().startsWith("shmarray-") && a.name().length() <= 31, a.name());
                assertEquals(1000, a.length());
                assertEquals(0.0, a.get(999));
                try (SharedDoubleArray b = SharedDoubleArray.attach(a.name())) {
                    a.set(7, 2.5);
                    assertEquals(2.5, b.get(7));
                    b.set(999, -1.25);
                    assertEquals(-1.25, a.get(999));
                }
                assertEquals(-1.25, a.get(999), "closing one mapping leaves the other");
            } finally {
                a.unlink();
            }
        }
    }

    @Test
    void closeIsIdempotentAndUseAfterCloseIsTyped() {
        SharedDoubleArray a = SharedDoubleArray.create(10);
        a.unlink(); // the mapping stays valid without the name
        a.set(1, 4.0);
        assertEquals(4.0, a.get(1));
        a.close();
        a.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.get(1));
        assertTrue(e.getMessage().startsWith("Already closed: "), e.getMessage());
        assertThrows(IllegalStateException.class, () -> a.set(1, 0));
        assertTrue(a.toString().contains("closed"));
    }

    @Test
    void indexAndLengthChecks() {
        assertThrows(IllegalArgumentException.class, () -> SharedDoubleArray.create(-3));
        try (SharedDoubleArray a = SharedDoubleArray.create(3)) {
            try {
                assertThrows(IndexOutOfBoundsException.class, () -> a.get(3));
                assertThrows(IndexOutOfBoundsException.class, () -> a.get(-1));
                assertThrows(IndexOutOfBoundsException.class, () -> a.set(Long.MAX_VALUE, 1));
            } finally {
                a.unlink();
            }
        }
        try (SharedDoubleArray empty = SharedDoubleArray.create(0)) {
            assertEquals(0, empty.length());
            assertThrows(IndexOutOfBoundsException.class, () -> empty.get(0));
            empty.unlink();
        }
    }

    @Test
    void existingAndMissingNames() {
        String name = TestSupport.testName();
        try (SharedDoubleArray a = SharedDoubleArray.createNamed(name, 4)) {
            a.set(0, 9.0);
            SegmentExistsException e = assertThrows(SegmentExistsException.class,
                    () -> SharedDoubleArray.createNamed(name, 4));
            assertEquals(NativeErrors.EEXIST, e.errno());
            assertEquals(name, e.segmentName());
            assertEquals(9.0, a.get(0), "the failed create touched nothing");
            a.unlink();
            SegmentNotFoundException gone = assertThrows(SegmentNotFoundException.class, a::unlink);
            assertEquals(NativeErrors.ENOENT, gone.errno());
        }
        SegmentNotFoundException missing = assertThrows(SegmentNotFoundException.class,
                () -> SharedDoubleArray.attach(name));
        assertTrue(missing.getMessage().contains(name), missing.getMessage());
    }

    @Test
    void fuzzedNamesAreIllegalArguments() {
        String[] bad = {"", "/", "a/b", "//x", ".", "..", "x\0y", "x".repeat(256), "é".repeat(128)};
        for (String n : bad) {
            assertThrows(IllegalArgumentException.class, () -> SharedDoubleArray.createNamed(n, 1), n);
            assertThrows(IllegalArgumentException.class, () -> SharedDoubleArray.attach(n), n);
        }
        assertThrows(IllegalArgumentException.class, () -> SharedDoubleArray.attach((String) null));
    }

    @Test
    void attachingAnotherDtypeIsRefused() {
        String name = TestSupport.testName();
        try (SharedIntArray s = SharedIntArray.createNamed(name, 4)) {
            try {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> SharedDoubleArray.attach(name));
                assertTrue(e.getMessage().contains("INT"), e.getMessage());
            } finally {
                s.unlink();
            }
        }
    }

    @Test
    void tooLargeForDevShmFailsAtCreateWithTheNumbers() throws Exception {
        // Larger than the whole tmpfs, so the kernel refuses at once without filling memory first.
        long total = Files.getFileStore(Path.of("/dev/shm")).getTotalSpace();
        long length = total / 8 * 2;
        String name = TestSupport.testName();
        InsufficientSharedMemoryException e = assertThrows(InsufficientSharedMemoryException.class,
                () -> SharedDoubleArray.createNamed(name, length));
        assertEquals(NativeErrors.ENOSPC, e.errno(), e.getMessage());
        assertTrue(e.requestedBytes() >= length * 8);
        assertTrue(e.freeBytes() > 0 && e.freeBytes() <= total);
        assertTrue(e.getMessage().contains("ENOSPC") && e.getMessage().contains("--shm-size"), e.getMessage());
        assertFalse(Files.exists(Path.of("/dev/shm", name)), "nothing left behind");
        assertThrows(IllegalArgumentException.class, () -> SharedDoubleArray.create(Long.MAX_VALUE / 4));
    }

    @Test
    void corruptHeadersAreRefusedNamingTheField() throws Exception {
        int[][] cases = { // offset, value
            {0, 0x41}, {8, 9}, {20, 77}, {24, 12}, {56, 1}, {200, 1}, {71, 0x80}, // the last: owner pid < 0
        };
        String[] fields = {"magic", "format_version", "dtype", "rank", "data_length", "reserved", "creator_pid"};
        for (int i = 0; i < cases.length; i++) {
            String name = TestSupport.testName();
            try (SharedDoubleArray a = SharedDoubleArray.createNamed(name, 16)) {
                try (FileChannel ch = FileChannel.open(Path.of("/dev/shm", name), StandardOpenOption.WRITE)) {
                    ch.write(ByteBuffer.wrap(new byte[] {(byte) cases[i][1]}), cases[i][0]);
                }
                int live = io.shmarray.internal.Attachments.liveCount();
                long fds = segmentFds(name);
                CorruptSegmentException e = assertThrows(CorruptSegmentException.class,
                        () -> SharedDoubleArray.attach(name));
                assertEquals(fields[i], e.field(), e.getMessage());
                assertTrue(e.getMessage().contains(name), e.getMessage());
                // R14: a refused attach keeps nothing: no mapping, no descriptor
                assertEquals(live, io.shmarray.internal.Attachments.liveCount(), "no attachment kept");
                assertEquals(fds, segmentFds(name), "no descriptor of the segment kept");
            } finally {
                Files.deleteIfExists(Path.of("/dev/shm", name));
            }
        }
    }

    /** Descriptors of this process open on /dev/shm/NAME (other threads' descriptors may come and go). */
    static long segmentFds(String name) throws java.io.IOException {
        try (java.util.stream.Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.filter(p -> {
                try {
                    return Files.readSymbolicLink(p).toString().startsWith("/dev/shm/" + name);
                } catch (java.io.IOException | RuntimeException gone) {
                    return false;
                }
            }).count();
        }
    }

    @Test
    void notReadyAndTruncatedSegments() throws Exception {
        String name = TestSupport.testName();
        Path p = Path.of("/dev/shm", name);
        try (SharedDoubleArray a = SharedDoubleArray.createNamed(name, 16)) {
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(new byte[4]), 12); // state back to INITIALISING
            }
            assertThrows(SegmentNotReadyException.class, () -> SharedDoubleArray.attach(name));
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                ch.truncate(100);
            }
            CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> SharedDoubleArray.attach(name));
            assertTrue(e.field().startsWith("header_size"), e.field());
        } finally {
            Files.deleteIfExists(p);
        }
    }

    @Test
    void squattedNamesAreNeverAdopted() throws Exception {
        String name = TestSupport.testName();
        Path p = Path.of("/dev/shm", name);
        // a symlink planted where a segment is expected
        Path target = Files.createTempFile("shmarray-target", ".bin");
        try {
            Files.createSymbolicLink(p, target);
            SegmentAccessException e = assertThrows(SegmentAccessException.class, () -> SharedDoubleArray.attach(name));
            assertEquals(NativeErrors.ELOOP, e.errno());
        } finally {
            Files.deleteIfExists(p);
            Files.deleteIfExists(target);
        }
        // a segment others may write
        try (SharedDoubleArray a = SharedDoubleArray.createNamed(name, 4)) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-rw-rw-"));
            SegmentAccessException e = assertThrows(SegmentAccessException.class, () -> SharedDoubleArray.attach(name));
            assertEquals(NativeErrors.E_BAD_MODE, e.errno());
            a.unlink();
        }
        // created under a permissive umask or not: always exactly 0600
        try (SharedDoubleArray a = SharedDoubleArray.createNamed(name, 4)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
            a.unlink();
        }
    }
}
