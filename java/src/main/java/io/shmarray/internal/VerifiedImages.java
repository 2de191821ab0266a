package io.shmarray.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Makes bytes that were verified in memory loadable ({@code dlopen}) or executable ({@code exec})
 * <b>without any window</b> in which another process could change them:
 * <ol>
 *   <li>by default, an anonymous in-memory file ({@code memfd_create}), written once, then
 *       <b>sealed</b> against any write, shrink or growth, read back and compared, and reached
 *       through {@code /proc/<this pid>/fd/<n>}. Nothing is written to disk, no directory is
 *       trusted, and the descriptor stays open for the life of the JVM (one per image);
 *   <li>when {@code memfd_create} is unavailable (old kernels, seccomp filters) or
 *       {@value #MEMFD_PROPERTY}{@code =false}: a file in a <b>private directory</b> whose every
 *       ancestor was verified first ({@link TrustedPaths}), named by the content's SHA-256,
 *       extracted once under a file lock and shared by this user's JVMs. Only this user (and
 *       root) can change anything there.
 * </ol>
 * An image is staged once per JVM and content; later calls return the same path.
 */
public final class VerifiedImages {

    /** System property: {@code false} stages images as files in the extraction directory instead. */
    public static final String MEMFD_PROPERTY = "io.shmarray.memfd";

    /** What to do when a directory or file is refused. */
    static final String REMEDY = "set -D" + NativeLibraryLoader.EXTRACT_DIR_PROPERTY
            + " to a directory of your own that only you can access (or remove the offending entry)";

    private static final System.Logger LOG = System.getLogger("io.shmarray");
    private static final Map<String, Image> STAGED = new ConcurrentHashMap<>();

    /** A staged image: the path to load or execute, its content hash, and how it was staged. */
    public static final class Image {
        public final Path path;
        public final String sha256;
        public final String how;

        private final boolean inMemory;

        Image(Path path, String sha256, String how, boolean inMemory) {
            this.path = path;
            this.sha256 = sha256;
            this.how = how;
            this.inMemory = inMemory;
        }

        /** Whether this is a sealed in-memory copy (else a file in the private directory). */
        public boolean inMemory() {
            return inMemory;
        }
    }

    private VerifiedImages() {}

    /**
     * Stages {@code bytes} (already verified by the caller) as {@code fileName}.
     *
     * @param executable whether the image will be executed (files get mode 0700, else 0600)
     * @param extractRoot where files go when no memfd can be used
     */
    static Image stage(String fileName, byte[] bytes, boolean executable, Path extractRoot) throws IOException {
        String hash = sha256(bytes);
        String key = fileName + ':' + hash + ':' + executable;
        Image staged = STAGED.get(key);
        if (staged != null) return staged;
        synchronized (VerifiedImages.class) {
            staged = STAGED.get(key);
            if (staged != null) return staged;
            IOException memfdProblem = null;
            if (Boolean.parseBoolean(System.getProperty(MEMFD_PROPERTY, "true"))) {
                try {
                    staged = new Image(memfd(fileName, bytes), hash, "sealed in-memory copy (memfd)", true);
                } catch (IOException | RuntimeException | LinkageError e) {
                    memfdProblem = e instanceof IOException ? (IOException) e : new IOException(e.toString(), e);
                    LOG.log(Level.DEBUG, "shmarray: no memfd for " + fileName + " (" + e
                            + "); extracting it into a verified private directory instead");
                }
            }
            if (staged == null) {
                try {
                    staged = stageAsFile(fileName, bytes, executable, extractRoot);
                } catch (IOException e) {
                    if (memfdProblem != null) e.addSuppressed(memfdProblem);
                    throw e;
                }
            }
            STAGED.put(key, staged);
            return staged;
        }
    }

    /** Loads or executes a staged image; throws (anything) to refuse it. */
    @FunctionalInterface
    interface Use<T> {
        T apply(Path image) throws Exception;
    }

    /** What {@link #use} returned, and the image it was made from. */
    static final class Used<T> {
        final T value;
        final Image image;

        Used(T value, Image image) {
            this.value = value;
            this.image = image;
        }
    }

    /**
     * Stages {@code bytes} ({@link #stage}) and hands the image to {@code use} — {@code dlopen} it,
     * execute it. A sealed in-memory copy this system refuses to map or execute (an SELinux policy,
     * a {@code /proc/<pid>/fd} a child cannot open) is tried once more as a file in the verified
     * private directory; that second failure is thrown with the first one suppressed.
     */
    static <T> Used<T> use(String fileName, byte[] bytes, boolean executable, Path extractRoot, Use<T> use)
            throws Exception {
        Image image = stage(fileName, bytes, executable, extractRoot);
        try {
            return new Used<>(use.apply(image.path), image);
        } catch (Exception | LinkageError refused) {
            if (!image.inMemory()) throw refused;
            Image file = stageAsFile(fileName, bytes, executable, extractRoot);
            try {
                return new Used<>(use.apply(file.path), new Image(file.path, file.sha256,
                        file.how + "; the in-memory copy failed: " + refused, false));
            } catch (Exception | LinkageError again) {
                again.addSuppressed(refused);
                throw again;
            }
        }
    }

    /**
     * Stages {@code bytes} as a file in the verified private directory, whatever the memfd switch
     * says: the fallback for a system that creates a memfd but then refuses to map or execute it
     * (an SELinux policy, a non-dumpable parent whose {@code /proc/<pid>/fd} its children cannot
     * open).
     */
    static Image stageAsFile(String fileName, byte[] bytes, boolean executable, Path extractRoot) throws IOException {
        return new Image(extract(extractRoot, fileName, bytes, executable), sha256(bytes),
                "extracted to a verified private directory", false);
    }

    /**
     * Writes, seals and re-reads a memfd; returns its {@code /proc/<pid>/fd/<n>} path (a child
     * process can open that one, not {@code /proc/self}), after checking that this path reaches the
     * very same file as {@code /proc/self/fd/<n>}: a {@code /proc} mounted from another pid
     * namespace would name another process's descriptor.
     */
    private static Path memfd(String fileName, byte[] bytes) throws IOException {
        String name = "shmarray:" + fileName;
        int fd;
        try {
            fd = Libc.memfdCreate(name, LinuxAbi.MFD_CLOEXEC | LinuxAbi.MFD_ALLOW_SEALING | LinuxAbi.MFD_EXEC);
        } catch (LinuxAbi.Errno e) {
            if (e.errno != LinuxAbi.EINVAL) throw e;
            fd = Libc.memfdCreate(name, LinuxAbi.MFD_CLOEXEC | LinuxAbi.MFD_ALLOW_SEALING); // kernel < 6.3: no MFD_EXEC
        }
        boolean success = false;
        try {
            Path self = Path.of("/proc/self/fd/" + fd);
            try (FileChannel out = FileChannel.open(self, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) out.write(buf);
            }
            Libc.addSeals(fd, LinuxAbi.F_SEAL_SHRINK | LinuxAbi.F_SEAL_GROW | LinuxAbi.F_SEAL_WRITE | LinuxAbi.F_SEAL_SEAL);
            if (!Arrays.equals(bytes, Files.readAllBytes(self))) {
                throw new IOException("the sealed in-memory copy of " + fileName + " differs from the verified bytes");
            }
            Path byPid = Path.of("/proc/" + ProcessHandle.current().pid() + "/fd/" + fd);
            if (!Files.getAttribute(byPid, "unix:ino").equals(Files.getAttribute(self, "unix:ino"))
                    || !Files.getAttribute(byPid, "unix:dev").equals(Files.getAttribute(self, "unix:dev"))) {
                throw new IOException(byPid + " is not this process's descriptor (a /proc of another pid namespace)");
            }
            success = true;
            return byPid;
        } finally {
            if (!success) Libc.close(fd);
        }
    }

    /**
     * Extracts {@code bytes} once per content (its SHA-256 names the directory) into the private
     * directory {@code root}, verifying {@code root}, its ancestors and the content directory before
     * looking at any file inside. Safe for many JVMs and threads at once: writers serialize on a
     * lock file and publish by atomic rename; an existing file is reused only when it is this
     * user's own and its content matches.
     */
    static Path extract(Path root, String fileName, byte[] bytes, boolean executable) throws IOException {
        String hash = sha256(bytes);
        Path verifiedRoot = TrustedPaths.privateDirectory(root, REMEDY);
        Path dir = TrustedPaths.privateDirectory(verifiedRoot.resolve(hash.substring(0, 32)), REMEDY);
        Path target = dir.resolve(fileName);
        if (matches(target, bytes.length, hash)) return target;
        synchronized (VerifiedImages.class) { // FileLock is per JVM; threads queue here
            try (FileChannel lockChannel = FileChannel.open(dir.resolve(".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
                 FileLock ignored = lockChannel.lock()) {
                if (matches(target, bytes.length, hash)) return target;
                Path tmp = Files.createTempFile(dir, fileName, ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                boolean success = false;
                try {
                    try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                        ByteBuffer buf = ByteBuffer.wrap(bytes);
                        while (buf.hasRemaining()) out.write(buf);
                        out.force(true);
                    }
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(executable ? "rwx------" : "rw-------"));
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
            throw new IOException("extracted " + target + " but its content does not match the verified bytes");
        }
        return target;
    }

    private static boolean matches(Path file, long size, String hash) throws IOException {
        if (!TrustedPaths.isOwnFile(file, REMEDY) || Files.size(file) != size) return false;
        return sha256(Files.readAllBytes(file)).equals(hash);
    }

    /** Hex SHA-256 of {@code bytes}. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
