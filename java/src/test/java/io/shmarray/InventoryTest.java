package io.shmarray;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shmarray.internal.TrustedPaths;
import io.shmarray.testing.NoLeaks;
import io.shmarray.testing.TestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What {@link Inventory} lists: this user's segments only, as its Javadoc says. */
@ExtendWith(NoLeaks.class)
class InventoryTest {

    @Test
    void anotherUsersSegmentIsNotListedEvenWhenReadable() throws Exception {
        if (TrustedPaths.currentUid() != 0) TestSupport.skip("needs root to give a segment to another uid");
        try (SharedDoubleArray a = SharedDoubleArray.create(100)) {
            Path file = Path.of("/dev/shm", a.name());
            assertTrue(Inventory.list().stream().anyMatch(s -> s.name().equals(a.name())), "ours is listed");
            Files.setAttribute(file, "unix:uid", 65534);
            try {
                assertTrue(Files.isReadable(file), "root can still read it");
                assertFalse(Inventory.list().stream().anyMatch(s -> s.name().equals(a.name())),
                        "another user's segment is not listed");
                assertFalse(Inventory.inspect(a.name()).isPresent(), "nor inspected");
            } finally {
                Files.setAttribute(file, "unix:uid", 0);
            }
        }
    }

    @Test
    void aSegmentWhoseHeaderWasOverwrittenIsListedAsDamagedAndRemovedByItsOwner() throws Exception {
        SharedDoubleArray a = SharedDoubleArray.create(1000);
        String name = a.name();
        try (SharedByteArray raw = SharedByteArray.attachRaw(name, 0, AccessMode.READ_WRITE, 512)) {
            for (int i = 0; i < 64; i++) raw.set(i, (byte) 0x3f); // numpy writing 1.0 at offset 0 by mistake
        }
        Inventory.Segment s = Inventory.inspect(name).orElseThrow(() -> new AssertionError("hidden: " + name));
        assertTrue(s.problem() != null && s.problem().startsWith("damaged"), s.toString());
        assertTrue(Inventory.list().stream().anyMatch(x -> x.name().equals(name)), "listed by ls");
        String report = Inventory.sweep(true);
        assertTrue(report.contains("damaged " + name), report);
        a.close();
        assertFalse(Files.exists(Path.of("/dev/shm", name)), "its owner removed it on close");
    }
}
