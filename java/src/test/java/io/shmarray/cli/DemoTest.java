package io.shmarray.cli;

import static io.shmarray.testing.TestSupport.alive;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shmarray.testing.NoLeaks;
import io.shmarray.testing.TestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The README's run command: the flagship demo, its output, and its cleanup after Ctrl-C and kill -9. */
@ExtendWith(NoLeaks.class)
class DemoTest {

    static final String MAIN = "io.shmarray.cli.Main";

    @Test
    @Timeout(180)
    void transformsInPlaceVerifiesAndLeavesNothing() throws Exception {
        TestSupport.Run r = TestSupport.runChild(List.of(), MAIN,
                List.of("--length", "6_000_000", "--workers", "2", "--slices", "12"), 150);
        assertEquals(0, r.exitCode, r.toString());
        String out = r.output;
        assertTrue(out.contains("verified all 6,000,000 values"), out);
        assertTrue(out.contains("transformed 6,000,000 doubles in place"), out);
        assertTrue(out.contains("SHARED, "), "explain shows the array as shared: " + out);
        assertTrue(out.contains("48,000,000 B not copied"), out);
        assertTrue(out.contains("EXTRAPOLATED"), "the serialization estimate is labelled: " + out);
        assertTrue(out.contains("progress [########################################] 12/12 slices"), out);
        assertTrue(out.contains("nothing of this run is left in /dev/shm"), out);
        String name = segmentName(out);
        assertFalse(Files.exists(Path.of("/dev/shm", name)), name);
        for (long pid : pids(out)) assertFalse(alive(pid), "worker " + pid + " still runs");
    }

    @Test
    @Timeout(120)
    void refusesWhatDevShmCannotHoldAndSaysWhatToDo() throws Exception {
        // far more than this machine's /dev/shm: checked before anything is created
        TestSupport.Run r = TestSupport.runChild(List.of(), MAIN, List.of("--length", "1_000_000_000_000"), 90);
        assertEquals(1, r.exitCode, r.toString());
        assertTrue(r.output.contains("this demo needs"), r.toString());
        assertTrue(r.output.contains("--shm-size"), r.toString());
        TestSupport.Run bad = TestSupport.runChild(List.of(), MAIN, List.of("--length", "-5"), 90);
        assertEquals(2, bad.exitCode, bad.toString());
        assertTrue(bad.output.contains("--length=-5, must be >= 1"), bad.toString());
    }

    @Test
    @Timeout(120)
    void ctrlCLeavesNoSegmentAndNoWorker() throws Exception {
        interruptMidway("INT");
    }

    @Test
    @Timeout(120)
    void killMinus9LeavesNoSegmentAndNoWorkerWithin5Seconds() throws Exception {
        interruptMidway("KILL");
    }

    private static void interruptMidway(String signal) throws Exception {
        try (TestSupport.Child demo = TestSupport.startChild(MAIN,
                List.of("--length", "2_000_000", "--workers", "2", "--slices", "200", "--pause-ms", "200"))) {
            demo.await("workers: a\\[i\\]", 90);
            String out = demo.output();
            String name = segmentName(out);
            List<Long> workers = pids(out);
            assertTrue(Files.exists(Path.of("/dev/shm", name)), "the segment exists while the demo runs");
            // every process the demo started: its workers, and the reaper helper
            List<Long> descendants = new ArrayList<>();
            demo.process.descendants().forEach(h -> descendants.add(h.pid()));
            assertTrue(descendants.containsAll(workers), descendants + " should include the workers " + workers);
            demo.signal(signal);
            long t0 = System.nanoTime();
            assertTrue(demo.process.waitFor(5, TimeUnit.SECONDS), "the demo exits within 5 s of SIG" + signal);
            long deadline = t0 + TimeUnit.SECONDS.toNanos(5);
            boolean clean = false;
            while (!clean && System.nanoTime() < deadline) {
                clean = !Files.exists(Path.of("/dev/shm", name)) && descendants.stream().noneMatch(TestSupport::alive);
                if (!clean) Thread.sleep(10);
            }
            System.out.printf("SIG%s: segment and all %d descendants %s (workers %s) gone %d ms after the signal%n", signal,
                    descendants.size(), descendants, workers, (System.nanoTime() - t0) / 1_000_000);
            assertFalse(Files.exists(Path.of("/dev/shm", name)), name + " left after SIG" + signal);
            for (long pid : descendants) assertFalse(alive(pid), "process " + pid + " left after SIG" + signal);
            if (signal.equals("INT")) {
                demo.await("interrupted: stopping the workers", 5);
            }
        }
    }

    private static String segmentName(String out) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("created '([^']+)'").matcher(out);
        assertTrue(m.find(), out);
        return m.group(1);
    }

    private static List<Long> pids(String out) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("pids \\[([0-9, ]+)\\]").matcher(out);
        assertTrue(m.find(), out);
        List<Long> pids = new ArrayList<>();
        for (String p : m.group(1).split(",\\s*")) pids.add(Long.parseLong(p.trim()));
        assertEquals(2, pids.size(), out);
        return pids;
    }
}
