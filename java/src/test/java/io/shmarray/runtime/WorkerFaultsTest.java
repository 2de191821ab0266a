package io.shmarray.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shmarray.ProtocolException;
import io.shmarray.testing.NoLeaks;
import io.shmarray.testing.TestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults a worker or its messages can have, each failing only what it must (RELIABILITY.md R20,
 * R24, R29): oversized tasks and results, a worker out of memory, a stderr flood without
 * newlines, a socket path longer than the OS allows, a close with no descriptor left.
 */
@ExtendWith(NoLeaks.class)
class WorkerFaultsTest {

    @TempDir
    Path tmp;

    @Test
    @Timeout(120)
    void anOversizedTaskOrResultFailsOnlyItself() throws Exception {
        String old = System.getProperty(WorkerOptions.MAX_FRAME_PROPERTY);
        System.setProperty(WorkerOptions.MAX_FRAME_PROPERTY, Integer.toString(1 << 20)); // passed on to the workers
        try (Pool pool = Pool.create(1)) {
            long pid = pool.workerPids().get(0);
            byte[] big = new byte[2 << 20];
            FrameTooLargeException task = assertThrows(FrameTooLargeException.class, () -> pool.submit(() -> big.length));
            assertTrue(task.getMessage().contains("the task of ") && task.getMessage().contains(WorkerOptions.MAX_FRAME_PROPERTY),
                    task.getMessage());
            assertThrows(FrameTooLargeException.class, () -> pool.map(i -> big.length + i, List.of(1), 1));

            ExecutionException result = assertThrows(ExecutionException.class,
                    () -> pool.submit(() -> new byte[2 << 20]).get());
            RemoteException r = assertInstanceOf(RemoteException.class, result.getCause());
            FrameTooLargeException cause = assertInstanceOf(FrameTooLargeException.class, r.getCause(), r.toString());
            assertTrue(cause.getMessage().contains("the task's result"), cause.getMessage());

            assertEquals(7, pool.submit(() -> 7).get());
            assertEquals(List.of(pid), pool.workerPids(), "the same worker throughout");
        } finally {
            if (old == null) System.clearProperty(WorkerOptions.MAX_FRAME_PROPERTY);
            else System.setProperty(WorkerOptions.MAX_FRAME_PROPERTY, old);
        }
    }

    @Test
    @Timeout(120)
    void aWorkerOutOfMemoryExitsAndItsTaskSaysWhy() throws Exception {
        try (Pool pool = Pool.builder().workers(1).options(WorkerOptions.defaults().withJvmOptions("-Xmx64m")).build()) {
            long pid = pool.workerPids().get(0);
            ExecutionException e = assertThrows(ExecutionException.class, () -> pool.submit(() -> {
                List<long[]> hog = new ArrayList<>();
                while (true) hog.add(new long[1 << 20]);
            }).get());
            WorkerDiedException died = assertInstanceOf(WorkerDiedException.class, e.getCause());
            assertTrue(died.getMessage().contains("OutOfMemoryError"), died.getMessage());
            assertTrue(died.getMessage().contains("-Xmx"), died.getMessage());
            assertEquals(7, pool.submit(() -> 7).get(), "a fresh worker takes the next task");
            assertNotEquals(List.of(pid), pool.workerPids(), "the damaged worker was replaced");
        }
    }

    @Test
    @Timeout(120)
    void aLongStderrLineIsPassedOnButNotKeptWhole() throws Exception {
        WorkerProcess<Integer> p = WorkerProcess.start(() -> {
            System.err.println("x".repeat(20_000)); // one line of 20,000 characters
            System.err.flush();
            Runtime.getRuntime().halt(3);
            return 0;
        });
        WorkerDiedException e = assertThrows(WorkerDiedException.class, p::result);
        assertEquals(3, e.exitCode(), e.getMessage());
        assertTrue(e.stderrTail().startsWith("xxxx"), "the output arrived");
        assertTrue(e.stderrTail().length() <= WorkerLauncher.TAIL_LINE_CHARS, "kept " + e.stderrTail().length() + " chars");
    }

    @Test
    @Timeout(120)
    void aSocketPathTooLongForTheOsIsAClearStartError() throws Exception {
        Path dir = tmp;
        while (dir.toString().length() < 120) dir = dir.resolve("a-rather-long-directory-name");
        Files.createDirectories(dir);
        TestSupport.Run r = TestSupport.runChild(List.of("-Djava.io.tmpdir=" + dir), RuntimeProbe.class.getName(),
                List.of("hello"), 90);
        assertNotEquals(0, r.exitCode, r.toString());
        assertTrue(r.output.contains("WorkerStartException") && r.output.contains("longer than a Unix socket path")
                && r.output.contains("-Djava.io.tmpdir"), r.toString());
    }

    @Test
    @Timeout(120)
    void anOwnerWithNoDescriptorLeftStillRemovesTheNameOnClose() throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/prlimit"))) TestSupport.skip("prlimit (util-linux) is not installed");
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/prlimit", "--nofile=400:400"));
        cmd.addAll(io.shmarray.internal.ChildJvm.command(io.shmarray.LifetimeProbe.class.getName(),
                List.of("close-without-fds")));
        TestSupport.Run r = TestSupport.run(cmd, Map.of(), 90);
        assertEquals(0, r.exitCode, r.toString());
        assertTrue(r.output.contains("EXHAUSTED after"), r.toString());
        assertTrue(r.output.contains("EXISTS false"), "the name was removed although no fd was left: " + r);
    }

    /** A task given to a worker that died while idle never ran there: it runs on the replacement. */
    @Test
    @Timeout(180)
    void aTaskSentToAnIdleWorkerThatJustDiedRunsOnItsReplacement() throws Exception {
        try (Pool pool = Pool.create(1)) {
            for (int round = 0; round < 5; round++) {
                long pid = pool.workerPids().get(0);
                ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // SIGKILL, then at once a task
                int r = round;
                assertEquals(r * 10, pool.submit(() -> r * 10).get(60, java.util.concurrent.TimeUnit.SECONDS),
                        "round " + round + ": the task was not lost with the dead worker");
                assertNotEquals(pid, pool.workerPids().get(0));
            }
        }
    }

    /** A result the parent's filter refuses fails only its task; the channel is in step, the worker serves on. */
    @Test
    @Timeout(120)
    void aResultTheFilterRefusesFailsOnlyItsTask() throws Exception {
        String old = System.getProperty(Codec.FILTER_PROPERTY);
        System.setProperty(Codec.FILTER_PROPERTY, "!java.util.LinkedList");
        try (Pool pool = Pool.create(1)) {
            long pid = pool.workerPids().get(0);
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> pool.submit(() -> new java.util.LinkedList<>(List.of(1, 2))).get(60, java.util.concurrent.TimeUnit.SECONDS));
            ProtocolException refused = assertInstanceOf(ProtocolException.class, e.getCause());
            assertTrue(refused.getMessage().contains("filter"), refused.getMessage());
            assertEquals(7, pool.submit(() -> 7).get(60, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(List.of(pid), pool.workerPids(), "the same worker serves on");
        } finally {
            if (old == null) System.clearProperty(Codec.FILTER_PROPERTY);
            else System.setProperty(Codec.FILTER_PROPERTY, old);
        }
    }
    /** R20: a pool whose workers cannot start fails at once, with their exit code and stderr; none is left. */
    @Test
    @Timeout(120)
    void aPoolWhoseWorkersCannotStartFailsInBoundedTimeAndLeavesNone() throws Exception {
        TestSupport.Run r = TestSupport.runChild(List.of(), RuntimeProbe.class.getName(), List.of("bad-classpath"), 90);
        assertEquals(0, r.exitCode, r.toString());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("START-FAILED in (\\d+) ms, exit code (-?\\d+)")
                .matcher(r.output);
        assertTrue(m.find(), r.toString());
        assertTrue(Long.parseLong(m.group(1)) < 30_000, "bounded: " + m.group(1) + " ms");
        assertEquals("1", m.group(2), "the worker JVM's own exit code: " + r);
        assertTrue(r.output.contains("Could not find or load main class"), "the stderr tail says why: " + r);
        assertTrue(r.output.contains("WORKERS-LEFT 0"), "no worker process left behind: " + r);
    }
}
