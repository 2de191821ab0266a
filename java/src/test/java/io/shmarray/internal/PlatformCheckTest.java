package io.shmarray.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shmarray.SharedArray;
import io.shmarray.testing.NoLeaks;
import io.shmarray.testing.TestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Platform problems are named first, each with its fix: another OS or CPU, musl, JNA missing, a
 * noexec extraction directory. Each condition is simulated (system properties, /proc content, a
 * jar copied without its lib/ folder, a noexec tmpfs in a private mount namespace).
 */
@ExtendWith(NoLeaks.class)
class PlatformCheckTest {

    private static Path shmarrayJar() throws Exception {
        Path jar = Path.of(SharedArray.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (!jar.toString().endsWith(".jar")) TestSupport.skip("shmarray is not loaded from its jar here: " + jar);
        return jar;
    }

    private static TestSupport.Run info(List<String> jvmOptions, String classPath) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ChildJvm.javaExecutable(), "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", classPath, "io.shmarray.cli.Main", "info"));
        return TestSupport.run(cmd, Map.of(), 120);
    }

    @Test
    @Timeout(120)
    void anotherOsOrCpuIsNamedBeforeAnythingElse() throws Exception {
        String cp = ChildJvm.classPath();
        TestSupport.Run mac = info(List.of("-Dos.name=Mac OS X", "-Dos.arch=aarch64"), cp);
        assertEquals(1, mac.exitCode, mac.toString());
        assertTrue(mac.output.contains("os.name='Mac OS X', os.arch='aarch64'") && mac.output.contains("Run on Linux"),
                mac.toString());
        assertTrue(!mac.output.contains("/proc/self"), "a /proc error came first: " + mac);
        TestSupport.Run riscv = info(List.of("-Dos.arch=riscv64"), cp);
        assertEquals(1, riscv.exitCode, riscv.toString());
        assertTrue(riscv.output.contains("supports linux-x86-64 and linux-aarch64") && riscv.output.contains("riscv64"),
                riscv.toString());
    }

    @Test
    void muslIsRecognisedFromTheMappedLibraries() {
        String glibc = "7f00-7f10 r-xp 00000000 08:01 123 /usr/lib/x86_64-linux-gnu/libc.so.6\n"
                + "7f20-7f30 r-xp 00000000 08:01 124 /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2\n";
        assertNull(PlatformCheck.muslIn(glibc));
        String alpine = "5600-5610 r--p 00000000 08:01 9 /usr/lib/jvm/java-17-openjdk/bin/java\n"
                + "7f00-7f10 r-xp 00000000 08:01 10 /lib/ld-musl-x86_64.so.1\n";
        assertEquals("/lib/ld-musl-x86_64.so.1", PlatformCheck.muslIn(alpine));
        String msg = PlatformCheck.muslMessage("linux-x86-64", "/lib/ld-musl-x86_64.so.1");
        assertTrue(msg.contains("musl") && msg.contains("glibc") && msg.contains(NativeLibraryLoader.PATH_PROPERTY), msg);
        assertNull(PlatformCheck.muslIn(PlatformCheck.readOrEmpty(Path.of("/proc/self/maps"))), "this JVM is on glibc");
    }

    @Test
    void aNoexecMountIsFoundForAPathBelowIt(@TempDir Path dir) throws Exception {
        Path real = dir.toRealPath();
        String mountinfo = "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
                + "30 22 0:25 / " + real + " rw,nosuid,nodev,noexec,relatime shared:5 - tmpfs tmpfs rw\n"
                + "31 30 0:26 / " + real.resolve("exec") + " rw,relatime shared:6 - tmpfs tmpfs rw\n";
        Files.createDirectories(real.resolve("exec"));
        String found = PlatformCheck.noexecMountOf(real.resolve("shmarray-0/not-yet"), mountinfo);
        assertTrue(found != null && found.startsWith(real + " ") && found.contains("noexec"), String.valueOf(found));
        assertNull(PlatformCheck.noexecMountOf(real.resolve("exec/x"), mountinfo), "a nested exec mount wins");
        assertNull(PlatformCheck.noexecMountOf(Path.of("/usr"), mountinfo));
    }

    @Test
    @Timeout(120)
    void jnaMissingIsNamedWithHowToAddIt(@TempDir Path dir) throws Exception {
        Path alone = dir.resolve("shmarray.jar");
        Files.copy(shmarrayJar(), alone); // as users copy it: without the lib/ folder its manifest names
        TestSupport.Run r = info(List.of("-Dio.shmarray.backend=jna"), alone.toString());
        assertEquals(1, r.exitCode, r.toString());
        assertTrue(r.output.contains("JNA") && r.output.contains("net.java.dev.jna:jna:5.19.1")
                && r.output.contains("JDK 22+"), r.toString());
        assertTrue(!r.output.contains("NoClassDefFoundError"), r.toString());
        if (Runtime.version().feature() >= 22) {
            TestSupport.Run ffm = info(List.of(), alone.toString());
            assertEquals(0, ffm.exitCode, "JDK 22+ needs no JNA: " + ffm);
        }
    }

    @Test
    @Timeout(180)
    void aNoexecTempDirectoryFallsBackOrSaysWhichPropertyToSet(@TempDir Path dir) throws Exception {
        if (!"0".equals(String.valueOf(TrustedPaths.currentUid()))) {
            TestSupport.skip("needs root to mount a noexec tmpfs in a private mount namespace (uid "
                    + TrustedPaths.currentUid() + ")");
        }
        if (TestSupport.run(List.of("unshare", "--mount", "true"), Map.of(), 30).exitCode != 0) {
            TestSupport.skip("unshare --mount is not permitted here");
        }
        Path mnt = Files.createDirectories(dir.resolve("noexec-tmp"));
        Path home = Files.createDirectories(dir.resolve("home"));
        String java = String.join(" ", ChildJvm.javaExecutable(), "--enable-native-access=ALL-UNNAMED",
                "-Dio.shmarray.backend=jna", "-Djava.io.tmpdir=" + mnt, "-Duser.home=" + home);
        String tail = " -cp " + ChildJvm.classPath() + " io.shmarray.cli.Main info";
        String mount = "mount -t tmpfs -o noexec,size=64m tmpfs " + mnt + " && ";
        TestSupport.Run fallback = TestSupport.run(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                mount + "exec " + java + tail), Map.of("XDG_RUNTIME_DIR", ""), 120);
        assertEquals(0, fallback.exitCode, fallback.toString());
        assertTrue(fallback.output.contains("is on a noexec mount") && fallback.output.contains(home.toString()),
                fallback.toString());
        TestSupport.Run refused = TestSupport.run(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                mount + "exec " + java + " -D" + NativeLibraryLoader.EXTRACT_DIR_PROPERTY + "=" + mnt.resolve("x") + tail),
                Map.of(), 120);
        assertNotEquals(0, refused.exitCode, refused.toString());
        assertTrue(refused.output.contains("noexec") && refused.output.contains(NativeLibraryLoader.EXTRACT_DIR_PROPERTY),
                refused.toString());
    }
}
