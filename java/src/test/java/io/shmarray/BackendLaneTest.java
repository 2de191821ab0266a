package io.shmarray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shmarray.testing.TestSupport;
import java.net.URL;
import org.junit.jupiter.api.Test;

/**
 * Each Maven test lane states which backend it expects ({@code io.shmarray.test.expectBackend});
 * this asserts that backend is really the active one and that the classes come from the packaged
 * jar, where the multi-release FFM classes live.
 */
class BackendLaneTest {

    @Test
    void theExpectedBackendIsActive() {
        String expected = System.getProperty("io.shmarray.test.expectBackend");
        if (expected == null) {
            TestSupport.skip("io.shmarray.test.expectBackend is not set: not run from a Maven test lane");
        }
        System.out.println("lane " + System.getProperty("io.shmarray.test.lane") + ": backend "
                + Shmarray.backendName() + " on JDK " + Runtime.version() + ", library " + Shmarray.nativeLibraryPath());
        assertEquals(expected, Shmarray.backendName());
        if (System.getProperty("io.shmarray.backend") == null) {
            assertEquals(Runtime.version().feature() >= 22 ? "ffm" : "jna", expected, "the default for this JDK");
        }
    }

    @Test
    void classesComeFromThePackagedJar() throws Exception {
        String where = Shmarray.class.getProtectionDomain().getCodeSource().getLocation().toString();
        if (System.getProperty("io.shmarray.test.expectBackend") == null) {
            TestSupport.skip("not run from a Maven test lane (classes from " + where + ")");
        }
        assertTrue(where.endsWith("shmarray.jar"), where);
        if (Runtime.version().feature() >= 22) {
            URL ffm = Shmarray.class.getClassLoader().getResource("io/shmarray/internal/FfmBackend.class");
            assertTrue(ffm != null && ffm.toString().contains("META-INF/versions/22"), String.valueOf(ffm));
        }
    }
}
