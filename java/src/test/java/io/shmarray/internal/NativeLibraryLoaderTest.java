package io.shmarray.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shmarray.testing.TestSupport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class NativeLibraryLoaderTest {

    static final String RESOURCE = Platform.resourcePath(Platform.key());
    static final ClassLoader CL = NativeLibraryLoaderTest.class.getClassLoader();

    @TempDir
    Path tmp;

    private static Set<String> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    @Test
    void extractsOnceIntoAPrivateDirectory() throws Exception {
        Path root = tmp.resolve("root");
        Path first = NativeLibraryLoader.extractBundled(CL, RESOURCE, root);
        assertNotNull(first);
        assertTrue(Files.isRegularFile(first));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(first.getParent())));
        FileTime stamp = FileTime.fromMillis(1_000_000L);
        Files.setLastModifiedTime(first, stamp);
        Path second = NativeLibraryLoader.extractBundled(CL, RESOURCE, root);
        assertEquals(first, second);
        assertEquals(stamp, Files.getLastModifiedTime(second), "an intact extraction is reused, not rewritten");
    }

    @Test
    void aTamperedExtractionIsReplaced() throws Exception {
        Path root = tmp.resolve("root");
        Path lib = NativeLibraryLoader.extractBundled(CL, RESOURCE, root);
        byte[] original = Files.readAllBytes(lib);
        Files.write(lib, new byte[] {1, 2, 3});
        Path again = NativeLibraryLoader.extractBundled(CL, RESOURCE, root);
        assertEquals(lib, again);
        assertTrue(java.util.Arrays.equals(original, Files.readAllBytes(again)));
    }

    @Test
    void missingResourceIsNull() throws Exception {
        assertNull(NativeLibraryLoader.extractBundled(CL, "io/shmarray/native/nowhere/libshmarray.so", tmp));
    }

    @Test
    void refusesADirectoryOthersCanWrite() throws Exception {
        Path open = Files.createDirectory(tmp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        IOException e = assertThrows(IOException.class, () -> NativeLibraryLoader.extractBundled(CL, RESOURCE, open));
        assertTrue(e.getMessage().contains("group/other"), e.getMessage());
    }

    @Test
    void refusesASymlinkedDirectory() throws Exception {
        Path real = Files.createDirectory(tmp.resolve("real"));
        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rwx------"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        IOException e = assertThrows(IOException.class, () -> NativeLibraryLoader.extractBundled(CL, RESOURCE, link));
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
    }

    @Test
    void refusesADirectoryOfAnotherUser() throws Exception {
        if (TrustedPaths.currentUid() != 0) {
            TestSupport.skip("needs root to chown a directory to another uid");
        }
        Path foreign = Files.createDirectory(tmp.resolve("foreign"));
        Files.setPosixFilePermissions(foreign, PosixFilePermissions.fromString("rwx------"));
        Files.setAttribute(foreign, "unix:uid", 65534);
        IOException e = assertThrows(IOException.class, () -> NativeLibraryLoader.extractBundled(CL, RESOURCE, foreign));
        assertTrue(e.getMessage().contains("owned by uid 65534"), e.getMessage());
    }

    @Test
    @Timeout(120)
    void manyJvmsAndThreadsExtractOnce() throws Exception {
        Path root = tmp.resolve("shared");
        int jvms = 3;
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(jvms + threads);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < jvms; i++) {
                Callable<String> c = () -> {
                    TestSupport.Run r = TestSupport.runChild(List.of(), ExtractProbe.class.getName(),
                            List.of(root.toString()), 90);
                    assertEquals(0, r.exitCode, r.toString());
                    return r.output.lines().filter(l -> l.startsWith("EXTRACTED ")).findFirst()
                            .orElseThrow(() -> new AssertionError(r.toString())).substring(10);
                };
                results.add(pool.submit(c));
            }
            for (int i = 0; i < threads; i++) {
                results.add(pool.submit(() -> NativeLibraryLoader.extractBundled(CL, RESOURCE, root).toString()));
            }
            Set<String> paths = new TreeSet<>();
            for (Future<String> f : results) paths.add(f.get(100, TimeUnit.SECONDS));
            assertEquals(1, paths.size(), "one extraction for all: " + paths);
            Path lib = Path.of(paths.iterator().next());
            assertEquals(Set.of(".lock", "libshmarray.so"), list(lib.getParent()), "no temporary files left");
            assertEquals(1, list(root).size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void everyFailedStepIsReported() {
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class, () -> NativeLibraryLoader.load(
                p -> {
                    throw new IllegalStateException("rejected " + p);
                },
                "a test", "/nonexistent/libshmarray.so", null, "platform says no", CL, tmp, ""));
        String m = e.getMessage();
        assertTrue(m.contains("1. -Dio.shmarray.library.path=/nonexistent/libshmarray.so"), m);
        assertTrue(m.contains("2. bundled library: platform says no"), m);
        assertTrue(m.contains("3. java.library.path (): no libshmarray.so"), m);
        assertTrue(m.contains("Fix:"), m);
    }

    @Test
    void explicitPathComesFirstAndFallsThroughWhenBad() throws Exception {
        Path real = TestSupport.nativeBuildFile("libshmarray.so").toRealPath();
        NativeLibraryLoader.Loaded<String> explicit = NativeLibraryLoader.load(p -> "bound " + p, "a test",
                real.toString(), Platform.key(), null, CL, tmp.resolve("x"), "");
        assertEquals(real, explicit.source);
        assertEquals(VerifiedImages.sha256(Files.readAllBytes(real)), explicit.sha256);
        assertTrue(explicit.step.startsWith("-Dio.shmarray.library.path"), explicit.step);

        NativeLibraryLoader.Loaded<String> fallback = NativeLibraryLoader.load(p -> "bound " + p, "a test",
                tmp.resolve("missing.so").toString(), Platform.key(), null, CL, tmp.resolve("x"), "");
        assertTrue(fallback.step.startsWith("bundled resource"), fallback.step);
        assertNull(fallback.source, "the bundled library has no file of origin");
    }

    @Test
    void javaLibraryPathIsTheLastStep() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("libs"));
        Files.copy(Backends.libraryPath(), dir.resolve("libshmarray.so"));
        NativeLibraryLoader.Loaded<String> loaded = NativeLibraryLoader.load(p -> "bound", "a test", null,
                "nowhere-arch", null, CL, tmp.resolve("x"), "/does/not/exist:" + dir);
        assertEquals(dir.resolve("libshmarray.so").toRealPath(), loaded.source);
        assertTrue(loaded.step.contains("java.library.path"), loaded.step);
    }

    @Test
    void aBrokenLibraryIsRejectedNamingItsPath() throws Exception {
        Path fake = Files.write(tmp.resolve("libshmarray.so"), new byte[] {0x7f, 'E', 'L', 'F'});
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class, () -> NativeLibraryLoader.load(
                p -> Backends.open("jna", p), "a test", fake.toString(), "nowhere-arch", null, CL, tmp, ""));
        assertTrue(e.getMessage().contains(fake.toString()), e.getMessage());
    }
}
