package io.shmarray;

import io.shmarray.internal.Backends;
import java.nio.file.Path;

/**
 * Facts about shmarray in this JVM: its version, the native backend in use and where its native
 * library was loaded from.
 *
 * <pre>{@code
 * System.out.println("shmarray " + Shmarray.version() + " on the " + Shmarray.backendName()
 *         + " backend, library " + Shmarray.nativeLibraryPath());
 * }</pre>
 *
 * <p><b>System properties</b> (read once, when shmarray is first used):
 * <ul>
 *   <li>{@code io.shmarray.backend} = {@code auto} (default: {@code ffm} on JDK 22+, else
 *       {@code jna}), {@code jna} or {@code ffm};
 *   <li>{@code io.shmarray.library.path}: an explicit {@code libshmarray.so} to load first;
 *   <li>{@code io.shmarray.extract.dir}: where the bundled library is extracted (default
 *       {@code ${java.io.tmpdir}/shmarray-<uid>}, shared by this user's JVMs).
 * </ul>
 * Run with {@code --enable-native-access=ALL-UNNAMED} (the jar's manifest sets it for
 * {@code java -jar}) so JDK 24+ does not warn about native access.
 */
public final class Shmarray {

    private Shmarray() {}

    /** {@code "ffm"} (java.lang.foreign) or {@code "jna"}. */
    public static String backendName() {
        return Backends.get().name();
    }

    /** Where the native library was loaded from. */
    public static Path nativeLibraryPath() {
        return Backends.libraryPath();
    }

    /** How the loader found the library (which step of its chain). */
    public static String nativeLibrarySource() {
        return Backends.loadedVia();
    }

    /** The native library's ABI version. */
    public static int abiVersion() {
        return Backends.get().abiVersion();
    }

    /** This library's version, from the jar manifest, or {@code "dev"} outside a jar. */
    public static String version() {
        String v = Shmarray.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
