package io.shmarray.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shmarray.ProtocolException;
import io.shmarray.internal.ChildJvm;
import io.shmarray.testing.NoLeaks;
import io.shmarray.testing.TestSupport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Per-pool settings (filter, frame cap), worker launch options, and the worker stderr prefix. */
@ExtendWith(NoLeaks.class)
class PoolSettingsTest {

    private static Throwable failureOf(java.util.concurrent.CompletableFuture<?> f) throws Exception {
        try {
            f.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("no failure: " + f.get());
    }

    @Test
    @Timeout(120)
    void aPoolsSerialFilterReachesItsWorkersAndGuardsWhatComesBack() throws Exception {
        HashMap<String, Integer> captured = new HashMap<>(java.util.Map.of("a", 1));
        try (Pool plain = Pool.create(1)) { // control: the defaults allow both
            assertEquals(1, plain.submit(() -> captured.get("a")).get(60, TimeUnit.SECONDS));
            assertEquals(1, plain.submit(() -> new TreeMap<>(captured)).get(60, TimeUnit.SECONDS).size());
        }
        try (Pool pool = Pool.builder().workers(1).serialFilter("!java.util.HashMap;!java.util.TreeMap").build()) {
            // the worker decodes the task: its filter (the pool's) rejects the captured HashMap
            Throwable inWorker = failureOf(pool.submit(() -> captured.get("a")));
            assertTrue(String.valueOf(inWorker.getMessage()).contains("filter"), "worker side: " + inWorker);
            assertEquals("[-Dio.shmarray.serialFilter=!java.util.HashMap;!java.util.TreeMap]",
                    pool.apply(() -> ProcessHandle.current().info().arguments().map(List::of).orElse(List.of()).stream()
                            .filter(a -> a.startsWith("-Dio.shmarray.serialFilter=")).collect(java.util.stream.Collectors
                                    .toList()).toString()), "the filter as the worker got it");
            // this JVM decodes the result: the pool's filter rejects the TreeMap
            Throwable here = failureOf(pool.submit(() -> new TreeMap<>(java.util.Map.of("b", 2))));
            assertTrue(here instanceof ProtocolException && here.getMessage().contains("filter"), "parent side: " + here);
            assertEquals(5, pool.apply(() -> 5), "the worker survives a refused result");
        }
        assertThrows(IllegalArgumentException.class, () -> Pool.builder().serialFilter("maxdepth=x"),
                "a malformed pattern is refused when it is set");
    }

    @Test
    @Timeout(120)
    void aPoolsFrameCapAppliesBeforeSendingAndInItsWorkers() throws Exception {
        byte[] big = new byte[200_000];
        try (Pool pool = Pool.builder().workers(1).maxFrameBytes(64 * 1024).build()) {
            FrameTooLargeException e = assertThrows(FrameTooLargeException.class, () -> pool.submit(() -> big.length));
            assertTrue(e.getMessage().contains("65536"), e.getMessage());
            assertEquals("65536", pool.apply(() -> System.getProperty(WorkerOptions.MAX_FRAME_PROPERTY)));
            Throwable tooBigBack = failureOf(pool.submit(() -> new byte[200_000]));
            assertTrue(String.valueOf(tooBigBack.getMessage()).contains("65536"), "result over the cap: " + tooBigBack);
            assertEquals(3, pool.apply(() -> 3));
        }
        assertThrows(IllegalArgumentException.class, () -> Pool.builder().maxFrameBytes(10));
        assertThrows(IllegalArgumentException.class,
                () -> Pool.builder().heartbeat(Duration.ofSeconds(1), Duration.ofMillis(1500)),
                "a timeout under twice the period would kill healthy workers");
    }

    /** The worker JVMs that are children of this JVM now. */
    private static java.util.Set<Long> workerChildren() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                .filter(c -> c.info().commandLine().orElse("").contains(WorkerMain.class.getName()))
                .map(ProcessHandle::pid).collect(java.util.stream.Collectors.toSet());
    }

    @Test
    @Timeout(180)
    void aStandbyWorkerReplacesADeadOneAtOnce() throws Exception {
        try (Pool pool = Pool.builder().workers(1).standby(true).initializer(() -> System.setProperty("inited", "yes"))
                .build()) {
            long active = pool.workerPids().get(0);
            for (long end = System.nanoTime() + 60_000_000_000L; pool.stats().workersStarted() < 2
                    && System.nanoTime() < end; ) {
                Thread.sleep(20);
            }
            assertEquals(2, pool.stats().workersStarted(), "the standby started beside the worker");
            java.util.Set<Long> before = workerChildren();
            before.remove(active);
            assertEquals(1, before.size(), "one standby JVM besides the active worker: " + before);
            long standby = before.iterator().next();
            Throwable died = failureOf(pool.submit(() -> {
                Runtime.getRuntime().halt(9);
                return 0;
            }));
            assertTrue(died instanceof WorkerDiedException, String.valueOf(died));
            assertEquals(List.of(standby, (Object) "yes"), pool.apply(() -> List.of(ProcessHandle.current().pid(),
                    (Object) System.getProperty("inited"))), "the standby, initialised, took over");
            for (long end = System.nanoTime() + 60_000_000_000L; pool.stats().workersStarted() < 3
                    && System.nanoTime() < end; ) {
                Thread.sleep(20);
            }
            assertEquals(3, pool.stats().workersStarted(), "a new standby started in its place");
        }
        // NoLeaks: the standby is stopped with the pool
    }

    @Test
    @Timeout(120)
    void workersStartWithTheGivenClassPathAndJava(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("shmarray-marker.txt"), "here");
        WorkerOptions extra = WorkerOptions.defaults()
                .withClassPath(ChildJvm.classPath() + java.io.File.pathSeparator + dir);
        try (WorkerProcess<Boolean> p = WorkerProcess.start(extra,
                () -> ClassLoader.getSystemResource("shmarray-marker.txt") != null)) {
            assertTrue(p.result(), "the worker's class path lacks the extra entry");
        }
        try (WorkerProcess<Boolean> p = WorkerProcess.start(
                () -> ClassLoader.getSystemResource("shmarray-marker.txt") != null)) {
            assertTrue(!p.result(), "control: the default class path has no such entry");
        }
        assertThrows(IllegalArgumentException.class, () -> WorkerOptions.defaults().withJavaExecutable(dir));

        Path other = otherJdk();
        if (other == null) {
            TestSupport.skip("no second JDK under /usr/lib/jvm besides " + System.getProperty("java.home"));
        }
        int feature = featureOf(other);
        try (WorkerProcess<Integer> p = WorkerProcess.start(WorkerOptions.defaults().withJavaExecutable(other),
                () -> Runtime.version().feature())) {
            assertEquals(feature, p.result(), "the worker did not run on " + other);
        }
    }

    /** A JDK 17+ {@code bin/java} of another feature version than this JVM, or null. */
    private static Path otherJdk() throws Exception {
        Path here = Path.of(System.getProperty("java.home")).toRealPath();
        try (java.util.stream.Stream<Path> s = Files.list(Path.of("/usr/lib/jvm"))) {
            for (Path jdk : (Iterable<Path>) s.sorted()::iterator) {
                Path bin = jdk.resolve("bin/java");
                if (!Files.isExecutable(bin) || jdk.toRealPath().equals(here)) continue;
                int f = featureOf(bin);
                if (f >= 17 && f != Runtime.version().feature()) return bin;
            }
        } catch (java.io.IOException e) {
            return null;
        }
        return null;
    }

    private static int featureOf(Path javaBin) throws Exception {
        TestSupport.Run r = TestSupport.run(List.of(javaBin.toString(), "-XshowSettings:properties", "-version"),
                java.util.Map.of(), 60);
        for (String l : r.output.split("\n")) {
            l = l.strip();
            if (l.startsWith("java.specification.version = ")) {
                return Integer.parseInt(l.substring("java.specification.version = ".length()).trim());
            }
        }
        return -1;
    }

    @Test
    @Timeout(180)
    void parentJvmOptionsReachTheWorkersOnlyWhenAskedFor() throws Exception {
        TestSupport.Run r = TestSupport.runChild(List.of("-Dprobe.flag=yes", "-Xmx300m", "-ea"),
                RuntimeProbe.class.getName(), List.of("parent-options"), 150);
        assertEquals(0, r.exitCode, r.toString());
        String plain = r.output.lines().filter(l -> l.startsWith("PLAIN ")).findFirst().orElse("");
        String inherit = r.output.lines().filter(l -> l.startsWith("INHERIT ")).findFirst().orElse("");
        assertTrue(plain.startsWith("PLAIN null ") && plain.endsWith(" false"), "without the option: " + r);
        String[] f = inherit.split(" ");
        assertEquals("yes", f[1], r.toString());
        long mb = Long.parseLong(f[2]);
        assertTrue(mb > 200 && mb <= 300, "-Xmx300m gave " + mb + " MiB");
        assertEquals("true", f[3], "-ea");
    }

    @Test
    @Timeout(120)
    void workerStderrLinesNameTheirWorker() throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        long pid;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            try (WorkerProcess<Long> p = WorkerProcess.start(() -> {
                System.err.println("first line");
                System.err.print("second ");
                System.err.flush();
                Thread.sleep(100);
                System.err.println("line, in two writes");
                return ProcessHandle.current().pid();
            })) {
                pid = p.result();
            }
            try (WorkerProcess<Integer> p = WorkerProcess.start(WorkerOptions.defaults().withStderrPrefix(false), () -> {
                System.err.println("unprefixed line");
                return 0;
            })) {
                p.result();
            }
            Thread.sleep(300); // the pumps copy what is left
        } finally {
            System.setErr(original);
        }
        String err = captured.toString(StandardCharsets.UTF_8);
        assertTrue(err.contains("[worker " + pid + "] first line\n"), err);
        assertTrue(err.contains("[worker " + pid + "] second line, in two writes\n"), err);
        assertTrue(err.lines().anyMatch(l -> l.equals("unprefixed line")), err);
    }
}
