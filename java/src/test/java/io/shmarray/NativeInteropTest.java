package io.shmarray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shmarray.testing.NoLeakedSegments;
import io.shmarray.testing.TestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Java and C share segments both ways (the C consumer is built against the installed CMake
 * package by ctest), and the fault-injection build of the library drives Java's error paths.
 */
@ExtendWith(NoLeakedSegments.class)
class NativeInteropTest {

    @Test
    @Timeout(60)
    void javaAttachesToASegmentACProgramCreated() throws Exception {
        Path consumer = TestSupport.nativeBuildFile("consumer-test/build/consumer");
        String name = TestSupport.testName();
        TestSupport.Run r = TestSupport.run(List.of(consumer.toString(), "create", name), Map.of(), 30);
        assertEquals(0, r.exitCode, r.toString());
        try (SharedIntArray a = SharedIntArray.attach(name)) {
            try {
                assertEquals(16, a.length());
                for (int i = 0; i < 16; i++) assertEquals(i * 3, a.get(i));
            } finally {
                a.unlink();
            }
        }
    }

    @Test
    @Timeout(60)
    void aCProgramAttachesToAnArrayJavaCreated() throws Exception {
        Path consumer = TestSupport.nativeBuildFile("consumer-test/build/consumer");
        try (SharedIntArray a = SharedIntArray.create(16)) {
            try {
                for (int i = 0; i < 16; i++) a.set(i, i * 7);
                TestSupport.Run r = TestSupport.run(List.of(consumer.toString(), "check", a.name()), Map.of(), 30);
                assertEquals(0, r.exitCode, r.toString());
                assertEquals(4242, a.get(0), "the C program wrote into Java's array");
            } finally {
                a.unlink();
            }
        }
    }

    /** Child JVMs on the fault-injection library: ENOSPC and EMFILE become typed exceptions, nothing leaks. */
    @Test
    @Timeout(120)
    void injectedFaultsBecomeTypedExceptions() throws Exception {
        Path fi = TestSupport.nativeBuildFile("libshmarray-fi.so");
        List<String> opts = List.of("-Dio.shmarray.library.path=" + fi);
        TestSupport.Run nospace = TestSupport.runChild(opts, Map.of("SHMARRAY_FAULTS", "fallocate:ENOSPC"),
                FaultProbe.class.getName(), List.of("create"), 90);
        assertEquals(0, nospace.exitCode, nospace.toString());
        assertTrue(nospace.output.contains("InsufficientSharedMemoryException errno=28"), nospace.toString());
        assertTrue(nospace.output.contains("LEFT none"), nospace.toString());
        TestSupport.Run nofds = TestSupport.runChild(opts, Map.of("SHMARRAY_FAULTS", "shm_open:EMFILE"),
                FaultProbe.class.getName(), List.of("create"), 90);
        assertEquals(0, nofds.exitCode, nofds.toString());
        assertTrue(nofds.output.contains("ShmException errno=24"), nofds.toString());
        TestSupport.Run nomem = TestSupport.runChild(opts, Map.of("SHMARRAY_FAULTS", "mmap:ENOMEM"),
                FaultProbe.class.getName(), List.of("create"), 90);
        assertEquals(0, nomem.exitCode, nomem.toString());
        assertTrue(nomem.output.contains("ShmException errno=12"), nomem.toString());
        assertTrue(nomem.output.contains("LEFT none"), "a failed mapping removes the new name: " + nomem);
    }

    @Test
    void theFaultLibraryIsNotShipped() throws Exception {
        Path jar = Path.of(SharedArray.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (!Files.isRegularFile(jar)) TestSupport.skip("classes do not come from a jar: " + jar);
        try (java.util.jar.JarFile j = new java.util.jar.JarFile(jar.toFile())) {
            assertFalse(j.stream().anyMatch(e -> e.getName().contains("shmarray-fi")), "test-only library in the jar");
            assertTrue(j.getEntry("io/shmarray/native/linux-x86-64/shmarray-reaper") != null, "the reaper ships");
        }
    }
}
