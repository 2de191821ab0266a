package io.shmarray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shmarray.testing.NoLeaks;
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
@ExtendWith(NoLeaks.class)
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
        // another library than the parent's: the child must not be held to the parent's hash
        List<String> opts = List.of("-Dio.shmarray.library.path=" + fi, "-Dio.shmarray.library.sha256=");
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

    static boolean root() throws Exception {
        return "0".equals(String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid")));
    }

    /** ENOSPC from a real, small /dev/shm: a 1 MiB tmpfs in a private mount namespace (root only). */
    @Test
    @Timeout(120)
    void aFullDevShmIsATypedErrorWithTheNumbers() throws Exception {
        if (!root()) TestSupport.skip("needs root to mount a small tmpfs (the fault-injection test covers ENOSPC)");
        if (!Files.isExecutable(Path.of("/usr/bin/unshare"))) TestSupport.skip("unshare is not installed");
        TestSupport.Run probe = TestSupport.run(List.of("/usr/bin/unshare", "-m", "true"), Map.of(), 30);
        if (probe.exitCode != 0) {
            TestSupport.skip("root, but unshare -m is refused here (no CAP_SYS_ADMIN?): " + probe.output.strip());
        }
        List<String> cmd = new java.util.ArrayList<>(List.of("/usr/bin/unshare", "-m", "sh", "-c",
                "mount --make-rprivate / && mount -t tmpfs -o size=1m,mode=1777 tmpfs /dev/shm && exec \"$@\"", "sh"));
        cmd.addAll(io.shmarray.internal.ChildJvm.command(FaultProbe.class.getName(), List.of("create", "1000000")));
        TestSupport.Run r = TestSupport.run(cmd, Map.of(), 90);
        assertEquals(0, r.exitCode, r.toString());
        assertTrue(r.output.contains("InsufficientSharedMemoryException errno=28"), r.toString());
        assertTrue(r.output.contains("1.0 MiB free") && r.output.contains("7.6 MiB requested")
                && r.output.contains("--shm-size"), r.toString());
        assertTrue(r.output.contains("LEFT none"), r.toString());
    }

    @Test
    void aSegmentOfAnotherUserIsNeverAdopted() throws Exception {
        if (!root()) TestSupport.skip("needs root to give a segment to another uid");
        String name = TestSupport.testName();
        try (SharedDoubleArray a = SharedDoubleArray.createNamed(name, Lifetime.PERSISTENT, 4)) {
            Files.setAttribute(Path.of("/dev/shm", name), "unix:uid", 65534);
            SegmentAccessException e = assertThrows(SegmentAccessException.class,
                    () -> SharedDoubleArray.attach(name, AccessMode.READ_ONLY));
            assertEquals(io.shmarray.internal.NativeErrors.E_WRONG_OWNER, e.errno());
            assertTrue(e.getMessage().contains("another user"), e.getMessage());
        } finally {
            Files.deleteIfExists(Path.of("/dev/shm", name));
        }
    }
}
