package io.shmarray.bench;

import io.shmarray.cluster.ClusterNode;
import io.shmarray.cluster.ClusterPool;
import io.shmarray.runtime.Pool;
import io.shmarray.runtime.TaskPool;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The cluster pool against the local pool, on this machine: the per-task overhead (median
 * {@code apply(() -> 1)} round trip, ClusterPool with one member vs a local Pool of one worker,
 * and Hazelcast's own floor: a trivial callable sent with {@code submitToMember}),
 * and the throughput of a compute-bound map (64 items of ~40 ms of arithmetic) with one member
 * and with two members (each member one thread, each its own JVM), beside a local Pool of 1 and
 * of 2 workers.
 *
 * <pre>{@code java -cp benchmarks/target/benchmarks.jar io.shmarray.bench.ClusterBench RESULTS.tsv}</pre>
 */
public final class ClusterBench {

    private static final int ROUNDS = 1000;
    private static final int WARMUP = 3000; // the member's JIT: fewer left the median 2-4x higher
    private static final int ITEMS = 64;

    private ClusterBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: ClusterBench RESULTS.tsv");
            System.exit(2);
        }
        Rows rows = new Rows(Path.of(args[0]));
        String impl = "cluster-jdk" + Runtime.version().feature();
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        Path dir = Files.createTempDirectory("shmarray-cluster-bench");
        Path secretFile = dir.resolve("secret");
        Files.writeString(secretFile, java.util.HexFormat.of().formatHex(secret));
        Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-------"));
        String cluster = "shmarray-bench-" + Long.toHexString(new SecureRandom().nextLong());
        int[] ports = freePorts(3);
        String members = IntStream.of(ports).mapToObj(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
        List<Process> started = new ArrayList<>();
        try (ClusterNode driver = ClusterNode.builder().clusterName(cluster).members(members.split(",")).bind("127.0.0.1")
                .port(ports[0]).portCount(1).nodeId("D").secret(java.util.HexFormat.of().formatHex(secret)
                        .getBytes(StandardCharsets.US_ASCII)).hazelcastLogLevel(java.util.logging.Level.SEVERE).driver().start()) {
            started.add(member(cluster, members, ports[1], "A", secretFile));
            await(driver, 1);
            double local1;
            double cluster1;
            try (ClusterPool pool = ClusterPool.builder(driver).build(); Pool local = Pool.create(1)) {
                cluster1 = applyMedianMicros(pool);
                local1 = applyMedianMicros(local);
                rows.add("cluster", impl, "raw_hazelcast_submit_median", rawMedianMicros(driver), "us");
                rows.add("cluster", impl, "apply_median_1member", cluster1, "us");
                rows.add("cluster", impl, "local_pool1_apply_median", local1, "us");
                rows.add("cluster", impl, "map_compute_1member", itemsPerSecond(pool), "items/s");
                rows.add("cluster", impl, "local_pool1_map_compute", itemsPerSecond(local), "items/s");
            }
            started.add(member(cluster, members, ports[2], "B", secretFile));
            await(driver, 2);
            try (ClusterPool pool = ClusterPool.builder(driver).build(); Pool local = Pool.create(2)) {
                rows.add("cluster", impl, "map_compute_2members", itemsPerSecond(pool), "items/s");
                rows.add("cluster", impl, "local_pool2_map_compute", itemsPerSecond(local), "items/s");
            }
        } finally {
            for (Process p : started) {
                p.destroy();
                p.waitFor();
            }
            Files.deleteIfExists(secretFile);
            Files.deleteIfExists(dir);
        }
        System.exit(0);
    }

    private static Process member(String cluster, String members, int port, String node, Path secret) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        cmd.addAll(ClusterNode.jvmOptions());
        cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                ClusterNode.class.getName(), "--cluster", cluster, "--members", members, "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--node-id", node, "--threads", "1", "--secret-file", secret.toString(),
                "--log-level", "SEVERE"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("shmarray cluster member ")) System.out.println("[member] " + line);
        if (line == null) throw new IllegalStateException("member " + node + " exited: " + p.waitFor());
        Thread drain = new Thread(() -> out.lines().forEach(l -> System.out.println("[member " + node + "] " + l)));
        drain.setDaemon(true);
        drain.start();
        return p;
    }

    private static void await(ClusterNode driver, int n) throws InterruptedException {
        long end = System.nanoTime() + 60_000_000_000L;
        while (driver.computeMembers().size() < n) {
            if (System.nanoTime() > end) throw new IllegalStateException("members: " + driver.computeMembers());
            Thread.sleep(20);
        }
    }

    private static double applyMedianMicros(TaskPool pool) {
        for (int i = 0; i < WARMUP; i++) pool.apply(() -> 1);
        double[] us = new double[ROUNDS];
        for (int i = 0; i < ROUNDS; i++) {
            long t = System.nanoTime();
            pool.apply(() -> 1);
            us[i] = (System.nanoTime() - t) / 1e3;
        }
        return Rows.median(us);
    }

    /** Hazelcast's own floor: a trivial callable on the member's task executor, no shmarray frame. */
    private static double rawMedianMicros(ClusterNode driver) throws Exception {
        com.hazelcast.core.HazelcastInstance hz = driver.hazelcast();
        com.hazelcast.cluster.Member m = hz.getCluster().getMembers().stream().filter(x -> !x.isLiteMember()).findFirst()
                .orElseThrow();
        com.hazelcast.core.IExecutorService ex = hz.getExecutorService(io.shmarray.cluster.internal.HazelcastEngine.TASKS);
        for (int i = 0; i < WARMUP; i++) ex.submitToMember(new Ping(), m).get();
        double[] us = new double[ROUNDS];
        for (int i = 0; i < ROUNDS; i++) {
            long t = System.nanoTime();
            ex.submitToMember(new Ping(), m).get();
            us[i] = (System.nanoTime() - t) / 1e3;
        }
        return Rows.median(us);
    }

    /** A DataSerializable callable (Hazelcast's Java-serialization filter refuses anything else). */
    public static final class Ping implements java.util.concurrent.Callable<Integer>, com.hazelcast.nio.serialization.DataSerializable {
        @Override
        public Integer call() {
            return 1;
        }

        @Override
        public void writeData(com.hazelcast.nio.ObjectDataOutput out) {
            // nothing to send
        }

        @Override
        public void readData(com.hazelcast.nio.ObjectDataInput in) {
            // nothing to read
        }
    }

    /** ~40 ms of arithmetic that the JIT cannot drop. */
    static double work(int seed) {
        double x = seed;
        for (int i = 0; i < 20_000_000; i++) x = x * 1.0000001 + Math.sqrt(i & 1023);
        return x;
    }

    private static double itemsPerSecond(TaskPool pool) {
        List<Integer> items = IntStream.range(0, ITEMS).boxed().collect(Collectors.toList());
        pool.map(ClusterBench::work, items.subList(0, 8), 1); // warm the JIT where it runs
        long t = System.nanoTime();
        List<Double> r = pool.map(ClusterBench::work, items, 1);
        double s = (System.nanoTime() - t) / 1e9;
        if (r.size() != ITEMS) throw new IllegalStateException("lost results");
        return ITEMS / s;
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
}
