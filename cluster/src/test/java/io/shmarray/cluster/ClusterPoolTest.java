package io.shmarray.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shmarray.AccessMode;
import io.shmarray.SharedArray;
import io.shmarray.SharedDoubleArray;
import io.shmarray.runtime.MapResults;
import io.shmarray.runtime.Pool;
import io.shmarray.ProtocolException;
import io.shmarray.runtime.RemoteException;
import io.shmarray.runtime.SerializableCallable;
import io.shmarray.runtime.TaskPool;
import io.shmarray.runtime.TaskTimeoutException;
import io.shmarray.runtime.WorkerDiedException;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * A cluster on one machine: the driver (lite member, node A), two embedded compute members (node A
 * and node B) in this JVM and one compute member in a child JVM (node B). Node B's members share
 * one copy of each array from node A; node A's member uses the arrays in place.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterPoolTest {

    /** Initializer runs per member id (embedded members share this JVM's statics). */
    static final Map<String, AtomicLong> INITS = new ConcurrentHashMap<>();
    /** Tasks interrupted on their member, per member id. */
    static final Map<String, AtomicLong> INTERRUPTED = new ConcurrentHashMap<>();

    private final byte[] secret = new byte[32];
    private final String cluster = "shmarray-test-" + Long.toHexString(new SecureRandom().nextLong());
    private ClusterNode driver;
    private ClusterNode a1;
    private ClusterNode b1;
    private Process b2;
    private String b2Id;
    private Path dir;
    private String[] members;

    private List<String> segmentsBefore;

    /** The shmarray segments in /dev/shm now. */
    private static List<String> segments() throws Exception {
        try (Stream<Path> s = Files.list(Path.of("/dev/shm"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("shmarray-")).sorted().collect(Collectors.toList());
        }
    }

    @BeforeAll
    void startCluster() throws Exception {
        segmentsBefore = segments();
        System.out.println("lane: " + System.getProperty("io.shmarray.test.lane", "(none)") + ", JDK " + Runtime.version());
        new SecureRandom().nextBytes(secret);
        dir = Files.createTempDirectory("shmarray-cluster-test");
        Path secretFile = dir.resolve("secret");
        Files.write(secretFile, java.util.HexFormat.of().formatHex(secret).getBytes(StandardCharsets.US_ASCII));
        Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-------"));
        int[] ports = freePorts(5);
        members = Arrays.stream(ports).mapToObj(p -> "127.0.0.1:" + p).toArray(String[]::new);
        byte[] key = java.util.HexFormat.of().formatHex(secret).getBytes(StandardCharsets.US_ASCII); // as the file holds it
        driver = node(ports[0], "A", key).driver().start();
        a1 = node(ports[1], "A", key).start();
        b1 = node(ports[2], "B", key).start();
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        cmd.addAll(ClusterNode.jvmOptions());
        cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                ClusterNode.class.getName(), "--cluster", cluster, "--members", String.join(",", members),
                "--port", Integer.toString(ports[3]), "--bind", "127.0.0.1", "--node-id", "B", "--threads", "2",
                "--secret-file", secretFile.toString(), "--log-level", "SEVERE"));
        b2 = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(b2.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("shmarray cluster member ")) System.out.println("[b2] " + line);
        if (line == null) throw new AssertionError("the child member exited before joining: exit " + b2.waitFor());
        b2Id = line.split(" ")[3];
        Thread echo = new Thread(() -> out.lines().forEach(l -> System.out.println("[b2] " + l)));
        echo.setDaemon(true);
        echo.start();
        long end = System.nanoTime() + 60_000_000_000L;
        while (driver.computeMembers().size() < 3) {
            assertTrue(System.nanoTime() < end, "3 compute members expected, have " + driver.computeMembers());
            Thread.sleep(20);
        }
    }

    private ClusterNode.Builder node(int port, String node, byte[] key) {
        return ClusterNode.builder().clusterName(cluster).members(members).bind("127.0.0.1").port(port).portCount(1)
                .nodeId(node).threads(2).secret(key).hazelcastLogLevel(java.util.logging.Level.SEVERE);
    }

    private static int[] freePorts(int n) throws Exception {
        List<ServerSocket> s = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) s.add(new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()));
            return s.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } finally {
            for (ServerSocket x : s) x.close();
        }
    }

    @AfterAll
    void stopCluster() throws Exception {
        if (b2 != null) {
            b2.destroy();
            if (!b2.waitFor(20, TimeUnit.SECONDS)) b2.destroyForcibly().waitFor();
        }
        for (ClusterNode n : new ClusterNode[] {a1, b1, driver}) {
            if (n != null) n.close();
        }
        if (dir != null) {
            Files.deleteIfExists(dir.resolve("secret"));
            Files.deleteIfExists(dir);
        }
        assertEquals(List.of(), nodeCopies(), "node copies left in /dev/shm");
        List<String> left = new ArrayList<>(segments());
        left.removeAll(segmentsBefore);
        assertEquals(List.of(), left, "segments of this test left in /dev/shm");
    }

    /** The node copies in /dev/shm now. */
    private static List<String> nodeCopies() throws Exception {
        try (Stream<Path> s = Files.list(Path.of("/dev/shm"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("shmarray-nc-")).sorted().collect(Collectors.toList());
        }
    }

    private static void awaitNoNodeCopies() throws Exception {
        long end = System.nanoTime() + 10_000_000_000L;
        while (!nodeCopies().isEmpty() && System.nanoTime() < end) Thread.sleep(20);
        assertEquals(List.of(), nodeCopies(), "node copies left in /dev/shm after the pool closed");
    }

    /** Code written once against TaskPool runs on a local pool and on the cluster alike. */
    static List<Integer> squares(TaskPool pool) {
        return pool.map(x -> x * x, List.of(1, 2, 3, 4, 5), 2);
    }

    @Test
    @Order(1)
    void theTaskApiRunsOnTheMembers() throws Exception {
        try (ClusterPool pool = ClusterPool.builder(driver).build()) {
            assertEquals(6, pool.parallelism());
            assertEquals(42, pool.apply(() -> 42));
            assertEquals(21 * 2, (int) pool.apply((Integer x) -> x * 2, 21));
            assertEquals("B", pool.submit(() -> "B").get(30, TimeUnit.SECONDS));
            List<Integer> items = IntStream.range(0, 1000).boxed().collect(Collectors.toList());
            List<Long> progress = new ArrayList<>();
            assertEquals(items.stream().map(x -> x + 1).collect(Collectors.toList()),
                    pool.map(x -> x + 1, items, 7, (done, total) -> progress.add(done)));
            assertEquals(1000L, progress.get(progress.size() - 1));
            assertEquals(items.stream().map(x -> 2 * x).collect(Collectors.toList()), pool.map(x -> 2 * x, items));
            assertEquals(List.of(1024.0, 9.0), pool.starmap(Math::pow, List.of(Map.entry(2.0, 10.0), Map.entry(3.0, 2.0)), 1));
            assertEquals(List.of(2, 4, 6), pool.map(x -> 2 * x, Stream.of(1, 2, 3), 1));
            assertEquals(List.of(1, 4, 9, 16, 25), squares(pool));
            try (Pool local = Pool.create(1)) {
                assertEquals(squares(local), squares(pool), "the same code on a local pool and on the cluster");
            }
            try (MapResults<Integer> r = pool.imap(x -> x * 3, IntStream.range(0, 100).iterator(), 3)) {
                int i = 0;
                while (r.hasNext()) assertEquals(3 * i++, (int) r.next());
                assertEquals(100, i);
            }
            Set<Integer> unordered = new HashSet<>();
            try (MapResults<Integer> r = pool.imapUnordered(x -> x, IntStream.range(0, 100).iterator(), 9)) {
                r.forEachRemaining(unordered::add);
            }
            assertEquals(IntStream.range(0, 100).boxed().collect(Collectors.toSet()), unordered);

            Map<String, String> where = pool.onEachMember(() -> ClusterContext.nodeId() + " " + ProcessHandle.current().pid());
            assertEquals(Set.of(a1.memberId(), b1.memberId(), b2Id), where.keySet());
            assertEquals("A " + ProcessHandle.current().pid(), where.get(a1.memberId()));
            assertEquals("B " + ProcessHandle.current().pid(), where.get(b1.memberId()));
            assertEquals("B " + b2.pid(), where.get(b2Id), "the child member is another JVM");
            assertFalse(ClusterContext.inClusterTask());

            ExecutorService ex = pool.asExecutorService();
            List<Callable<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int k = i;
                calls.add((SerializableCallable<Integer>) () -> k * 10);
            }
            List<Integer> got = new ArrayList<>();
            for (Future<Integer> f : ex.invokeAll(calls)) got.add(f.get());
            assertEquals(List.of(0, 10, 20, 30), got);
            Map<String, Long> stats = pool.stats();
            assertEquals(stats.get("submitted"), stats.get("completed"), "every job completed: " + stats);
            assertEquals(0L, stats.get("failed"));
        }
    }

    @Test
    @Order(2)
    void failuresAreTyped() throws Exception {
        try (ClusterPool pool = ClusterPool.builder(driver).taskTimeout(Duration.ofMillis(500)).build()) {
            RemoteException r = assertThrows(RemoteException.class, () -> pool.apply(() -> {
                throw new IllegalArgumentException("bad item");
            }));
            assertInstanceOf(IllegalArgumentException.class, r.getCause());
            assertEquals("bad item", r.getCause().getMessage());

            RemoteException chunk = assertThrows(RemoteException.class, () -> pool.map(x -> 10 / x, List.of(1, 0, 2), 1));
            assertInstanceOf(ArithmeticException.class, chunk.getCause());

            long t0 = System.nanoTime();
            assertThrows(TaskTimeoutException.class, () -> pool.apply(() -> {
                try {
                    Thread.sleep(20_000);
                } catch (InterruptedException e) {
                    INTERRUPTED.computeIfAbsent(ClusterContext.memberId(), k -> new AtomicLong()).incrementAndGet();
                    throw e;
                }
                return 1;
            }));
            assertTrue(System.nanoTime() - t0 < 10_000_000_000L, "the timeout ended the wait");
            long end = System.nanoTime() + 10_000_000_000L;
            long interrupted = 0;
            while (interrupted != 1 && System.nanoTime() < end) {
                interrupted = pool.onEachMember(() -> INTERRUPTED.getOrDefault(ClusterContext.memberId(), new AtomicLong()).get())
                        .values().stream().mapToLong(Long::longValue).sum();
                Thread.sleep(20);
            }
            assertEquals(1, interrupted, "the timed-out task was interrupted on its member");
            assertEquals(7, pool.apply(() -> 7), "the member goes on after an interrupted task");

            // what this JVM's filter refuses (javax.*) is refused here, before any of its code runs
            ProtocolException p = assertThrows(ProtocolException.class,
                    () -> pool.apply(() -> new javax.management.ObjectName("shmarray:type=Test")));
            assertTrue(p.getMessage().contains("filter"), p.getMessage());
            // and the members refuse it in a task
            javax.management.ObjectName captured = new javax.management.ObjectName("shmarray:type=Test");
            RemoteException refused = assertThrows(RemoteException.class, () -> pool.apply(() -> captured.toString()));
            assertInstanceOf(ProtocolException.class, refused.getCause());

            CompletableFuture<Integer> slow = pool.submit(() -> {
                Thread.sleep(200);
                return 1;
            });
            assertTrue(slow.cancel(true));
            assertThrows(java.util.concurrent.CancellationException.class, slow::join);
        }
    }

    @Test
    @Order(3)
    void initializerRunsOncePerMember() throws Exception {
        INITS.clear();
        try (ClusterPool pool = ClusterPool.builder(driver)
                .initializer(() -> INITS.computeIfAbsent(ClusterContext.memberId(), k -> new AtomicLong()).incrementAndGet())
                .build()) {
            List<Long> seen = pool.map(x -> INITS.get(ClusterContext.memberId()).get(), IntStream.range(0, 60).boxed()
                    .collect(Collectors.toList()), 1);
            assertTrue(seen.stream().allMatch(n -> n == 1), "every job ran after exactly one initialization: " + seen);
            Map<String, Long> runs = pool.onEachMember(() -> INITS.get(ClusterContext.memberId()).get());
            assertEquals(Map.of(a1.memberId(), 1L, b1.memberId(), 1L, b2Id, 1L), runs);
        }
    }

    @Test
    @Order(4)
    void arraysAreCopiedOncePerNodeAndSharedThere() throws Exception {
        int n = 4 << 20; // 32 MiB of doubles
        try (SharedDoubleArray a = SharedDoubleArray.create(n); ClusterPool pool = ClusterPool.builder(driver).build()) {
            for (int i = 0; i < n; i++) a.set(i, i);
            Map<String, Map<String, Long>> before = countersOfAll(pool);
            long servedBefore = driver.counters().get("bytesServed");
            int slices = 24;
            long per = n / slices;
            List<String> results = pool.map(s -> {
                double sum = 0;
                for (long i = s * per; i < (s + 1) * per; i++) sum += a.get(i);
                return sum + " " + ClusterContext.nodeId() + " " + a.mode();
            }, IntStream.range(0, slices).boxed().collect(Collectors.toList()), 1);
            Set<String> nodes = new HashSet<>();
            for (int s = 0; s < slices; s++) {
                String[] r = results.get(s).split(" ");
                double lo = s * per;
                double expected = (lo + lo + per - 1) * per / 2;
                assertEquals(expected, Double.parseDouble(r[0]), "slice " + s);
                nodes.add(r[1]);
                assertEquals(r[1].equals("A") ? "READ_WRITE" : "READ_ONLY", r[2], "node " + r[1] + " mode");
            }
            assertEquals(Set.of("A", "B"), nodes);
            assertEquals(2, nodeCopies().size(), "node B holds one copy (data + state): " + nodeCopies());

            Map<String, Map<String, Long>> after = countersOfAll(pool);
            long bytes = 8L * n;
            long createdB = delta(after, before, b1.memberId(), "copiesCreated") + delta(after, before, b2Id, "copiesCreated");
            long attachedB = delta(after, before, b1.memberId(), "copiesAttached") + delta(after, before, b2Id, "copiesAttached");
            assertEquals(1, createdB, "one copy made on node B");
            assertEquals(1, attachedB, "the second JVM of node B attached it, copying nothing");
            assertEquals(bytes, delta(after, before, b1.memberId(), "bytesPulled") + delta(after, before, b2Id, "bytesPulled"));
            assertEquals(0, delta(after, before, a1.memberId(), "bytesPulled"), "node A uses the array in place");
            assertEquals(bytes, driver.counters().get("bytesServed") - servedBefore, "bytes pulled = array size x other nodes");
            System.out.printf("copy-once: %d bytes x 1 other node pulled, counters %s%n", bytes, after);

            // in place on the origin node, a clear error on a snapshot
            Map<String, String> write = pool.onEachMember(() -> {
                try {
                    a.set(0, -1.0);
                    return "wrote";
                } catch (UnsupportedOperationException e) {
                    return e.getMessage();
                }
            });
            assertEquals("wrote", write.get(a1.memberId()));
            assertEquals(-1.0, a.get(0), "a write on the origin node is visible here");
            assertTrue(write.get(b1.memberId()).contains("read-only"), write.get(b1.memberId()));
            assertTrue(write.get(b2Id).contains("read-only"), write.get(b2Id));

            // node B's snapshot is the array as node B first needed it, until refresh()
            assertEquals(Map.of(a1.memberId(), -1.0, b1.memberId(), 0.0, b2Id, 0.0), pool.onEachMember(() -> a.get(0)));
            long pulled = driver.counters().get("bytesServed");
            pool.refresh(a);
            assertEquals(Map.of(a1.memberId(), -1.0, b1.memberId(), -1.0, b2Id, -1.0), pool.onEachMember(() -> a.get(0)));
            assertEquals(bytes, driver.counters().get("bytesServed") - pulled, "one new copy for node B");

            // arrays made by tasks come back: attached on the same node, this JVM's own copy from another
            long pulledBefore = driver.counters().get("bytesPulled");
            Map<String, SharedArray> back = pool.onEachMember(() -> {
                SharedDoubleArray r = SharedDoubleArray.create(1000);
                for (int i = 0; i < 1000; i++) r.set(i, i * 0.5);
                return r;
            });
            for (Map.Entry<String, SharedArray> e : back.entrySet()) {
                SharedDoubleArray r = (SharedDoubleArray) e.getValue();
                assertEquals(499.5, r.get(999));
                assertEquals(AccessMode.READ_WRITE, r.mode(), e.getKey());
                r.close();
            }
            assertEquals(2 * 8000L, driver.counters().get("bytesPulled") - pulledBefore, "the two arrays made on node B were copied");

            // strided views cannot travel
            try (SharedArray m = a.reshape(n / 4, 4); SharedArray column = m.slice(1, 0, 1)) {
                io.shmarray.NotSerializableTaskException strided = assertThrows(
                        io.shmarray.NotSerializableTaskException.class, () -> pool.apply(() -> column.length()));
                assertTrue(strided.getMessage().contains("strided"), strided.getMessage());
            }
        }
        awaitNoNodeCopies();
    }

    private static Map<String, Map<String, Long>> countersOfAll(ClusterPool pool) {
        return pool.onEachMember(() -> new HashMap<>(ClusterContext.counters()));
    }

    private static long delta(Map<String, Map<String, Long>> after, Map<String, Map<String, Long>> before, String m, String k) {
        return after.get(m).get(k) - before.get(m).get(k);
    }

    @Test
    @Order(5)
    void aWrongSecretIsRefusedBeforeAnythingIsDecoded() throws Exception {
        int[] port = freePorts(1);
        byte[] other = new byte[32];
        new SecureRandom().nextBytes(other);
        try (ClusterNode stranger = node(port[0], "Z", other).driver().start();
                ClusterPool pool = ClusterPool.builder(stranger).build()) {
            long end = System.nanoTime() + 30_000_000_000L;
            while (stranger.computeMembers().size() < 3 && System.nanoTime() < end) Thread.sleep(20);
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> pool.submit(() -> "ran").get(30, TimeUnit.SECONDS));
            assertInstanceOf(ClusterAuthenticationException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("HMAC"), e.getCause().getMessage());
        }
    }

    @Test
    @Order(6)
    void theCommandLineRefusesTyposWithUsage() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(2, ClusterNode.run(new String[] {"--treads", "2"}, o, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown option --treads"), err.toString(StandardCharsets.UTF_8));
        assertEquals(2, ClusterNode.run(new String[] {"--threads", "two", "--secret-file", "x"}, o, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--threads needs a number"));
        assertEquals(2, ClusterNode.run(new String[] {"--threads", "2"}, o, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--secret-file is required"));
        assertEquals(0, ClusterNode.run(new String[] {"--help"}, o, e));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("Private network only"));
    }

    @Test
    @Order(7)
    void theQuickStartDemoRuns() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ClusterDemo.run(new String[] {"--secret-file", dir.resolve("secret").toString(), "--members",
                String.join(",", members), "--cluster", cluster, "--port", Integer.toString(freePorts(1)[0]), "--bind",
                "127.0.0.1", "--node-id", "A", "--length", "1_000_000", "--slices", "12"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String o = out.toString(StandardCharsets.UTF_8);
        System.out.print(o);
        assertEquals(0, code, o + err.toString(StandardCharsets.UTF_8));
        assertTrue(o.contains("(correct)"), o);
        assertTrue(o.contains("this driver served 8,000,000 bytes"), o);
        assertEquals(2, ClusterDemo.run(new String[] {"--members", "x"}, new PrintStream(out), new PrintStream(err)));
        awaitNoNodeCopies();
    }

    @Test
    @Order(8)
    void membersReleaseTheCopiesOfADriverThatDied() throws Exception {
        byte[] key = java.util.HexFormat.of().formatHex(secret).getBytes(StandardCharsets.US_ASCII);
        ClusterNode doomed = node(freePorts(1)[0], "A", key).driver().start();
        long end = System.nanoTime() + 30_000_000_000L;
        while (doomed.computeMembers().size() < 3 && System.nanoTime() < end) Thread.sleep(20);
        try (SharedDoubleArray a = SharedDoubleArray.create(1 << 16)) {
            a.fill(2.0);
            ClusterPool pool = ClusterPool.builder(doomed).build(); // never closed: its driver dies
            assertEquals(List.of(2.0, 2.0, 2.0, 2.0, 2.0, 2.0), pool.map(i -> a.get(i), List.of(0L, 1L, 2L, 3L, 4L, 5L), 1));
            assertEquals(2, nodeCopies().size(), "node B's copy (data + state): " + nodeCopies());
            doomed.hazelcast().getLifecycleService().terminate(); // as a kill: no goodbye, no release sent
        }
        awaitNoNodeCopies(); // the members saw the driver leave and released its pool
    }

    @Test
    @Order(10)
    void killingAMemberFailsOnlyItsJobs() throws Exception {
        try (ClusterPool once = ClusterPool.builder(driver).build();
                ClusterPool retried = ClusterPool.builder(driver).retries(1).build()) {
            List<CompletableFuture<String>> f0 = new ArrayList<>();
            List<CompletableFuture<String>> f1 = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                f0.add(once.submit(() -> {
                    Thread.sleep(1500);
                    return ClusterContext.memberId();
                }));
                f1.add(retried.submit(() -> {
                    Thread.sleep(1500);
                    return ClusterContext.memberId();
                }));
            }
            Thread.sleep(500);
            b2.destroyForcibly();
            assertTrue(b2.waitFor(10, TimeUnit.SECONDS));
            int died = 0;
            for (CompletableFuture<String> f : f0) {
                try {
                    String m = f.get(30, TimeUnit.SECONDS);
                    assertNotEquals(b2Id, m);
                } catch (ExecutionException e) {
                    assertInstanceOf(WorkerDiedException.class, e.getCause());
                    assertTrue(e.getCause().getMessage().contains(b2Id), e.getCause().getMessage());
                    died++;
                }
            }
            assertEquals(2, died, "the killed member's two jobs failed, the other four completed");
            for (CompletableFuture<String> f : f1) assertNotEquals(b2Id, f.get(30, TimeUnit.SECONDS));
            assertEquals(2L, retried.stats().get("retried"), "its two jobs ran again elsewhere");
            assertEquals(Set.of(a1.memberId(), b1.memberId()), driver.computeMembers().keySet());
        }
        awaitNoNodeCopies();
    }
}
