package io.shmarray.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds and binds {@code libshmarray.so} through an ordered chain, and reports every step's
 * failure in one error:
 * <ol>
 *   <li>the explicit path in {@value #PATH_PROPERTY}, when set;
 *   <li>the library bundled in the jar under {@code io/shmarray/native/<platform-key>/};
 *   <li>{@code libshmarray.so} in an entry of {@code java.library.path}.
 * </ol>
 * <b>Nothing is loaded that was not verified as this user's own, and what is loaded is exactly the
 * bytes that were verified.</b> A file on disk (steps 1 and 3) is read only after
 * {@link TrustedPaths#readTrusted} accepted it: a regular file owned by root or this user that
 * nobody else can write, in directories nobody else can change. The bytes read — or the bundled
 * resource's bytes, read from the jar — are then checked against {@value #SHA256_PROPERTY} when it
 * is set (a worker JVM gets its parent's hash there, so it loads the very same library), and
 * handed to {@link VerifiedImages}, which stages them in a sealed in-memory file (or, without
 * {@code memfd_create}, in a verified private directory, {@value #EXTRACT_DIR_PROPERTY}, default
 * {@code ${java.io.tmpdir}/shmarray-<uid>}). The binder (the backend's constructor, which also
 * performs the ABI handshake) loads that staged image. When a step fails, the next one is tried
 * and the reason is kept for the error.
 *
 * <p><b>NOTE:</b> a directory or file planted by another user (a foreign owner, group/other write
 * access, a symbolic link where a private directory is expected) is refused with an error naming
 * the path, its owner and mode, and the property to set; it is never used or silently replaced.
 */
public final class NativeLibraryLoader {

    /** System property: explicit path of {@code libshmarray.so}; tried first. */
    public static final String PATH_PROPERTY = "io.shmarray.library.path";

    /** System property: the directory for files shmarray writes (extractions without memfd, AOT caches). */
    public static final String EXTRACT_DIR_PROPERTY = "io.shmarray.extract.dir";

    /**
     * System property: the SHA-256 (hex) the loaded library must have. Set by shmarray for its
     * worker JVMs (the parent's verified library); any candidate with other bytes is refused.
     */
    public static final String SHA256_PROPERTY = "io.shmarray.library.sha256";

    /** Binds a candidate library; throws (anything) to reject it. */
    @FunctionalInterface
    public interface Binder<T> {
        T bind(Path library) throws Exception;
    }

    /**
     * A bound library: what the binder returned, the staged image that was bound, the file it was
     * read from (null for the bundled resource), its SHA-256, and the step that found it.
     */
    public static final class Loaded<T> {
        public final T value;
        public final Path path;
        public final Path source;
        public final String sha256;
        public final String step;

        Loaded(T value, Path path, Path source, String sha256, String step) {
            this.value = value;
            this.path = path;
            this.source = source;
            this.sha256 = sha256;
            this.step = step;
        }
    }

    private NativeLibraryLoader() {}

    /** Runs the chain with this JVM's system properties and class path. */
    public static <T> Loaded<T> load(Binder<T> binder, String what) {
        String platformKey;
        String platformProblem = null;
        try {
            platformKey = Platform.key();
        } catch (UnsupportedOperationException e) {
            platformKey = null;
            platformProblem = e.getMessage();
        }
        return load(binder, what, System.getProperty(PATH_PROPERTY), platformKey, platformProblem,
                NativeLibraryLoader.class.getClassLoader(), extractRoot(),
                System.getProperty("java.library.path", ""), System.getProperty(SHA256_PROPERTY));
    }

    static <T> Loaded<T> load(Binder<T> binder, String what, String explicitPath, String platformKey,
            String platformProblem, ClassLoader loader, Path extractRoot, String javaLibraryPath) {
        return load(binder, what, explicitPath, platformKey, platformProblem, loader, extractRoot, javaLibraryPath, null);
    }

    static <T> Loaded<T> load(Binder<T> binder, String what, String explicitPath, String platformKey,
            String platformProblem, ClassLoader loader, Path extractRoot, String javaLibraryPath,
            String expectedSha256) {
        List<String> failures = new ArrayList<>();
        String expected = expectedSha256 == null || expectedSha256.isBlank() ? null
                : expectedSha256.trim().toLowerCase(java.util.Locale.ROOT);

        // 1. explicit path
        if (explicitPath == null || explicitPath.isBlank()) {
            failures.add("-D" + PATH_PROPERTY + ": not set");
        } else {
            Path p = Path.of(explicitPath).toAbsolutePath();
            String step = "-D" + PATH_PROPERTY + "=" + explicitPath;
            Loaded<T> loaded = tryFile(binder, p, step, extractRoot, expected, failures);
            if (loaded != null) return loaded;
        }

        // 2. bundled resource
        if (platformKey == null) {
            failures.add("bundled library: " + platformProblem);
        } else {
            String resource = Platform.resourcePath(platformKey);
            String step = "bundled resource " + resource;
            byte[] bytes = null;
            try {
                bytes = readResource(loader, resource);
                if (bytes == null) {
                    failures.add(step + ": not on the class path (a jar built without the native"
                            + " library, or a repackaged jar that dropped io/shmarray/native/)");
                }
            } catch (IOException e) {
                failures.add(step + ": cannot read it: " + e);
            }
            if (bytes != null) {
                Loaded<T> loaded = tryBytes(binder, bytes, null, step, extractRoot, expected, failures);
                if (loaded != null) return warnIfExplicitRefused(explicitPath, failures, loaded);
            }
        }

        // 3. java.library.path
        boolean found = false;
        for (String entry : javaLibraryPath.split(java.io.File.pathSeparator)) {
            if (entry.isBlank()) continue;
            Path p = Path.of(entry).resolve(Platform.LIBRARY_FILE).toAbsolutePath();
            if (Files.exists(p)) {
                found = true;
                Loaded<T> loaded = tryFile(binder, p, "java.library.path entry " + entry, extractRoot, expected, failures);
                if (loaded != null) return warnIfExplicitRefused(explicitPath, failures, loaded);
            }
        }
        if (!found) {
            failures.add("java.library.path (" + javaLibraryPath + "): no " + Platform.LIBRARY_FILE + " in any entry");
        }

        StringBuilder msg = new StringBuilder("Could not load ").append(Platform.LIBRARY_FILE)
                .append(" for ").append(what).append(". Tried, in order:");
        for (int i = 0; i < failures.size(); i++) {
            msg.append("\n  ").append(i + 1).append(". ").append(failures.get(i));
        }
        msg.append("\nFix: use the shmarray jar as built (it bundles the library for linux-x86-64 and, when built"
                + " with the aarch64 cross toolchain, linux-aarch64),"
                + " or build native/ with CMake and pass -D" + PATH_PROPERTY + "=/path/to/libshmarray.so.");
        throw new UnsatisfiedLinkError(msg.toString());
    }

    private static final System.Logger LOG = System.getLogger("io.shmarray");

    /** The library the user named was refused but another one loaded: say so, once, loudly. */
    private static <T> Loaded<T> warnIfExplicitRefused(String explicitPath, List<String> failures, Loaded<T> loaded) {
        if (explicitPath != null && !explicitPath.isBlank()) {
            LOG.log(System.Logger.Level.WARNING, "shmarray: -D" + PATH_PROPERTY + "=" + explicitPath + " was not loaded ("
                    + failures.get(0) + "); using " + loaded.step + " instead");
        }
        return loaded;
    }

    /** Reads a file only once it is verified as trusted, then tries its bytes. */
    private static <T> Loaded<T> tryFile(Binder<T> binder, Path p, String step, Path extractRoot, String expected,
            List<String> failures) {
        byte[] bytes;
        try {
            bytes = TrustedPaths.readTrusted(p, "use a library file of your own (or root's) that only its owner"
                    + " can write, in directories only root or you can change");
        } catch (IOException | RuntimeException e) {
            failures.add(step + ": " + e.getMessage());
            return null;
        }
        return tryBytes(binder, bytes, p, step, extractRoot, expected, failures);
    }

    /** Checks the expected hash, stages the verified bytes and binds the staged image. */
    private static <T> Loaded<T> tryBytes(Binder<T> binder, byte[] bytes, Path source, String step, Path extractRoot,
            String expected, List<String> failures) {
        String hash = VerifiedImages.sha256(bytes);
        String where = source == null ? "" : source + ": ";
        if (expected != null && !expected.equals(hash)) {
            failures.add(step + ": " + where + "SHA-256 " + hash + " differs from the library this JVM was told to"
                    + " load (-D" + SHA256_PROPERTY + "=" + expected + "): changed since its parent verified it; refused");
            return null;
        }
        try {
            VerifiedImages.Used<T> used = VerifiedImages.use(Platform.LIBRARY_FILE, bytes, false, extractRoot,
                    binder::bind);
            return new Loaded<>(used.value, used.image.path, source, hash, step + " (" + used.image.how + ")");
        } catch (Exception | LinkageError e) {
            StringBuilder why = new StringBuilder(step).append(": ").append(where).append(e);
            for (Throwable first : e.getSuppressed()) {
                why.append(" (after the in-memory copy failed: ").append(first).append(')');
            }
            failures.add(why.toString());
            return null;
        }
    }

    private static byte[] readResource(ClassLoader loader, String resource) throws IOException {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            return in == null ? null : in.readAllBytes();
        }
    }

    /**
     * The extraction root: the property, else {@code ${java.io.tmpdir}/shmarray-<uid>} — unless
     * that is on a {@code noexec} mount (common for {@code /tmp} on hardened hosts), where nothing
     * staged could be loaded: then {@code $XDG_RUNTIME_DIR/shmarray} or
     * {@code ~/.cache/shmarray-<uid>}, the first on a mount that allows exec (said once in the log).
     */
    public static Path extractRoot() {
        String configured = System.getProperty(EXTRACT_DIR_PROPERTY);
        if (configured != null && !configured.isBlank()) return Path.of(configured).toAbsolutePath();
        String tmp = System.getProperty("java.io.tmpdir");
        Object[] cached = defaultRoot;
        if (cached != null && cached[0].equals(tmp)) return (Path) cached[1];
        Path root = Path.of(tmp, "shmarray-" + TrustedPaths.currentUid()).toAbsolutePath();
        String mountinfo = PlatformCheck.readOrEmpty(Path.of("/proc/self/mountinfo"));
        String noexec = PlatformCheck.noexecMountOf(root, mountinfo);
        if (noexec != null) {
            List<Path> candidates = new ArrayList<>();
            String runtimeDir = System.getenv("XDG_RUNTIME_DIR");
            if (runtimeDir != null && !runtimeDir.isBlank()) candidates.add(Path.of(runtimeDir, "shmarray"));
            candidates.add(Path.of(System.getProperty("user.home"), ".cache", "shmarray-" + TrustedPaths.currentUid()));
            for (Path c : candidates) {
                if (PlatformCheck.noexecMountOf(c, mountinfo) == null) {
                    Path from = root;
                    LOG.log(System.Logger.Level.INFO, () -> "shmarray: " + from + " is on a noexec mount (" + noexec
                            + "): native files are staged in " + c + " instead (-D" + EXTRACT_DIR_PROPERTY
                            + " chooses another)");
                    root = c.toAbsolutePath();
                    break;
                }
            }
        }
        defaultRoot = new Object[] {tmp, root};
        return root;
    }

    /** The default root computed for a {@code java.io.tmpdir}: {tmpdir, root}. */
    private static volatile Object[] defaultRoot;

    /**
     * Extracts a bundled resource into the verified private directory {@code root} (as the loader
     * does when no memfd can be used) and returns the path, or {@code null} when the resource does
     * not exist.
     */
    static Path extractBundled(ClassLoader loader, String resource, Path root) throws IOException {
        byte[] bytes = readResource(loader, resource);
        return bytes == null ? null : VerifiedImages.extract(root, Platform.LIBRARY_FILE, bytes, false);
    }

    /**
     * The bytes of a bundled resource of this platform ({@code io/shmarray/native/<key>/<file>}),
     * or null when absent.
     */
    static byte[] bundled(String fileName) throws IOException {
        return readResource(NativeLibraryLoader.class.getClassLoader(),
                Platform.RESOURCE_ROOT + "/" + Platform.key() + "/" + fileName);
    }
}
