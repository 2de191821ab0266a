package io.shmarray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shmarray.testing.NoLeakedSegments;
import io.shmarray.testing.TestSupport;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Child JVMs attach by name and write in place; the parent sees every value. */
@ExtendWith(NoLeakedSegments.class)
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
}
