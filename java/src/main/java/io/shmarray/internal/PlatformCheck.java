package io.shmarray.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What this platform must offer before any native code is looked for, checked first so that
 * each problem gets its own message naming the platform and the fix — instead of whatever a later
 * step trips over (a missing {@code /proc}, a failed {@code dlopen}, a {@code NoClassDefFoundError}):
 * Linux on x86-64 or aarch64, glibc (the bundled shim is built against it), JNA for the JNA
 * backend, and an extraction directory that allows executing what is staged there.
 */
public final class PlatformCheck {

    private PlatformCheck() {}

    /**
     * All the checks for a backend of {@code kind} ({@code jna} or {@code ffm}).
     *
     * @throws LinkageError naming the platform and the fix
     */
    public static void check(String kind) {
        String key;
        try {
            key = Platform.key();
        } catch (UnsupportedOperationException e) {
            throw new LinkageError(e.getMessage() + ". Run on Linux (on macOS or Windows: in a Linux container or VM,"
                    + " e.g. docker run --shm-size=1g ...)");
        }
        boolean ownLibrary = System.getProperty(NativeLibraryLoader.PATH_PROPERTY) != null;
        if (!ownLibrary) {
            String musl = muslIn(readOrEmpty(Path.of("/proc/self/maps")));
            if (musl != null) throw new LinkageError(muslMessage(key, musl));
        }
        if (kind.equals("jna")) {
            checkJna();
            Path root = NativeLibraryLoader.extractRoot();
            String mount = noexecMountOf(root, readOrEmpty(Path.of("/proc/self/mountinfo")));
            if (mount != null) {
                throw new LinkageError("The JNA backend stages its native dispatch library as a file in " + root
                        + ", which is on a noexec mount (" + mount + "): nothing there can be loaded. Set -D"
                        + NativeLibraryLoader.EXTRACT_DIR_PROPERTY + " to a private directory on a filesystem that"
                        + " allows exec (e.g. ~/.cache/shmarray), or run on JDK 22+ (the FFM backend loads from memory)");
            }
        }
    }

    /** The message for a JVM on musl libc (the path of the musl loader seen in the maps). */
    static String muslMessage(String key, String muslPath) {
        return "This JVM runs on musl libc (" + muslPath + ", e.g. Alpine Linux), but the " + key + " "
                + Platform.LIBRARY_FILE + " bundled in the shmarray jar is built for glibc. Use a glibc-based image"
                + " (e.g. eclipse-temurin:17-jre, Debian, Ubuntu), or build native/ on this system with CMake and pass"
                + " -D" + NativeLibraryLoader.PATH_PROPERTY + "=/path/to/" + Platform.LIBRARY_FILE;
    }

    /** The JNA classes, or an error that names JNA and how to add it. */
    static void checkJna() {
        try {
            Class.forName("com.sun.jna.Native", false, PlatformCheck.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            boolean named = PlatformCheck.class.getModule().isNamed();
            throw new LinkageError("On JDK " + Runtime.version().feature() + " shmarray uses its JNA backend, and JNA"
                    + " is not " + (named ? "readable by module io.shmarray" : "on the class path") + ". Add"
                    + " net.java.dev.jna:jna:5.19.1 (Maven: <dependency><groupId>net.java.dev.jna</groupId>"
                    + "<artifactId>jna</artifactId><version>5.19.1</version></dependency>), or keep the lib/ folder the"
                    + " build leaves beside shmarray.jar (its manifest's Class-Path names lib/jna-5.19.1.jar)"
                    + (named ? "; on the module path also --add-modules com.sun.jna" : "")
                    + ". Or run on JDK 22+, which needs no JNA (java.lang.foreign).");
        }
    }

    /** The musl loader or libc named in {@code /proc/self/maps} content, or null. */
    static String muslIn(String maps) {
        for (String line : maps.split("\n")) {
            int slash = line.indexOf('/');
            if (slash < 0) continue;
            String path = line.substring(slash).trim();
            String file = path.substring(path.lastIndexOf('/') + 1);
            if (file.startsWith("ld-musl-") || file.startsWith("libc.musl-")) return path;
        }
        return null;
    }

    /**
     * The mount point and options of the mount holding {@code path} (its nearest existing
     * ancestor) when that mount is {@code noexec}, from {@code /proc/self/mountinfo} content;
     * otherwise null.
     */
    static String noexecMountOf(Path path, String mountinfo) {
        Path p = path.toAbsolutePath().normalize();
        while (p != null && !Files.exists(p)) p = p.getParent();
        if (p == null) return null;
        try {
            p = p.toRealPath();
        } catch (IOException e) {
            // keep the absolute path
        }
        String best = null;
        String bestOptions = null;
        for (String line : mountinfo.split("\n")) {
            String[] f = line.split(" ");
            if (f.length < 6) continue;
            String mountPoint = unescape(f[4]);
            if (!(p.startsWith(Path.of(mountPoint)))) continue;
            if (best == null || mountPoint.length() >= best.length()) { // later lines stack over earlier ones
                best = mountPoint;
                bestOptions = f[5];
            }
        }
        if (best == null) return null;
        for (String o : bestOptions.split(",")) {
            if (o.equals("noexec")) return best + " " + bestOptions;
        }
        return null;
    }

    /** mountinfo escapes space, tab, newline and backslash as octal. */
    private static String unescape(String s) {
        return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }

    static String readOrEmpty(Path p) {
        try {
            return Platform.readProcFile(p.toString());
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
