package io.shmarray.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackendsTest {

    @Test
    void defaultFollowsTheJdk() {
        assertEquals("jna", Backends.chooseKind(null, 17));
        assertEquals("jna", Backends.chooseKind("auto", 21));
        assertEquals("ffm", Backends.chooseKind(null, 22));
        assertEquals("ffm", Backends.chooseKind(" AUTO ", 25));
    }

    @Test
    void overrides() {
        assertEquals("jna", Backends.chooseKind("jna", 25));
        assertEquals("ffm", Backends.chooseKind("FFM", 22));
    }

    @Test
    void impossibleChoicesSayWhy() {
        LinkageError old = assertThrows(LinkageError.class, () -> Backends.chooseKind("ffm", 17));
        assertTrue(old.getMessage().contains("JDK 22") && old.getMessage().contains("JDK 17"), old.getMessage());
        LinkageError bogus = assertThrows(LinkageError.class, () -> Backends.chooseKind("panama", 25));
        assertTrue(bogus.getMessage().contains("jna, ffm or auto"), bogus.getMessage());
    }

    @Test
    void workersReceiveTheParentsVerifiedChoices() {
        List<String> opts = ChildJvm.jvmOptions();
        assertTrue(opts.contains("--enable-native-access=ALL-UNNAMED"), opts.toString());
        assertTrue(opts.contains("-D" + NativeLibraryLoader.SHA256_PROPERTY + "=" + Backends.librarySha256()), opts.toString());
        assertTrue(opts.contains("-D" + NativeLibraryLoader.EXTRACT_DIR_PROPERTY + "=" + NativeLibraryLoader.extractRoot()),
                opts.toString());
        assertTrue(opts.contains("-Djava.io.tmpdir=" + Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath()),
                opts.toString());
        if (Backends.librarySource() == null) {
            assertFalse(opts.stream().anyMatch(o -> o.startsWith("-D" + NativeLibraryLoader.PATH_PROPERTY + "=")),
                    "the jar's own library: the child reads it from its own class path, checked by hash: " + opts);
        } else {
            assertTrue(opts.contains("-D" + NativeLibraryLoader.PATH_PROPERTY + "=" + Backends.librarySource()), opts.toString());
        }
        assertFalse(opts.stream().anyMatch(o -> o.contains("/proc/")), "a memfd path means nothing to a child: " + opts);
    }
}
