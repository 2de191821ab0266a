package io.shmarray.cluster;

import io.shmarray.SharedDoubleArray;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * The cluster quick start: joins a running cluster as the driver, shares an array of doubles,
 * sums its slices on the members and prints what each node copied.
 *
 * <pre>
 * java $(java -cp shmarray-cluster.jar io.shmarray.cluster.ClusterNode --print-jvm-options) \
 *   -cp shmarray-cluster.jar io.shmarray.cluster.ClusterDemo --secret-file s --members 127.0.0.1:5701,127.0.0.1:5702
 * </pre>
 */
public final class ClusterDemo {

    private ClusterDemo() {}

    /**
     * Runs the demo.
     *
     * @param args {@code --secret-file F --members A,B [--cluster NAME] [--port P] [--node-id ID] [--length N] [--slices S]}
     */
    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code != 0) System.exit(code);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        ClusterNode.Builder b = ClusterNode.builder().driver().port(5801);
        long length = 8_000_000;
        int slices = 32;
        try {
            for (int i = 0; i < args.length; i += 2) {
                String a = args[i];
                String v = i + 1 < args.length ? args[i + 1] : null;
                if (a.equals("--length") || a.equals("--slices")) {
                    if (v == null) throw new IllegalArgumentException(a + " needs a value");
                    if (a.equals("--length")) length = Long.parseLong(v.replace("_", ""));
                    else slices = Integer.parseInt(v);
                } else if (!b.option(a, v)) { // the member's options (--secret-file, --members, --port, ...)
                    throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (!b.hasSecret()) throw new IllegalArgumentException("--secret-file is required");
            if (length < 1 || slices < 1 || slices > length) throw new IllegalArgumentException("need 1 <= --slices <= --length");
        } catch (IllegalArgumentException e) {
            err.println("shmarray cluster demo: " + e.getMessage() + "\nusage: ClusterDemo --secret-file F --members A,B"
                    + " [--cluster NAME] [--port P] [--bind ADDR] [--node-id ID] [--log-level L] [--length N] [--slices S]");
            return 2;
        }
        try (ClusterNode driver = b.start(); SharedDoubleArray a = SharedDoubleArray.create(length);
                ClusterPool pool = ClusterPool.builder(driver).build()) {
            out.printf("driver %s on node %s; compute members: %s%n", driver.memberId(), driver.nodeId(), driver.computeMembers());
            if (driver.computeMembers().isEmpty()) {
                err.println("no compute member joined: start some with io.shmarray.cluster.ClusterNode (see --help)");
                return 1;
            }
            for (long i = 0; i < length; i++) a.set(i, i);
            long per = length / slices;
            long n = length;
            int s = slices;
            long t0 = System.nanoTime();
            List<String> parts = pool.map(k -> {
                long from = k * per;
                long to = k == s - 1 ? n : from + per;
                double sum = 0;
                for (long i = from; i < to; i++) sum += a.get(i);
                return sum + " " + ClusterContext.nodeId();
            }, LongStream.range(0, slices).boxed().collect(Collectors.toList()), 1);
            double ms = (System.nanoTime() - t0) / 1e6;
            double total = 0;
            List<String> nodes = new ArrayList<>();
            for (String p : parts) {
                String[] f = p.split(" ");
                total += Double.parseDouble(f[0]);
                nodes.add(f[1]);
            }
            double expected = (double) n * (n - 1) / 2;
            out.printf("sum of %,d doubles in %d slices on the members: %.0f (%s) in %.0f ms%n", n, slices, total,
                    total == expected ? "correct" : "WRONG, expected " + expected, ms);
            out.printf("slices per node: %s%n", nodes.stream().collect(Collectors.groupingBy(x -> x, java.util.TreeMap::new,
                    Collectors.counting())));
            Map<String, Map<String, Long>> counters = pool.onEachMember(ClusterContext::counters);
            for (Map.Entry<String, Map<String, Long>> e : counters.entrySet()) {
                Map<String, Long> c = e.getValue();
                out.printf("member %s (node %s), since it started: copies created %d, attached %d, bytes pulled %,d, in place %d%n", e.getKey(),
                        driver.computeMembers().get(e.getKey()), c.get("copiesCreated"), c.get("copiesAttached"),
                        c.get("bytesPulled"), c.get("localAttaches"));
            }
            out.printf("array: %,d bytes; this driver served %,d bytes%n", a.byteSize(), driver.counters().get("bytesServed"));
            return total == expected ? 0 : 1;
        }
    }
}
