package io.shmarray.internal;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Decides whether a directory or file on disk can be trusted as this user's own before shmarray
 * reads, loads or executes anything from it, in the manner of OpenSSH's {@code secure_path} and
 * glibc's secure-mode checks:
 * <ul>
 *   <li>a <b>trusted ancestor</b> is a real directory (no symbolic link) owned by root or by this
 *       user, which group and others cannot write — unless its sticky bit is set, as on
 *       {@code /tmp}, where nobody else can rename or remove what this user created;
 *   <li>a <b>private directory</b> has only trusted ancestors and is itself a real directory owned
 *       by this user with no access for group or others ({@code rwx------});
 *   <li>a <b>trusted file</b> has only trusted ancestors (after resolving symbolic links once, up
 *       front) and is a regular file owned by root or this user that group and others cannot write.
 * </ul>
 * Every check runs <i>before</i> anything inside the path is looked at, and the verified real
 * path is what the caller uses afterwards, so that no link swapped in later is followed. A refusal
 * is an {@link IOException} that names the path, its owner and mode, and the property that
 * chooses another location.
 */
public final class TrustedPaths {

    private static final int STICKY = 01000;
    private static final int GROUP_OTHER_WRITE = 0022;
    private static final int GROUP_OTHER_ANY = 0077;

    private TrustedPaths() {}

    private static volatile int uid = -1;

    /**
     * The effective uid of this process, from the {@code Uid:} line of {@code /proc/self/status}
     * (not the owner of {@code /proc/self}, which is root for a non-dumpable process).
     */
    public static int currentUid() {
        int u = uid;
        if (u >= 0) return u;
        Platform.key(); // not Linux: say that, not that /proc is missing
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    u = Integer.parseInt(line.substring(4).trim().split("\\s+")[1]); // real, effective, saved, fs
                    uid = u;
                    return u;
                }
            }
            throw new IOException("no Uid: line");
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read this process's uid from /proc/self/status", e);
        }
    }

    /**
     * Creates {@code dir} (and missing parents) with mode 0700 when absent, then verifies it as a
     * private directory and returns its verified real path.
     *
     * @param remedy what the user can do when it is refused (e.g. the property to set)
     * @throws IOException naming the offending component, its owner and mode, and the remedy
     */
    public static Path privateDirectory(Path dir, String remedy) throws IOException {
        Path abs = dir.toAbsolutePath(); // not normalized: "a/link/.." means what the kernel says
        Path parent = abs.getParent();
        if (parent == null) throw new IOException("refusing " + abs + " as a private directory: it is the root");
        String last = abs.getFileName().toString();
        if (last.equals(".") || last.equals("..")) {
            throw new IOException("refusing " + abs + " as a private directory: name it without a trailing '"
                    + last + "'");
        }
        if (!Files.exists(parent, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(parent)) {
            privateDirectory(parent, remedy); // created 0700, like the directory itself
        }
        Path realParent = trustedDirectory(parent, remedy);
        Path target = realParent.resolve(abs.getFileName());
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectory(target, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------")); // umask
            } catch (FileAlreadyExistsException raced) {
                // another process created it: checked below like any existing directory
            }
        }
        int[] st = stat(target);
        if (isSymlink(st)) {
            throw refusal(target, st, "a symbolic link, not a directory", remedy);
        }
        if (!isDirectory(st)) throw refusal(target, st, "not a directory", remedy);
        int me = currentUid();
        if (st[1] != me) throw refusal(target, st, "owned by uid " + st[1] + ", not by this user (uid " + me + ")", remedy);
        if ((st[0] & GROUP_OTHER_ANY) != 0) {
            throw refusal(target, st, "group/other may access it; expected rwx------", remedy);
        }
        return target;
    }

    /**
     * Verifies every component of {@code dir}'s real path as a trusted ancestor and returns that
     * real path.
     */
    public static Path trustedDirectory(Path dir, String remedy) throws IOException {
        Path real;
        try {
            real = dir.toRealPath();
        } catch (NoSuchFileException e) {
            throw new IOException("refusing " + dir + ": it does not exist");
        }
        Path current = real.getRoot();
        checkAncestor(current, remedy);
        for (Path name : real) {
            current = current.resolve(name);
            checkAncestor(current, remedy);
        }
        return real;
    }

    /**
     * Reads a file only after verifying it as trusted (see the class comment), through its
     * verified real path and without following links; returns its bytes.
     */
    public static byte[] readTrusted(Path file, String remedy) throws IOException {
        Path abs = file.toAbsolutePath();
        Path real;
        try {
            real = abs.toRealPath();
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(abs + " does not exist");
        }
        trustedDirectory(real.getParent(), remedy);
        int[] st = stat(real);
        if (!isRegular(st)) throw refusal(real, st, "not a regular file", remedy);
        checkOwnerAndWrite(real, st, remedy);
        try (java.nio.channels.SeekableByteChannel ch = Files.newByteChannel(real,
                java.nio.file.StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
             java.io.InputStream in = java.nio.channels.Channels.newInputStream(ch)) {
            return in.readAllBytes();
        }
    }

    /**
     * Verifies a file inside an already verified private directory: a regular file (not a link)
     * owned by this user that group and others cannot write.
     *
     * @return false when the file does not exist
     */
    public static boolean isOwnFile(Path file, String remedy) throws IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) return false;
        int[] st = stat(file);
        if (!isRegular(st)) throw refusal(file, st, "not a regular file (or a symbolic link)", remedy);
        int me = currentUid();
        if (st[1] != me) throw refusal(file, st, "owned by uid " + st[1] + ", not by this user (uid " + me + ")", remedy);
        if ((st[0] & GROUP_OTHER_WRITE) != 0) throw refusal(file, st, "group/other may write it", remedy);
        return true;
    }

    private static void checkAncestor(Path dir, String remedy) throws IOException {
        int[] st = stat(dir);
        if (isSymlink(st)) throw refusal(dir, st, "a symbolic link appeared in a verified path", remedy);
        if (!isDirectory(st)) throw refusal(dir, st, "not a directory", remedy);
        checkOwner(dir, st, remedy);
        if ((st[0] & GROUP_OTHER_WRITE) != 0 && (st[0] & STICKY) == 0) {
            throw refusal(dir, st, "group/other may write it and it has no sticky bit, so another user could"
                    + " replace what is inside", remedy);
        }
    }

    private static void checkOwnerAndWrite(Path p, int[] st, String remedy) throws IOException {
        checkOwner(p, st, remedy);
        if ((st[0] & GROUP_OTHER_WRITE) != 0) throw refusal(p, st, "group/other may write it", remedy);
    }

    private static void checkOwner(Path p, int[] st, String remedy) throws IOException {
        int me = currentUid();
        if (st[1] != 0 && st[1] != me) {
            throw refusal(p, st, "owned by uid " + st[1] + ", neither root nor this user (uid " + me + ")", remedy);
        }
    }

    /** {mode, uid} of {@code p} itself (links not followed). */
    private static int[] stat(Path p) throws IOException {
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        int uid = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        return new int[] {mode, uid};
    }

    private static boolean isSymlink(int[] st) {
        return (st[0] & 0170000) == 0120000;
    }

    private static boolean isDirectory(int[] st) {
        return (st[0] & 0170000) == 0040000;
    }

    private static boolean isRegular(int[] st) {
        return (st[0] & 0170000) == 0100000;
    }

    /** The permission bits as {@code ls -l} shows them, sticky included. */
    static String modeString(int mode) {
        StringBuilder s = new StringBuilder(PosixFilePermissions.toString(
                PosixFilePermissions.fromString(rwx(mode))));
        if ((mode & STICKY) != 0) s.setCharAt(8, (mode & 0001) != 0 ? 't' : 'T');
        return s.toString();
    }

    private static String rwx(int mode) {
        String letters = "rwxrwxrwx";
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 9; i++) s.append((mode & (0400 >> i)) != 0 ? letters.charAt(i) : '-');
        return s.toString();
    }

    private static IOException refusal(Path p, int[] st, String why, String remedy) {
        return new IOException("refusing " + p + ": " + why + " (owner uid " + st[1] + ", mode "
                + modeString(st[0]) + "); " + remedy);
    }
}
