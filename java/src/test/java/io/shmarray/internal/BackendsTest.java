package io.shmarray.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    void workersReceiveTheLoadedLibrary() {
        assertTrue(ChildJvm.jvmOptions().contains("-D" + NativeLibraryLoader.PATH_PROPERTY + "=" + Backends.libraryPath()));
        assertTrue(ChildJvm.jvmOptions().contains("--enable-native-access=ALL-UNNAMED"));
    }
}
