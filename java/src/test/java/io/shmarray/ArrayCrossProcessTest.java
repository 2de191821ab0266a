package io.shmarray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shmarray.testing.NoLeaks;
import io.shmarray.testing.TestSupport;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.ObjectOutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Arrays shared with other processes: child JVMs, and Python with numpy. */
@ExtendWith(NoLeaks.class)
class ArrayCrossProcessTest {

    static final String PROBE = ArrayProbe.class.getName();

    @TempDir
    Path tmp;

    Path write(String file, Object o) throws Exception {
        Path p = tmp.resolve(file);
        try (ObjectOutputStream out = new ObjectOutputStream(Files.newOutputStream(p))) {
            out.writeObject(o);
        }
        return p;
    }

    @Test
    @Timeout(120)
    void aSerializedArrayIsMutatedInPlaceByAChild() throws Exception {
        try (SharedDoubleArray a = SharedDoubleArray.create(100_000)) {
            try {
                for (long i = 0; i < a.length(); i++) a.set(i, i);
                Path f = write("array.ser", a);
                assertTrue(Files.size(f) < 2000, "only the handle travels: " + Files.size(f) + " bytes");
                TestSupport.Run r = TestSupport.runChild(List.of(), PROBE, List.of("add-one", f.toString()), 90);
                assertEquals(0, r.exitCode, r.toString());
                assertTrue(r.output.contains("ADDED 100000"), r.toString());
                for (long i = 0; i < a.length(); i++) assertEquals(i + 1.0, a.get(i));
            } finally {
                a.unlink();
            }
        }
    }

    @Test
    @Timeout(180)
    void twoChildrenGetAndAddTheSameCountersExactly() throws Exception {
        int n = 1_000_000;
        try (SharedLongArray longs = SharedLongArray.create(4);
             SharedIntArray ints = SharedIntArray.create(1);
             SharedDoubleArray doubles = SharedDoubleArray.create(1)) {
            try {
                Path f = write("counters.ser", new Object[] {longs, ints, doubles});
                List<CompletableFuture<TestSupport.Run>> children = Stream.of(1, 2)
                        .map(i -> CompletableFuture.supplyAsync(() -> {
                            try {
                                return TestSupport.runChild(List.of(), PROBE, List.of("atomic-add", f.toString(), "" + n), 150);
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        }))
                        .toList();
                for (CompletableFuture<TestSupport.Run> c : children) {
                    TestSupport.Run r = c.get(160, TimeUnit.SECONDS);
                    assertEquals(0, r.exitCode, r.toString());
                }
                for (int i = 0; i < 4; i++) assertEquals(2L * n / 4, longs.getVolatile(i), "counter " + i);
                assertEquals(2 * n, ints.getVolatile(0));
                assertEquals(2.0 * n / 16, doubles.getVolatile(0), "CAS-loop adds on doubles are exact too");
            } finally {
                longs.unlink();
                ints.unlink();
                doubles.unlink();
            }
        }
    }

    @Test
    @Timeout(120)
    void readOnlyAndCopyOnWriteAcrossProcesses() throws Exception {
        try (SharedDoubleArray a = SharedDoubleArray.create(16)) {
            try {
                a.set(0, 3);
                TestSupport.Run ro = TestSupport.runChild(List.of(), PROBE, List.of("readonly", a.name()), 90);
                assertEquals(0, ro.exitCode, ro.toString());
                assertTrue(ro.output.contains("REFUSED set,buffer read=3.0"), ro.toString());
                TestSupport.Run cow = TestSupport.runChild(List.of(), PROBE, List.of("cow", a.name()), 90);
                assertEquals(0, cow.exitCode, cow.toString());
                assertTrue(cow.output.contains("COW 42.0"), cow.toString());
                assertEquals(3.0, a.get(0), "the child's copy-on-write change stayed in the child");
            } finally {
                a.unlink();
            }
        }
    }

    @Test
    @Timeout(300)
    void closeRacingReadersNeverCrashes() throws Exception {
        TestSupport.Run r = TestSupport.runChild(List.of("-XX:ErrorFile=" + tmp.resolve("hs_err_%p.log")), PROBE,
                List.of("close-race", "200"), 280);
        try (Stream<Path> s = Files.list(tmp)) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().startsWith("hs_err")), "the child JVM crashed: " + r);
        }
        assertEquals(0, r.exitCode, r.toString());
        assertTrue(r.output.contains("RACE-OK 200 " + Shmarray.backendName()), r.toString());
    }

    static boolean pythonWithNumpy() throws Exception {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import numpy, multiprocessing.shared_memory")
                    .redirectErrorStream(true).start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** Python's SharedMemory creates the segment; Java attaches raw, reads numpy's data and writes back. */
    @Test
    @Timeout(120)
    void rawAttachToPythonSharedMemory() throws Exception {
        if (!pythonWithNumpy()) {
            TestSupport.skip("python3 with numpy is not installed here");
        }
        String script = String.join("\n",
                "import sys, numpy as np",
                "from multiprocessing import shared_memory",
                "shm = shared_memory.SharedMemory(create=True, size=8 * 2 * 3 + 16)",
                "a = np.ndarray((2, 3), dtype=np.float64, buffer=shm.buf, offset=16)",
                "a[:] = [[1.5, 2.5, 3.5], [4.5, 5.5, 6.5]]",
                "print(shm.name, flush=True)",
                "sys.stdin.readline()",
                "print('SUM', float(a.sum()), flush=True)",
                "del a",
                "shm.close(); shm.unlink()");
        Process py = new ProcessBuilder("python3", "-c", script).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(py.getInputStream(), StandardCharsets.UTF_8));
             Writer in = new OutputStreamWriter(py.getOutputStream(), StandardCharsets.UTF_8)) {
            String name = out.readLine();
            assertTrue(name != null && !name.isBlank(), "python printed no segment name");
            String bare = name.startsWith("/") ? name.substring(1) : name;
            try (SharedDoubleArray a = SharedDoubleArray.attachRaw(bare, 16, AccessMode.READ_WRITE, 2, 3)) {
                assertTrue(a.handle().raw());
                assertEquals(5.5, a.getAt(1, 1));
                assertEquals(1.5, a.get(0));
                a.setAt(100.0, 0, 0); // 1.5 -> 100: python's sum grows by 98.5
            }
            in.write("go\n");
            in.flush();
            String sum = out.readLine();
            assertEquals("SUM 122.5", sum);
            assertTrue(py.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, py.exitValue());
        } finally {
            py.destroyForcibly();
        }
    }
}
