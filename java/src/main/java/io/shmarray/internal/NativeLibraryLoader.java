package io.shmarray.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Finds and binds {@code libshmarray.so} through an ordered chain, and reports every step's
 * failure in one error:
 * <ol>
 *   <li>the explicit path in {@value #PATH_PROPERTY}, when set (worker JVMs receive their
 *       parent's path here, so they never extract again);
 *   <li>the library bundled in the jar under {@code io/shmarray/native/<platform-key>/},
 *       extracted once per library build into a private directory shared by every JVM of this
 *       user ({@value #EXTRACT_DIR_PROPERTY}, default {@code ${java.io.tmpdir}/shmarray-<uid>}),
 *       under a file lock so that many JVMs starting at once extract it once;
 *   <li>{@code libshmarray.so} in an entry of {@code java.library.path}.
 * </ol>
 * A candidate is accepted when the binder (the backend's constructor, which also performs the ABI
 * handshake) succeeds; otherwise the next step is tried and the reason is kept for the error.
 *
 * <p><b>NOTE:</b> the extraction directory must be owned by this user and closed to others
 * (0700); a directory planted by someone else under a shared {@code /tmp} is refused, never used.
 */
public final class NativeLibraryLoader {

    /** System property: explicit path of {@code libshmarray.so}; tried first. */
    public static final String PATH_PROPERTY = "io.shmarray.library.path";

    /** System property: the directory the bundled library is extracted into. */
    public static final String EXTRACT_DIR_PROPERTY = "io.shmarray.extract.dir";

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    /** Binds a candidate library; throws (anything) to reject it. */
    @FunctionalInterface
    public interface Binder<T> {
        T bind(Path library) throws Exception;
    }

    /** A bound library: what the binder returned, the path, and the step that found it. */
    public static final class Loaded<T> {
        public final T value;
        public final Path path;
        public final String step;

        Loaded(T value, Path path, String step) {
            this.value = value;
            this.path = path;
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
                System.getProperty("java.library.path", ""));
    }

    static <T> Loaded<T> load(Binder<T> binder, String what, String explicitPath, String platformKey,
            String platformProblem, ClassLoader loader, Path extractRoot, String javaLibraryPath) {
        List<String> failures = new ArrayList<>();

        // 1. explicit path
        if (explicitPath == null || explicitPath.isBlank()) {
            failures.add("-D" + PATH_PROPERTY + ": not set");
        } else {
            Path p = Path.of(explicitPath).toAbsolutePath();
            String step = "-D" + PATH_PROPERTY + "=" + explicitPath;
            Loaded<T> loaded = tryBind(binder, p, step, failures);
            if (loaded != null) return loaded;
        }

        // 2. bundled resource, extracted once
        if (platformKey == null) {
            failures.add("bundled library: " + platformProblem);
        } else {
            String resource = Platform.resourcePath(platformKey);
            String step = "bundled resource " + resource;
            Path extracted = null;
            try {
                extracted = extractBundled(loader, resource, extractRoot, Platform.LIBRARY_FILE, false);
                if (extracted == null) {
                    failures.add(step + ": not on the class path (a jar built without the native"
                            + " library, or a repackaged jar that dropped io/shmarray/native/)");
                }
            } catch (IOException | RuntimeException e) {
                failures.add(step + ": extraction into " + extractRoot + " failed: " + e);
            }
            if (extracted != null) {
                Loaded<T> loaded = tryBind(binder, extracted, step + " (extracted to " + extracted + ")", failures);
                if (loaded != null) return loaded;
            }
        }

        // 3. java.library.path
        boolean found = false;
        for (String entry : javaLibraryPath.split(java.io.File.pathSeparator)) {
            if (entry.isBlank()) continue;
            Path p = Path.of(entry).resolve(Platform.LIBRARY_FILE).toAbsolutePath();
            if (Files.isRegularFile(p)) {
                found = true;
                Loaded<T> loaded = tryBind(binder, p, "java.library.path entry " + entry, failures);
                if (loaded != null) return loaded;
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
        msg.append("\nFix: use the shmarray jar as built (it bundles the library for linux-x86-64),"
                + " or build native/ with CMake and pass -D" + PATH_PROPERTY + "=/path/to/libshmarray.so.");
        throw new UnsatisfiedLinkError(msg.toString());
    }

    private static <T> Loaded<T> tryBind(Binder<T> binder, Path p, String step, List<String> failures) {
        if (!Files.isRegularFile(p)) {
            failures.add(step + ": " + p + " is not a readable file");
            return null;
        }
        try {
            return new Loaded<>(binder.bind(p), p, step);
        } catch (Exception | LinkageError e) {
            failures.add(step + ": " + p + ": " + e);
            return null;
        }
    }

    /** The extraction root: the property, else {@code ${java.io.tmpdir}/shmarray-<uid>}. */
    public static Path extractRoot() {
        String configured = System.getProperty(EXTRACT_DIR_PROPERTY);
        if (configured != null && !configured.isBlank()) return Path.of(configured).toAbsolutePath();
        return Path.of(System.getProperty("java.io.tmpdir"), "shmarray-" + currentUid()).toAbsolutePath();
    }

    /** The effective uid of this process (owner of /proc/self). */
    static int currentUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot read this process's uid from /proc/self", e);
        }
    }

    /**
     * Extracts a bundled library once per build (its SHA-256 names the directory) and returns
     * the path, or {@code null} when the resource does not exist. Safe for many JVMs and
     * threads at once: writers serialize on a lock file and publish by atomic rename, readers
     * only accept a file whose content hash matches.
     */
    static Path extractBundled(ClassLoader loader, String resource, Path root) throws IOException {
        return extractBundled(loader, resource, root, Platform.LIBRARY_FILE, false);
    }

    /** As above, into a file named {@code fileName}, executable by its owner when asked. */
    static Path extractBundled(ClassLoader loader, String resource, Path root, String fileName, boolean executable)
            throws IOException {
        byte[] bytes;
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) return null;
            bytes = in.readAllBytes();
        }
        String hash = sha256(bytes);
        Path dir = root.resolve(hash.substring(0, 32));
        Path target = dir.resolve(fileName);
        if (matches(target, bytes.length, hash)) return target;

        ensurePrivateDirectory(root);
        ensurePrivateDirectory(dir);
        synchronized (NativeLibraryLoader.class) { // FileLock is per JVM; threads queue here
            try (FileChannel lockChannel = FileChannel.open(dir.resolve(".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lockChannel.lock()) {
                if (matches(target, bytes.length, hash)) return target;
                Path tmp = Files.createTempFile(dir, "libshmarray", ".tmp");
                boolean success = false;
                try {
                    try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                        ByteBuffer buf = ByteBuffer.wrap(bytes);
                        while (buf.hasRemaining()) out.write(buf);
                        out.force(true);
                    }
                    if (executable) Files.setPosixFilePermissions(tmp, OWNER_ONLY);
                    try {
                        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    } catch (AtomicMoveNotSupportedException e) {
                        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                    success = true;
                } finally {
                    if (!success) Files.deleteIfExists(tmp);
                }
            }
        }
        if (!matches(target, bytes.length, hash)) {
            throw new IOException("extracted " + target + " but its content does not match the bundled library");
        }
        return target;
    }

    private static boolean matches(Path file, long size, String hash) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.size(file) != size) return false;
        return sha256(Files.readAllBytes(file)).equals(hash);
    }

    /** Creates {@code dir} 0700 if missing; refuses a symlink, another owner, or group/other access. */
    public static void ensurePrivateDirectory(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // another JVM created it: checked below like any existing directory
            }
            Files.setPosixFilePermissions(dir, OWNER_ONLY); // the umask may have removed bits
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("refusing " + dir + ": not a directory (or a symbolic link)");
        }
        int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int me = currentUid();
        if (owner != me) {
            throw new IOException("refusing " + dir + ": owned by uid " + owner + ", not by this user (uid "
                    + me + "); set -D" + EXTRACT_DIR_PROPERTY + " to a private directory");
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
        EnumSet<PosixFilePermission> open = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission p : perms) {
            if (!OWNER_ONLY.contains(p)) open.add(p);
        }
        if (!open.isEmpty()) {
            throw new IOException("refusing " + dir + ": group/other may access it (" + PosixFilePermissions.toString(perms)
                    + "); expected rwx------");
        }
    }

    /** Hex SHA-256 of {@code bytes} (names extraction and AOT cache directories). */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
