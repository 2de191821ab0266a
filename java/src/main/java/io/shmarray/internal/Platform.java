package io.shmarray.internal;

import java.util.Locale;

/**
 * The platform key that names the folder of the bundled native library inside the jar,
 * {@code io/shmarray/native/<key>/libshmarray.so}, e.g. {@code linux-x86-64}. The same rule is
 * applied by CMake ({@code cmake/ShmarrayPlatform.cmake}).
 */
public final class Platform {

    /** Folder of the bundled libraries inside the jar. */
    public static final String RESOURCE_ROOT = "io/shmarray/native";

    /** File name of the native library. */
    public static final String LIBRARY_FILE = "libshmarray.so";

    private Platform() {}

    /** The key for this JVM. */
    public static String key() {
        return key(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
    }

    /**
     * The key for an {@code os.name} / {@code os.arch} pair.
     *
     * @throws UnsupportedOperationException naming the platform when shmarray has no build for it
     */
    public static String key(String osName, String osArch) {
        String os = osName.toLowerCase(Locale.ROOT);
        String arch = osArch.toLowerCase(Locale.ROOT);
        String normalizedArch;
        switch (arch) {
            case "amd64":
            case "x86_64":
            case "x86-64":
                normalizedArch = "x86-64";
                break;
            case "aarch64":
            case "arm64":
                normalizedArch = "aarch64";
                break;
            default:
                normalizedArch = null;
        }
        if (!os.startsWith("linux") || normalizedArch == null) {
            throw new UnsupportedOperationException("shmarray supports linux-x86-64 and linux-aarch64"
                    + " (POSIX shared memory through a native shim); this JVM runs on os.name='"
                    + osName + "', os.arch='" + osArch + "'");
        }
        return "linux-" + normalizedArch;
    }

    /** The resource path of the bundled library for a key. */
    public static String resourcePath(String key) {
        return RESOURCE_ROOT + "/" + key + "/" + LIBRARY_FILE;
    }

    private static volatile long pidns = -1;

    /**
     * This process's pid namespace (the inode of {@code /proc/self/ns/pid}), or 0 when it cannot be
     * read. A pid means something only in its namespace: containers sharing /dev/shm do not share one.
     */
    public static long pidNamespace() {
        long n = pidns;
        if (n >= 0) return n;
        try {
            n = ((Number) java.nio.file.Files.getAttribute(java.nio.file.Path.of("/proc/self/ns/pid"), "unix:ino"))
                    .longValue();
        } catch (java.io.IOException | RuntimeException e) {
            n = 0;
        }
        pidns = n;
        return n;
    }

    private static volatile long boot = -1;

    /**
     * This boot, as {@code shmarray_boot_id} computes it: the two 64-bit halves of
     * {@code /proc/sys/kernel/random/boot_id} xor-ed, sign bit cleared, never 0; 0 when unreadable.
     * An owner recorded under another boot is dead (a /dev/shm that outlived a reboot).
     */
    public static long bootId() {
        long b = boot;
        if (b >= 0) return b;
        try {
            String hex = readProcFile("/proc/sys/kernel/random/boot_id").replaceAll("[^0-9a-fA-F]", "");
            if (hex.length() != 32) throw new IllegalStateException("boot_id: " + hex);
            b = (Long.parseUnsignedLong(hex.substring(0, 16), 16) ^ Long.parseUnsignedLong(hex.substring(16), 16))
                    & Long.MAX_VALUE;
            if (b == 0) b = 1;
        } catch (java.io.IOException | RuntimeException e) {
            b = 0;
        }
        boot = b;
        return b;
    }

    /**
     * The whole text of a /proc file. Not {@code Files.readString}: /proc files report a size of 0,
     * and for some (e.g. {@code /proc/sys/vm/max_map_count}) it returns only the first byte.
     */
    public static String readProcFile(String path) throws java.io.IOException {
        try (java.io.FileInputStream in = new java.io.FileInputStream(path)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        }
    }

    /** Whether an owner recorded under boot digest {@code b} ran in this boot (0 = unknown counts as this). */
    public static boolean isThisBoot(long b) {
        if (b == 0) return true;
        long mine = bootId();
        return mine == 0 || mine == b;
    }

    /**
     * Whether an owner recorded with pid namespace {@code ns} can be judged here: 0 (unknown, as in
     * headers written before the field existed) or this process's own ({@code shmarray_pidns_is_ours}).
     */
    public static boolean isOurPidNamespace(long ns) {
        if (ns == 0) return true;
        long mine = pidNamespace();
        return mine != 0 && mine == ns;
    }
}
