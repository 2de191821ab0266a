package io.shmarray.runtime;

import io.shmarray.internal.ChildJvm;
import io.shmarray.internal.NativeLibraryLoader;
import io.shmarray.internal.TrustedPaths;
import io.shmarray.internal.VerifiedImages;
import java.io.File;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An ahead-of-time cache for worker JVMs, created and reused automatically: on JDK 25+ an AOT
 * cache (JEP 483/514), on JDK 17-24 a dynamic class-data archive (AppCDS, JEP 350). The first time
 * a worker is needed, a training JVM runs the worker's start-up path once in the background
 * ({@code -XX:AOTCacheOutput}, or {@code -XX:ArchiveClassesAtExit}); once its output is complete,
 * every later worker starts with it ({@code -XX:AOTCache}, or {@code -XX:SharedArchiveFile}). The cache lives in this user's private extraction directory (an AOT
 * cache is code: nobody else may write it), keyed by the JDK and the class path. The directory and
 * every ancestor are verified before anything in it is looked at, and a cache file is used only
 * when it is this user's own regular file that nobody else can write ({@link TrustedPaths}).
 * The training JVM runs under a small {@code /bin/sh} wrapper that installs its output by atomic
 * rename, or removes it, even when this JVM has already exited; temporary files of training runs
 * that died are removed by the next JVM.
 *
 * <p><b>NOTE:</b> only for class paths made of jar files (both refuse directories);
 * {@code -Dio.shmarray.aotCache=false} turns it off. A cache or archive the JVM finds unusable
 * (the jars changed: both record and check them) is ignored silently; the worker starts as usual.
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
            if (TrustedPaths.isOwnFile(cache, "set -D" + NativeLibraryLoader.EXTRACT_DIR_PROPERTY
                    + " to a private directory, or -D" + PROPERTY + "=false")) {
                return aot() ? List.of("-XX:AOTCache=" + cache, "-Xlog:aot=off", "-Xlog:cds=off")
                        : List.of("-XX:SharedArchiveFile=" + cache, "-Xshare:auto", "-Xlog:cds=off",
                                "-Xlog:cds+dynamic=off");
            }
            if (TRAINING.compareAndSet(false, true)) train(cache);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "shmarray: no AOT cache for workers: " + e);
        }
        return List.of();
    }

    /** The cache file for this JDK and class path, or null when not applicable. */
    static Path cacheFile() throws IOException {
        if (!Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))) return null;
        StringBuilder key = new StringBuilder(System.getProperty("java.home")).append('|').append(Runtime.version());
        for (String e : ChildJvm.classPath().split(File.pathSeparator)) {
            Path p = Path.of(e);
            if (!jarsOnly(p, 0)) return null; // directories (also via a manifest Class-Path): AOT cannot cache them
            key.append('|').append(p).append(':').append(Files.size(p)).append(':').append(Files.getLastModifiedTime(p));
        }
        String remedy = "set -D" + NativeLibraryLoader.EXTRACT_DIR_PROPERTY + " to a private directory, or -D"
                + PROPERTY + "=false";
        Path root = TrustedPaths.privateDirectory(NativeLibraryLoader.extractRoot(), remedy);
        Path dir = TrustedPaths.privateDirectory(root.resolve("aot"), remedy);
        removeStaleTrainingFiles(dir);
        return dir.resolve(VerifiedImages.sha256(key.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 32)
                + (aot() ? ".aot" : ".jsa"));
    }

    /** JDK 25+: an AOT cache; before: a dynamic CDS archive. */
    private static boolean aot() {
        return Runtime.version().feature() >= 25;
    }

    private static final java.util.regex.Pattern TRAINING_FILE =
            java.util.regex.Pattern.compile("[0-9a-f]{32}\\.(?:aot|jsa)\\.([0-9]{1,10})\\.tmp(\\.config)?");

    /** Removes temporary files of training runs whose JVM is gone (killed, or its machine rebooted). */
    static void removeStaleTrainingFiles(Path dir) {
        try (java.nio.file.DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.tmp*")) {
            for (Path f : files) {
                java.util.regex.Matcher m = TRAINING_FILE.matcher(f.getFileName().toString());
                if (!m.matches()) continue;
                long pid = Long.parseLong(m.group(1));
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) continue; // still training
                Files.deleteIfExists(f);
            }
        } catch (IOException | RuntimeException ignored) {
            // best effort: a leftover is removed next time
        }
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

    /**
     * Runs a training JVM in the background under {@code /bin/sh}, which installs its finished cache
     * by atomic rename (or removes the partial output) whether or not this JVM is still running.
     * The temporary name carries the shell's pid, so that a later JVM can tell a run that died.
     */
    private static void train(Path cache) throws IOException {
        List<String> java = ChildJvm.command(WorkerMain.class.getName(), List.of(WorkerMain.TRAIN));
        String output = aot() ? "-XX:AOTCacheOutput=" : "-XX:ArchiveClassesAtExit=";
        String script = "tmp=\"$SHMARRAY_AOT_CACHE.$$.tmp\"; java=\"$1\"; shift; "
                + "if \"$java\" \"" + output + "$tmp\" \"$@\" && [ -f \"$tmp\" ]; then"
                + " mv -f \"$tmp\" \"$SHMARRAY_AOT_CACHE\"; fi; rm -f \"$tmp\" \"$tmp.config\"";
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", script, "shmarray-aot-training"));
        cmd.addAll(java);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("SHMARRAY_AOT_CACHE", cache.toString());
        Process p = pb.start();
        p.onExit().thenAccept(done -> LOG.log(Level.DEBUG, () -> "shmarray: AOT training for workers ended (exit "
                + done.exitValue() + "); cache " + (Files.isRegularFile(cache) ? "ready: " : "absent: ") + cache));
    }
}
