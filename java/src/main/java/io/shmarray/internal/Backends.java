package io.shmarray.internal;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Chooses the {@link Backend} once per JVM: {@code ffm} (java.lang.foreign) on JDK 22 and newer,
 * {@code jna} before that, unless the system property {@value #PROPERTY} says {@code jna},
 * {@code ffm} or {@code auto}. The choice and the library path are logged once at DEBUG level
 * through {@code System.Logger} ("io.shmarray").
 *
 * <p>A failure (no library, ABI mismatch, a jar that lost {@code META-INF/versions/22}) is kept
 * and thrown, with its full explanation, from every later {@link #get()} call, never hidden
 * behind a {@code NoClassDefFoundError}.
 */
public final class Backends {

    /** System property selecting the backend: {@code auto} (default), {@code jna} or {@code ffm}. */
    public static final String PROPERTY = "io.shmarray.backend";

    /** The ABI version this Java code was written against ({@code SHMARRAY_ABI_VERSION}). */
    public static final int EXPECTED_ABI_VERSION = 1;

    static final String FFM_CLASS = "io.shmarray.internal.FfmBackend";

    private static final System.Logger LOG = System.getLogger("io.shmarray");

    private static final class Selected {
        final Backend backend;
        final Path libraryPath;
        final Path librarySource;
        final String sha256;
        final String step;

        Selected(Backend backend, NativeLibraryLoader.Loaded<Backend> loaded) {
            this.backend = backend;
            this.libraryPath = loaded.path;
            this.librarySource = loaded.source;
            this.sha256 = loaded.sha256;
            this.step = loaded.step;
        }
    }

    /** A {@link Selected} or the {@link LinkageError} that prevented selection. */
    private static final Object STATE = select();

    private Backends() {}

    /** The backend of this JVM. */
    public static Backend get() {
        return selected().backend;
    }

    /**
     * Path of the loaded image of {@code libshmarray.so}: normally a sealed in-memory copy,
     * {@code /proc/<pid>/fd/<n>}, valid in this process only (see {@link VerifiedImages}).
     */
    public static Path libraryPath() {
        return selected().libraryPath;
    }

    /**
     * The file the library was read from ({@code -Dio.shmarray.library.path} or
     * {@code java.library.path}), or null when it came from the jar: what a child JVM is told to
     * load, beside {@link #librarySha256()}.
     */
    public static Path librarySource() {
        return selected().librarySource;
    }

    /** SHA-256 (hex) of the loaded library's bytes; child JVMs refuse any other library. */
    public static String librarySha256() {
        return selected().sha256;
    }

    /** Which loader step found the library, for diagnostics. */
    public static String loadedVia() {
        return selected().step;
    }

    private static Selected selected() {
        if (STATE instanceof Selected) return (Selected) STATE;
        LinkageError original = (LinkageError) STATE;
        LinkageError copy = original instanceof UnsatisfiedLinkError
                ? new UnsatisfiedLinkError(original.getMessage())
                : new LinkageError(original.getMessage());
        copy.initCause(original.getCause());
        throw copy;
    }

    /** The backend kind chosen by the property and the JDK version, or an error message. */
    static String chooseKind(String property, int feature) {
        String requested = property == null ? "auto" : property.trim().toLowerCase(Locale.ROOT);
        switch (requested) {
            case "":
            case "auto":
                return feature >= 22 ? "ffm" : "jna";
            case "jna":
                return "jna";
            case "ffm":
                if (feature < 22) {
                    throw new LinkageError("-D" + PROPERTY + "=ffm needs JDK 22 or newer (java.lang.foreign);"
                            + " this JVM is JDK " + feature + ". Use -D" + PROPERTY + "=jna, or run on JDK 22+.");
                }
                return "ffm";
            default:
                throw new LinkageError("-D" + PROPERTY + "='" + property + "' is not a backend: use jna, ffm or auto");
        }
    }

    private static Object select() {
        try {
            int feature = Runtime.version().feature();
            String kind = chooseKind(System.getProperty(PROPERTY), feature);
            PlatformCheck.check(kind); // each platform problem named first, with its fix
            NativeLibraryLoader.Loaded<Backend> loaded = NativeLibraryLoader.load(
                    path -> open(kind, path), "the " + kind + " backend on JDK " + feature);
            LOG.log(Level.DEBUG, () -> "shmarray: " + kind + " backend on JDK " + Runtime.version()
                    + ", native library " + loaded.path + " (" + loaded.step + ")");
            return new Selected(loaded.value, loaded);
        } catch (LinkageError e) {
            return e;
        } catch (RuntimeException e) {
            return new LinkageError("shmarray could not initialise its native backend: " + e, e);
        }
    }

    /**
     * Binds a library with the given backend kind and checks the ABI handshake.
     *
     * @throws Exception when the library cannot be bound or its ABI differs
     */
    static Backend open(String kind, Path library) throws Exception {
        Backend b;
        if (kind.equals("jna")) {
            b = JnaBackend.open(library);
        } else {
            Class<?> c;
            try {
                c = Class.forName(FFM_CLASS);
            } catch (ClassNotFoundException e) {
                throw new LinkageError("The FFM backend (" + FFM_CLASS + ") is missing although this JVM is JDK "
                        + Runtime.version().feature() + ". It lives in META-INF/versions/22 of the shmarray jar:"
                        + " a repackaged (shaded/fat) jar without 'Multi-Release: true' in its manifest, or"
                        + " classes run from a directory instead of the jar, lose it. Fix the packaging, or set -D"
                        + PROPERTY + "=jna.", e);
            }
            try {
                b = (Backend) c.getDeclaredMethod("open", Path.class).invoke(null, library);
            } catch (java.lang.reflect.InvocationTargetException e) {
                Throwable cause = e.getCause();
                if (cause instanceof Exception) throw (Exception) cause;
                if (cause instanceof Error) throw (Error) cause;
                throw e;
            }
        }
        int abi = b.abiVersion();
        if (abi != EXPECTED_ABI_VERSION) {
            throw new UnsatisfiedLinkError(library + " has ABI version " + abi + " but this shmarray jar expects "
                    + EXPECTED_ABI_VERSION + ": a library from another shmarray version");
        }
        return b;
    }

    /**
     * A backend of the given kind bound to the library this JVM already loaded; for tests that
     * run the same contract against both implementations in one JVM.
     */
    public static Backend forTesting(String kind) throws Exception {
        return open(kind, libraryPath());
    }
}
