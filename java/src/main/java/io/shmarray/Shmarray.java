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
 *   <li>{@code io.shmarray.library.path}: an explicit {@code libshmarray.so} to load first (it
 *       must be a file of this user or root that nobody else can write, in directories nobody
 *       else can change);
 *   <li>{@code io.shmarray.extract.dir}: this user's private directory for the files shmarray
 *       writes: AOT caches for workers, and the native images when no {@code memfd} can be used
 *       (default {@code ${java.io.tmpdir}/shmarray-<uid>}; refused, with the reason, when another
 *       user owns or can write it);
 *   <li>{@code io.shmarray.memfd} = {@code false}: stage the native library and the reaper as
 *       files in that directory instead of sealed in-memory copies.
 * </ul>
 * Run with {@code --enable-native-access=ALL-UNNAMED} (the jar's manifest sets it for
 * {@code java -jar}) so JDK 24+ does not warn about native access.
 */
public final class Shmarray {

    private Shmarray() {}

    /** {@return the native backend in use: {@code "ffm"} (java.lang.foreign) or {@code "jna"}} */
    public static String backendName() {
        return Backends.get().name();
    }

    /**
     * The loaded image of the native library: normally a sealed in-memory copy,
     * {@code /proc/<pid>/fd/<n>}, meaningful in this process only; see
     * {@link #nativeLibrarySource()} for where its bytes came from.
     *
     * @return the path the library was loaded from
     */
    public static Path nativeLibraryPath() {
        return Backends.libraryPath();
    }

    /** {@return the SHA-256 (hex) of the loaded native library's bytes, as verified before loading} */
    public static String nativeLibrarySha256() {
        return Backends.librarySha256();
    }

    /** {@return how the loader found the library (which step of its chain) and how it was staged} */
    public static String nativeLibrarySource() {
        return Backends.loadedVia();
    }

    /** {@return the native library's ABI version} */
    public static int abiVersion() {
        return Backends.get().abiVersion();
    }

    /** {@return this library's version, from the jar manifest, or {@code "dev"} outside a jar} */
    public static String version() {
        String v = Shmarray.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
