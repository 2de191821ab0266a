package io.shmarray.runtime;

import io.shmarray.internal.ChildJvm;
import io.shmarray.internal.NativeLibraryLoader;
import java.io.File;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An ahead-of-time cache (JEP 483/514, JDK 25) for worker JVMs, created and reused automatically:
 * the first time a worker is needed, a training JVM runs the worker's start-up path once in the
 * background ({@code -XX:AOTCacheOutput}); once its cache is complete, every later worker starts
 * with {@code -XX:AOTCache}. The cache lives in this user's private extraction directory (an AOT
 * cache is code: nobody else may write it), keyed by the JDK and the class path.
 *
 * <p><b>NOTE:</b> only for JDK 25+ and class paths made of jar files (AOT caches refuse
 * directories); {@code -Dio.shmarray.aotCache=false} turns it off. A cache the JVM finds unusable
 * is ignored silently; the worker starts as usual.
 */
final class AotCache {

    static final String PROPERTY = "io.shmarray.aotCache";

    private static final System.Logger LOG = System.getLogger("io.shmarray");
    private static final AtomicBoolean TRAINING = new AtomicBoolean();

    private AotCache() {}

    /** The JVM options for the next worker: use the cache when it is ready, start training if needed. */
    static List<String> jvmOptions() {
        try {
            Path cache = cacheFile();
            if (cache == null) return List.of();
            if (Files.isRegularFile(cache)) {
                return List.of("-XX:AOTCache=" + cache, "-Xlog:aot=off", "-Xlog:cds=off");
            }
            if (TRAINING.compareAndSet(false, true)) train(cache);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "shmarray: no AOT cache for workers: " + e);
        }
        return List.of();
    }

    /** The cache file for this JDK and class path, or null when not applicable. */
    static Path cacheFile() throws IOException {
        if (Runtime.version().feature() < 25 || !Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))) return null;
        StringBuilder key = new StringBuilder(System.getProperty("java.home")).append('|').append(Runtime.version());
        for (String e : ChildJvm.classPath().split(File.pathSeparator)) {
            Path p = Path.of(e);
            if (!jarsOnly(p, 0)) return null; // directories (also via a manifest Class-Path): AOT cannot cache them
            key.append('|').append(p).append(':').append(Files.size(p)).append(':').append(Files.getLastModifiedTime(p));
        }
        Path dir = NativeLibraryLoader.extractRoot().resolve("aot");
        NativeLibraryLoader.ensurePrivateDirectory(NativeLibraryLoader.extractRoot());
        NativeLibraryLoader.ensurePrivateDirectory(dir);
        return dir.resolve(NativeLibraryLoader.sha256(key.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 32) + ".aot");
    }

    /** Whether {@code p} is a jar whose manifest Class-Path (followed) names only jars. */
    private static boolean jarsOnly(Path p, int depth) throws IOException {
        if (depth > 4 || !Files.isRegularFile(p) || !p.toString().endsWith(".jar")) return false;
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(p.toFile())) {
            java.util.jar.Manifest m = jar.getManifest();
            String cp = m == null ? null : m.getMainAttributes().getValue(java.util.jar.Attributes.Name.CLASS_PATH);
            if (cp == null || cp.isBlank()) return true;
            for (String entry : cp.trim().split("\\s+")) {
                Path ref;
                try {
                    ref = entry.startsWith("file:") ? Path.of(java.net.URI.create(entry))
                            : p.toAbsolutePath().getParent().resolve(entry);
                } catch (IllegalArgumentException e) {
                    return false;
                }
                if (Files.exists(ref) && !jarsOnly(ref, depth + 1)) return false;
            }
            return true;
        }
    }

    /** Runs a training JVM in the background; its finished cache is moved into place atomically. */
    private static void train(Path cache) throws IOException {
        Path tmp = cache.resolveSibling(cache.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        List<String> cmd = new ArrayList<>(ChildJvm.command(WorkerMain.class.getName(), List.of(WorkerMain.TRAIN)));
        cmd.add(1, "-XX:AOTCacheOutput=" + tmp);
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.onExit().thenAccept(done -> {
            try {
                if (done.exitValue() == 0 && Files.isRegularFile(tmp)) {
                    Files.move(tmp, cache, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    LOG.log(Level.DEBUG, "shmarray: AOT cache for workers ready: " + cache);
                }
                Files.deleteIfExists(tmp);
                Files.deleteIfExists(tmp.resolveSibling(tmp.getFileName() + ".config"));
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "shmarray: AOT cache not installed: " + e);
            }
        });
    }
}
