package io.shmarray.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PlatformTest {

    @Test
    void keysFollowTheCmakeRule() {
        assertEquals("linux-x86-64", Platform.key("Linux", "amd64"));
        assertEquals("linux-x86-64", Platform.key("Linux", "x86_64"));
        assertEquals("linux-aarch64", Platform.key("Linux", "aarch64"));
        assertEquals("io/shmarray/native/linux-x86-64/libshmarray.so", Platform.resourcePath("linux-x86-64"));
        assertEquals("linux-x86-64", Platform.key(), "this machine");
    }

    @Test
    void unsupportedPlatformsAreNamed() {
        UnsupportedOperationException mac = assertThrows(UnsupportedOperationException.class,
                () -> Platform.key("Mac OS X", "aarch64"));
        assertTrue(mac.getMessage().contains("Mac OS X") && mac.getMessage().contains("linux-x86-64"), mac.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> Platform.key("Windows 11", "amd64"));
        assertThrows(UnsupportedOperationException.class, () -> Platform.key("Linux", "riscv64"));
    }
}
