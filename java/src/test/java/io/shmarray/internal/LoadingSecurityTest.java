package io.shmarray.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shmarray.testing.TestSupport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attacks of a hostile second user on the native loading path (RELIABILITY.md R25): a planted
 * or symlinked extraction directory with a genuine library and a program of theirs named
 * {@code shmarray-reaper} beside it, a library swapped after it was checked, library files of
 * other users, and workers that must inherit their parent's verified choices. The attacker is a
 * real second uid ({@code nobody}, through {@code setpriv}) where the test runs as root; elsewhere
 * those cases skip and say why.
 */
class LoadingSecurityTest {

    static final int NOBODY = 65534;

    @TempDir
    Path tmp;

    private static byte[] bundledLibrary() throws IOException {
        byte[] b = NativeLibraryLoader.bundled(Platform.LIBRARY_FILE);
        assertTrue(b != null, "the jar bundles the library");
        return b;
    }

    private static void requireSecondUser() {
        if (TrustedPaths.currentUid() != 0) TestSupport.skip("needs root to act as a second user with setpriv");
        if (!Files.isExecutable(Path.of("/usr/bin/setpriv"))) TestSupport.skip("setpriv (util-linux) is not installed");
    }

    /** Runs a shell script as uid/gid 65534 (the attacker). */
    private static void asNobody(String script) throws Exception {
        TestSupport.Run r = TestSupport.run(List.of("/usr/bin/setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY,
                "--clear-groups", "/bin/sh", "-euc", script), Map.of(), 30);
        assertEquals(0, r.exitCode, "the attacker's set-up failed: " + r);
    }

    /** A world-writable sticky directory, like /tmp, inside a test directory the attacker can traverse. */
    private Path sharedTmp() throws IOException {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
        Path shared = Files.createDirectory(tmp.resolve("shared"));
        Files.setAttribute(shared, "unix:mode", 01777);
        return shared;
    }

    /** Plants the genuine library and an evil reaper in {@code dir}/HASH; the reaper would create {@code marker}. */
    private Path plantKit(Path dir, Path marker) throws Exception {
        byte[] lib = bundledLibrary();
        Path genuine = Files.write(tmp.resolve("genuine.so"), lib);
        Files.setPosixFilePermissions(genuine, PosixFilePermissions.fromString("rw-r--r--"));
        Path hashDir = dir.resolve(VerifiedImages.sha256(lib).substring(0, 32));
        asNobody("umask 022; mkdir -p '" + hashDir + "'; cp '" + genuine + "' '" + hashDir + "/libshmarray.so'; "
                + "printf '#!/bin/sh\\ntouch \"" + marker + "\"\\n' > '" + hashDir + "/shmarray-reaper'; "
                + "chmod 755 '" + hashDir + "/shmarray-reaper'");
        assertEquals(NOBODY, (int) (Integer) Files.getAttribute(hashDir.resolve("shmarray-reaper"), "unix:uid"));
        return hashDir;
    }

    /** The victim's program in a child JVM, with {@code tmpdir} as its java.io.tmpdir and default extraction. */
    private static TestSupport.Run victim(Path tmpdir, String... extra) throws Exception {
        List<String> opts = new ArrayList<>(List.of("-Djava.io.tmpdir=" + tmpdir, "-D" + NativeLibraryLoader.EXTRACT_DIR_PROPERTY + "="));
        opts.addAll(List.of(extra));
        return TestSupport.runChild(opts, SecurityProbe.class.getName(), List.of("use"), 120);
    }

    private static void assertNotRun(Path marker, TestSupport.Run r) throws InterruptedException {
        Thread.sleep(300); // a reaper started by the child has had every chance to run
        assertFalse(Files.exists(marker), "the attacker's program ran as this user: " + r);
    }

    @Test
    @Timeout(240)
    void aPlantedExtractionDirectoryIsNeverUsed() throws Exception {
        requireSecondUser();
        Path shared = sharedTmp();
        Path marker = shared.resolve("PWNED");
        Path planted = shared.resolve("shmarray-0");
        plantKit(planted, marker);

        TestSupport.Run ok = victim(shared);
        assertEquals(0, ok.exitCode, ok.toString());
        assertTrue(ok.output.contains("OK"), ok.toString());
        assertTrue(ok.output.contains("sealed in-memory copy"), "nothing on disk was loaded: " + ok);
        assertNotRun(marker, ok);

        TestSupport.Run files = victim(shared, "-D" + VerifiedImages.MEMFD_PROPERTY + "=false");
        assertNotEquals(0, files.exitCode, "the planted directory must be refused: " + files);
        assertTrue(files.output.contains("refusing " + planted.toRealPath()), files.toString());
        assertTrue(files.output.contains("owned by uid " + NOBODY), files.toString());
        assertTrue(files.output.contains("mode rwxr-xr-x"), files.toString());
        assertTrue(files.output.contains("-D" + NativeLibraryLoader.EXTRACT_DIR_PROPERTY), files.toString());
        assertNotRun(marker, files);
    }

    @Test
    @Timeout(240)
    void aSymlinkedExtractionRootIsRefused() throws Exception {
        requireSecondUser();
        Path shared = sharedTmp();
        Path marker = shared.resolve("PWNED");
        Path attackerDir = shared.resolve("attacker");
        plantKit(attackerDir, marker);
        Path link = shared.resolve("shmarray-0");
        asNobody("chmod 777 '" + attackerDir + "'; ln -s '" + attackerDir + "' '" + link + "'");

        TestSupport.Run ok = victim(shared);
        assertEquals(0, ok.exitCode, ok.toString());
        assertNotRun(marker, ok);

        TestSupport.Run files = victim(shared, "-D" + VerifiedImages.MEMFD_PROPERTY + "=false");
        assertNotEquals(0, files.exitCode, files.toString());
        assertTrue(files.output.contains("refusing " + shared.toRealPath().resolve("shmarray-0") + ": a symbolic link"),
                files.toString());
        assertNotRun(marker, files);
    }

    @Test
    @Timeout(240)
    void aLibrarySwappedAfterTheCheckIsNeverLoadedByAWorker() throws Exception {
        Path fi = TestSupport.nativeBuildFile("libshmarray-fi.so");
        Path normal = TestSupport.nativeBuildFile("libshmarray.so");
        Path dir = Files.createDirectory(tmp.resolve("lib"));
        Path lib = Files.copy(fi, dir.resolve("libshmarray.so"));
        TestSupport.Run r = TestSupport.runChild(List.of("-D" + NativeLibraryLoader.PATH_PROPERTY + "=" + lib,
                "-D" + NativeLibraryLoader.SHA256_PROPERTY + "="), SecurityProbe.class.getName(),
                List.of("swap", normal.toString()), 120);
        assertEquals(0, r.exitCode, r.toString());
        assertTrue(r.output.contains("LOADED -Dio.shmarray.library.path=" + lib), r.toString());
        assertFalse(r.output.contains("STARTED"), "a worker loaded a library its parent never verified: " + r);
        assertTrue(r.output.contains("REFUSED"), r.toString());
        assertTrue(r.output.contains("changed since its parent verified it"), r.toString());
    }

    @Test
    void theStagedImageCannotBeChangedAfterVerification() throws Exception {
        byte[] bytes = "verified bytes".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        VerifiedImages.Image image = VerifiedImages.stage("probe.bin", bytes, false, tmp.resolve("x"));
        if (!image.how.contains("memfd")) TestSupport.skip("memfd_create is unavailable here: " + image.how);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(image.path,
                java.nio.file.StandardOpenOption.WRITE)) {
            assertThrows(IOException.class, () -> ch.write(java.nio.ByteBuffer.wrap(new byte[] {'X'}), 0),
                    "sealed against writes in place");
            assertThrows(IOException.class, () -> ch.write(java.nio.ByteBuffer.wrap(new byte[] {'X'}), bytes.length),
                    "sealed against growth");
            assertThrows(IOException.class, () -> ch.truncate(1), "sealed against shrinking");
        }
        assertArrayEquals(bytes, Files.readAllBytes(image.path));
        assertEquals(image.path, VerifiedImages.stage("probe.bin", bytes, false, tmp.resolve("x")).path,
                "staged once per JVM and content");
    }

    private UnsatisfiedLinkError refusedExplicit(Path lib) {
        return assertThrows(UnsatisfiedLinkError.class, () -> NativeLibraryLoader.load(p -> {
            throw new AssertionError("bound a refused library: " + p);
        }, "a test", lib.toString(), null, "no bundled library in this test", LoadingSecurityTest.class.getClassLoader(),
                tmp.resolve("x"), ""));
    }

    @Test
    void explicitLibrariesOthersCouldChangeAreRefused() throws Exception {
        byte[] bytes = bundledLibrary();
        Path privateDir = Files.createDirectory(tmp.resolve("mine"));
        Path writable = Files.write(privateDir.resolve("libshmarray.so"), bytes);
        Files.setPosixFilePermissions(writable, PosixFilePermissions.fromString("rw-rw-r--"));
        String m = refusedExplicit(writable).getMessage();
        assertTrue(m.contains("refusing " + writable.toRealPath() + ": group/other may write it"), m);
        assertTrue(m.contains("mode rw-rw-r--"), m);

        Path open = Files.createDirectory(tmp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path inOpen = Files.write(open.resolve("libshmarray.so"), bytes);
        Files.setPosixFilePermissions(inOpen, PosixFilePermissions.fromString("rw-r--r--"));
        m = refusedExplicit(inOpen).getMessage();
        assertTrue(m.contains("refusing " + open.toRealPath() + ": group/other may write it and it has no sticky bit"), m);

        Path sticky = Files.createDirectory(tmp.resolve("sticky"));
        Files.setAttribute(sticky, "unix:mode", 01777);
        Path inSticky = Files.write(sticky.resolve("libshmarray.so"), bytes);
        Files.setPosixFilePermissions(inSticky, PosixFilePermissions.fromString("rw-r--r--"));
        NativeLibraryLoader.Loaded<String> ok = NativeLibraryLoader.load(p -> "bound", "a test", inSticky.toString(),
                null, "none", LoadingSecurityTest.class.getClassLoader(), tmp.resolve("x"), "");
        assertEquals(inSticky.toRealPath(), ok.source, "a file of ours in a sticky directory (like /tmp) is fine");

        if (TrustedPaths.currentUid() != 0) TestSupport.skip("needs root to give a file to another uid");
        Path foreign = Files.write(privateDir.resolve("foreign.so"), bytes);
        Files.setPosixFilePermissions(foreign, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setAttribute(foreign, "unix:uid", NOBODY);
        m = refusedExplicit(foreign).getMessage();
        assertTrue(m.contains("refusing " + foreign.toRealPath() + ": owned by uid " + NOBODY), m);
    }

    @Test
    void aLibraryWithOtherBytesThanTheParentsIsRefused() throws Exception {
        Path fi = TestSupport.nativeBuildFile("libshmarray-fi.so");
        String expected = VerifiedImages.sha256(bundledLibrary());
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class, () -> NativeLibraryLoader.load(p -> {
            throw new AssertionError("bound " + p);
        }, "a test", fi.toString(), null, "none", LoadingSecurityTest.class.getClassLoader(), tmp.resolve("x"), "",
                expected));
        assertTrue(e.getMessage().contains("differs from the library this JVM was told to load"), e.getMessage());
    }

    @Test
    void extractionNeedsEveryAncestorTrusted() throws Exception {
        Path open = Files.createDirectory(tmp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        IOException e = assertThrows(IOException.class,
                () -> VerifiedImages.extract(open.resolve("root"), "f.bin", new byte[] {1}, false));
        assertTrue(e.getMessage().contains("no sticky bit"), e.getMessage());
        assertFalse(Files.exists(open.resolve("root")), "nothing created under an untrusted ancestor");

        Files.setAttribute(open, "unix:mode", 01777);
        Path file = VerifiedImages.extract(open.resolve("root"), "f.bin", new byte[] {1}, false);
        assertArrayEquals(new byte[] {1}, Files.readAllBytes(file));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(open.resolve("root"))));
    }

    @Test
    void jnasOwnNativeLibraryComesFromTheVerifiedDirectory() throws Exception {
        Backends.forTesting("jna"); // JNA initialized through shmarray, as any JNA use here is
        String boot = System.getProperty(JnaDispatch.BOOT_PATH);
        assertTrue(boot != null, "shmarray pointed JNA at its verified directory");
        Path root = NativeLibraryLoader.extractRoot().toRealPath();
        assertTrue(Path.of(boot).startsWith(root), boot + " lies in " + root);
        String mapped = Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(l -> l.contains("libjnidispatch")).findFirst().orElseThrow();
        assertTrue(mapped.contains(boot + "/libjnidispatch.so"), "JNA loaded " + mapped);
    }

    @Test
    @Timeout(240)
    void workersInheritTheParentsVerifiedChoices() throws Exception {
        Path extract = tmp.resolve("extract");
        Path tmpdir = Files.createDirectory(tmp.resolve("tmpdir"));
        TestSupport.Run r = TestSupport.runChild(List.of("-D" + NativeLibraryLoader.EXTRACT_DIR_PROPERTY + "=" + extract,
                "-Djava.io.tmpdir=" + tmpdir, "-D" + VerifiedImages.MEMFD_PROPERTY + "=false"),
                SecurityProbe.class.getName(), List.of("use"), 120);
        assertEquals(0, r.exitCode, r.toString());
        assertTrue(r.output.contains("WORKER extract.dir=" + extract), r.toString());
        assertTrue(r.output.contains("WORKER java.io.tmpdir=" + tmpdir), r.toString());
        assertTrue(r.output.contains("WORKER sha256=" + VerifiedImages.sha256(bundledLibrary())), r.toString());
        assertTrue(r.output.contains("WORKER reaper=" + extract.toRealPath()), "the worker's reaper came from the"
                + " parent's extraction directory: " + r);
        try (var s = Files.list(tmpdir)) {
            assertEquals(List.of(), s.filter(p -> p.getFileName().toString().startsWith("shmarray-") && !p.getFileName()
                    .toString().startsWith("shmarray-rt-")).toList(), "nothing extracted into the default place");
        }
    }
}
