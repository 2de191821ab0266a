package io.shmarray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shmarray.testing.NoLeaks;
import io.shmarray.testing.TestSupport;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Child JVMs attach by name and write in place; the parent sees every value. */
@ExtendWith(NoLeaks.class)
class CrossProcessTest {

    static final String MAIN = "io.shmarray.cli.Main";

    private static void assertPattern(SharedDoubleArray a) {
        for (long i = 0; i < a.length(); i++) {
            assertEquals(i * 0.5 + 1, a.get(i), "element " + i);
        }
    }

    @Test
    @Timeout(120)
    void childJvmWritesInPlace() throws Exception {
        try (SharedDoubleArray a = SharedDoubleArray.create(100_000)) {
            try {
                TestSupport.Run r = TestSupport.runChild(List.of(), MAIN, List.of("child-write", a.name()), 90);
                assertEquals(0, r.exitCode, r.toString());
                assertTrue(r.output.contains("backend " + Shmarray.backendName()), r.toString());
                assertPattern(a);
            } finally {
                a.unlink();
            }
        }
    }

    @Test
    @Timeout(120)
    void aChildOnTheOtherBackendSharesTheSameMemory() throws Exception {
        if (Runtime.version().feature() < 22) {
            TestSupport.skip("the FFM backend needs JDK 22+; this lane runs JDK " + Runtime.version().feature());
        }
        String other = Shmarray.backendName().equals("ffm") ? "jna" : "ffm";
        try (SharedDoubleArray a = SharedDoubleArray.create(10_000)) {
            try {
                TestSupport.Run r = TestSupport.runChild(List.of("-Dio.shmarray.backend=" + other), MAIN,
                        List.of("child-write", a.name()), 90);
                assertEquals(0, r.exitCode, r.toString());
                assertTrue(r.output.contains("backend " + other), r.toString());
                assertPattern(a);
            } finally {
                a.unlink();
            }
        }
    }

    @Test
    @Timeout(120)
    void infoAndUsage() throws Exception {
        TestSupport.Run info = TestSupport.runChild(List.of(), MAIN, List.of("info"), 90);
        assertEquals(0, info.exitCode, info.toString());
        assertTrue(info.output.contains("sha256 " + Shmarray.nativeLibrarySha256() + ")"),
                "the child loaded the very library the parent verified: " + info);
        TestSupport.Run bad = TestSupport.runChild(List.of(), MAIN, List.of("frobnicate"), 90);
        assertEquals(2, bad.exitCode, bad.toString());
        assertTrue(bad.output.contains("usage:"), bad.toString());
    }

    /** RELIABILITY.md R31: a typo is a usage error (exit 2) that changes nothing. */
    @Test
    @Timeout(180)
    void aTypoOnTheCommandLineChangesNothing() throws Exception {
        // segments of a dead owner, which a real sweep reclaims (no reaper: only a sweep does)
        String persistent = TestSupport.testName();
        List<String> cmd = new java.util.ArrayList<>(io.shmarray.internal.ChildJvm.command(LifetimeProbe.class.getName(),
                List.of("create-and-wait", persistent)));
        cmd.add(1, "-Dio.shmarray.reaper=false");
        String[] names;
        try (TestSupport.Child creator = new TestSupport.Child(new ProcessBuilder(cmd).redirectErrorStream(true).start())) {
            names = creator.await("CREATED (\\S+ \\S+ \\S+)", 90).split(" ");
            creator.signal("KILL");
            creator.process.waitFor();
        }
        java.nio.file.Path dead = java.nio.file.Path.of("/dev/shm", names[0]);
        try {
            TestSupport.Run typo = TestSupport.runChild(List.of(), MAIN, List.of("sweep", "--dryrun"), 90);
            assertEquals(2, typo.exitCode, typo.toString());
            assertTrue(typo.output.contains("unknown option --dryrun") && typo.output.contains("nothing was swept"),
                    typo.toString());
            assertTrue(java.nio.file.Files.exists(dead), "the typo swept nothing");
            for (List<String> bad : List.of(List.of("ls", "-l"), List.of("info", "--verbose"), List.of("inspect"),
                    List.of("sweep", "--dry-run", "now"), List.of("--lenght", "10"))) {
                TestSupport.Run r = TestSupport.runChild(List.of(), MAIN, bad, 90);
                assertEquals(2, r.exitCode, bad + ": " + r);
                assertTrue(r.output.contains("usage:"), bad + ": " + r);
            }
            assertTrue(java.nio.file.Files.exists(dead), "no typo swept anything");
            TestSupport.Run real = TestSupport.runChild(List.of(), MAIN, List.of("sweep"), 90);
            assertEquals(0, real.exitCode, real.toString());
            assertTrue(real.output.contains("reclaimed " + names[0]), real.toString());
        } finally {
            for (String n : names) java.nio.file.Files.deleteIfExists(java.nio.file.Path.of("/dev/shm", n));
        }
    }
}
