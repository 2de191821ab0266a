package io.shmarray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shmarray.internal.ChildJvm;
import io.shmarray.internal.TrustedPaths;
import io.shmarray.testing.NoLeaks;
import io.shmarray.testing.TestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two containers sharing /dev/shm but not a pid namespace (RELIABILITY.md R26): a JVM in another
 * pid namespace — where this test's pid means nothing or someone else — must never judge this
 * process's segments dead. Run with {@code unshare --pid --fork --mount-proc} as root; skipped
 * with the reason elsewhere.
 */
@ExtendWith(NoLeaks.class)
class PidNamespaceTest {

    private static List<String> inNewPidNamespace(String... mainArgs) {
        List<String> cmd = new ArrayList<>(List.of("unshare", "--pid", "--fork", "--mount-proc"));
        cmd.addAll(ChildJvm.command("io.shmarray.cli.Main", List.of(mainArgs)));
        return cmd;
    }

    @Test
    @Timeout(240)
    void aJvmInAnotherPidNamespaceNeverReclaimsALiveOwnersSegment() throws Exception {
        if (TrustedPaths.currentUid() != 0) TestSupport.skip("needs root to create a pid namespace with unshare");
        TestSupport.Run probe = TestSupport.run(List.of("unshare", "--pid", "--fork", "--mount-proc", "true"), Map.of(), 30);
        if (probe.exitCode != 0) TestSupport.skip("unshare --pid is not permitted here: " + probe.output.strip());

        try (SharedDoubleArray a = SharedDoubleArray.create(100)) {
            a.set(1, 42);
            String name = a.name();
            // the sweep command, and the start-up sweep every JVM runs, in the other namespace
            TestSupport.Run sweep = TestSupport.run(inNewPidNamespace("sweep"), Map.of(), 120);
            assertEquals(0, sweep.exitCode, sweep.toString());
            assertFalse(sweep.output.contains("reclaimed " + name), "a live owner's segment was removed: " + sweep);
            assertTrue(sweep.output.contains("elsewhere " + name + " owner=" + ProcessHandle.current().pid()),
                    sweep.toString());
            assertTrue(Files.exists(Path.of("/dev/shm", name)), "the segment survives");

            TestSupport.Run ls = TestSupport.run(inNewPidNamespace("ls"), Map.of(), 120);
            assertEquals(0, ls.exitCode, ls.toString());
            assertTrue(ls.output.lines().anyMatch(l -> l.startsWith(name) && l.contains("in another pid namespace")),
                    ls.toString());
            assertEquals(42.0, a.get(1), "the data is intact");
            assertTrue(Inventory.inspect(name).orElseThrow().ownerAlive(), "seen from here, its owner is alive");
        }
    }
}
