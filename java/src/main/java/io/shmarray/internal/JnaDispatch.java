package io.shmarray.internal;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Path;

/**
 * Makes JNA load its own native part, {@code libjnidispatch.so}, from this user's verified private
 * directory instead of unpacking it wherever it finds room. Left alone, JNA unpacks it into
 * {@code ~/.cache/JNA/temp} or — when that is not writable — into {@code java.io.tmpdir}, checks
 * nobody's ownership there, and loads it by path: in a shared {@code /tmp} another user could
 * plant or swap it. Here its bytes are read from JNA's own jar, extracted with
 * {@link VerifiedImages#stageAsFile} (every directory checked first), and JNA is pointed at that
 * directory ({@code jna.boot.library.path}, {@code jna.nounpack}, {@code jna.nosys}). A memfd cannot
 * serve here: JNA loads through {@code System.load}, which canonicalizes the path.
 *
 * <p>Runs before the first use of any JNA class ({@link Libc} on JDK 17–21, {@link JnaBackend});
 * does nothing when the application already set {@code jna.boot.library.path} (its choice) or
 * when JNA is not on the class path.
 */
final class JnaDispatch {

    static final String BOOT_PATH = "jna.boot.library.path";
    private static final System.Logger LOG = System.getLogger("io.shmarray");
    private static boolean prepared;

    private JnaDispatch() {}

    static synchronized void prepare() {
        if (prepared) return;
        prepared = true;
        if (System.getProperty(BOOT_PATH) != null) return;
        try {
            ClassLoader loader;
            try { // not initialized: JNA's static set-up must see the properties below
                loader = Class.forName("com.sun.jna.Native", false, JnaDispatch.class.getClassLoader()).getClassLoader();
            } catch (ClassNotFoundException e) {
                return; // no JNA: the caller's own error says so
            }
            byte[] bytes;
            try (InputStream in = loader.getResourceAsStream("com/sun/jna/" + Platform.key() + "/libjnidispatch.so")) {
                if (in == null) return; // a JNA without this platform: its own error will say so
                bytes = in.readAllBytes();
            }
            Path file = VerifiedImages.stageAsFile("libjnidispatch.so", bytes, false, NativeLibraryLoader.extractRoot()).path;
            System.setProperty(BOOT_PATH, file.getParent().toString());
            System.setProperty("jna.nounpack", "true");
            System.setProperty("jna.nosys", "true");
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "shmarray: could not place JNA's native library in a verified private directory ("
                    + e.getMessage() + "); JNA unpacks it by its own rules");
        }
    }
}
