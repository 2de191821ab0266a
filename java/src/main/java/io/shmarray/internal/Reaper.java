package io.shmarray.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * This process's reaper helper ({@code shmarray-reaper}, see {@code native/src/reaper.c}),
 * started on the first owner-scoped segment. Names are registered ({@code +NAME}) when created and
 * unregistered ({@code -NAME}) when this process removes them itself or gives up ownership; when
 * this process ends in any way — {@code kill -9} included — the helper sees end of file on its
 * stdin and removes what is still registered and still ours.
 *
 * <p>If the helper cannot be started (no executable, {@code noexec} temp directory, fork limits),
 * a warning is logged once and the startup sweep remains the only reclamation.
 *
 * <p>Its bytes come from {@value #PATH_PROPERTY} when set — read only after
 * {@link TrustedPaths#readTrusted} accepted the file — else from the copy bundled in the jar; they
 * are executed from a sealed in-memory copy ({@link VerifiedImages}), so what runs is exactly
 * what was verified. Nothing found "beside" the library or in a shared directory is ever run.
 * The helper names itself {@code shmarray-reaper} ({@code ps}, {@code /proc/<pid>/comm}).
 */
public final class Reaper {

    /** System property: explicit path of the {@code shmarray-reaper} executable. */
    public static final String PATH_PROPERTY = "io.shmarray.reaper.path";

    /** System property: {@code false} disables the helper (the sweep still runs). */
    public static final String ENABLED_PROPERTY = "io.shmarray.reaper";

    static final String EXECUTABLE = "shmarray-reaper";

    private static final System.Logger LOG = System.getLogger("io.shmarray");

    private static Process process;
    private static OutputStream pipe;
    private static boolean unavailable;
    private static Path executable;

    private Reaper() {}

    /** Registers an owner-scoped name. */
    static synchronized void register(String name) {
        send('+', name);
    }

    /** Forgets a name (removed by this process, or no longer its to remove). */
    static synchronized void unregister(String name) {
        if (process != null) send('-', name);
    }

    /** The executable in use, or null when none could be started yet. */
    public static synchronized Path executable() {
        return executable;
    }

    /** The helper's pid, or -1. */
    public static synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    private static void send(char op, String name) {
        if (!start()) return;
        try {
            pipe.write((op + name + "\n").getBytes(StandardCharsets.UTF_8));
            pipe.flush();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "shmarray: the reaper helper (pid " + process.pid() + ") is gone (" + e
                    + "); segments of this process will be reclaimed by the next sweep instead");
            unavailable = true;
            process = null;
        }
    }

    private static boolean start() {
        if (process != null) return true;
        if (unavailable) return false;
        if (!Boolean.parseBoolean(System.getProperty(ENABLED_PROPERTY, "true"))) {
            unavailable = true;
            return false;
        }
        try {
            VerifiedImages.Used<Process> used = VerifiedImages.use(EXECUTABLE, verifiedBytes(), true,
                    NativeLibraryLoader.extractRoot(), Reaper::launch);
            process = used.value;
            pipe = used.value.getOutputStream();
            executable = used.image.path;
            return true;
        } catch (Exception e) {
            LOG.log(Level.WARNING, "shmarray: cannot start the reaper helper (" + e + "); segments of this process"
                    + " killed with -9 are reclaimed by the next sweep instead of within seconds");
            unavailable = true;
            return false;
        }
    }

    private static Process launch(Path exe) throws IOException {
        return new ProcessBuilder(exe.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    /** The reaper's bytes: the verified explicit file, or the jar's copy. */
    private static byte[] verifiedBytes() throws IOException {
        String explicit = System.getProperty(PATH_PROPERTY);
        if (explicit != null && !explicit.isBlank()) {
            return TrustedPaths.readTrusted(Path.of(explicit), "-D" + PATH_PROPERTY
                    + " must name an executable of your own (or root's) that only its owner can write");
        }
        byte[] bytes = NativeLibraryLoader.bundled(EXECUTABLE);
        if (bytes == null) {
            throw new IOException(Platform.RESOURCE_ROOT + "/" + Platform.key() + "/" + EXECUTABLE
                    + " is not in the jar; set -D" + PATH_PROPERTY);
        }
        return bytes;
    }
}
