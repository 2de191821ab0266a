package io.shmarray.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Turns one benchmark run's results (results.tsv, jmh-*.csv, latency-*.txt, machine.txt in one
 * directory) into {@code report.md} — workload, shmarray, peer, ratio, limit, target, met? — and
 * PNG plots. Every ratio compares numbers measured in the same run.
 *
 * <pre>{@code java -cp benchmarks/target/benchmarks.jar io.shmarray.bench.Report benchmarks/results/DATE}</pre>
 */
public final class Report {

    private final Path dir;
    /** "workload|impl|metric" -> value. */
    private final Map<String, Double> v = new LinkedHashMap<>();
    private final List<String> table = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private int met;
    private int missed;

    private Report(Path dir) {
        this.dir = dir;
    }

    public static void main(String[] args) throws IOException {
        System.setProperty("java.awt.headless", "true");
        if (args.length != 1) {
            System.err.println("usage: Report RESULTS_DIR");
            System.exit(2);
        }
        Report r = new Report(Path.of(args[0]));
        r.load();
        r.write();
    }

    private void load() throws IOException {
        for (String line : Files.readAllLines(dir.resolve("results.tsv"))) {
            String[] f = line.split("\t");
            if (f.length >= 4) v.put(f[0] + "|" + f[1] + "|" + f[2], Double.parseDouble(f[3]));
        }
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files.sorted()::iterator) {
                String n = p.getFileName().toString();
                if (!n.startsWith("jmh-") || !n.endsWith(".csv")) continue;
                String impl = n.substring(4, n.length() - 4); // jmh-<impl>.csv
                for (String line : Files.readAllLines(p)) {
                    String[] f = line.split(",");
                    if (f.length < 5 || !f[0].startsWith("\"io.shmarray")) continue;
                    String bench = f[0].replace("\"", "");
                    bench = bench.substring(bench.lastIndexOf('.') + 1);
                    v.put("jmh|" + impl + "|" + bench, Double.parseDouble(f[4]));
                }
            }
        }
    }

    private Double get(String workload, String impl, String metric) {
        return v.get(workload + "|" + impl + "|" + metric);
    }

    /** Implementations present for a workload, in file order, optionally filtered by a prefix. */
    private List<String> impls(String workload, String prefix) {
        List<String> out = new ArrayList<>();
        for (String k : v.keySet()) {
            String[] f = k.split("\\|");
            if (f[0].equals(workload) && f[1].startsWith(prefix) && !out.contains(f[1])) out.add(f[1]);
        }
        return out;
    }

    private static String fmt(Double x, String unit) {
        if (x == null || x.isNaN()) return "n/a";
        String num = Math.abs(x) >= 100 ? String.format(Locale.ROOT, "%,.0f", x)
                : Math.abs(x) >= 10 ? String.format(Locale.ROOT, "%.1f", x) : String.format(Locale.ROOT, "%.3g", x);
        return num + (unit.isEmpty() ? "" : " " + unit);
    }

    /** One table row; {@code atLeast}: the ratio must be >= target, else <= target. */
    private void row(String workload, String ours, String peer, Double ratio, String limit, String target,
            boolean atLeast, double goal) {
        String ok;
        if (ratio == null || ratio.isNaN()) ok = "not measured";
        else if (atLeast ? ratio >= goal : ratio <= goal) {
            ok = "yes";
            met++;
        } else {
            ok = "**no**";
            missed++;
        }
        table.add("| " + workload + " | " + ours + " | " + peer + " | " + fmt(ratio, "") + "x | " + limit + " | "
                + target + " | " + ok + " |");
    }

    private void arrays() {
        for (String impl : impls("jmh", "")) {
            String[][] pairs = {
                {"sequential sum 1e8", "sharedSum", "heapSum", "0.97"},
                {"sequential sum 1e8, DoubleBuffer window", "sharedSumWindow", "heapSum", "0.97"},
                {"sequential fill 1e8", "sharedFill", "heapFill", jdkOf(impl) >= 22 ? "0.9" : "0.8"},
                {"sequential fill 1e8, long index", "sharedFillLongLoop", "heapFill", "info"},
                {"sequential fill 1e8, DoubleBuffer window", "sharedFillWindow", "heapFill", "info"},
                {"random reads (2^20)", "sharedRandom", "heapRandom", "0.9"},
                {"getAt(i, j) over 10,000 x 10,000 vs double[][]", "sharedGetAt2d", "heapGetAt2d", "0.8"},
                {"bulk copy 2^20 doubles to the heap", "sharedCopy", "heapCopy", "0.97"},
                {"bulk copy 2^20 doubles from the heap", "sharedCopyIn", "heapCopyIn", "0.97"},
                {"getAndAdd over 1,024 longs vs VarHandle on long[]", "sharedGetAndAdd", "heapGetAndAdd", "0.8"},
                {"getVolatile + compareAndSet over 1,024 longs vs VarHandle", "sharedCompareAndSet", "heapCompareAndSet", "0.8"},
            };
            for (String[] p : pairs) {
                Double ours = get("jmh", impl, p[1]);
                Double heap = get("jmh", impl, p[2]);
                Double ratio = ours == null || heap == null ? null : heap / ours; // speed relative to heap
                String unit = p[1].contains("AndAdd") || p[1].contains("CompareAndSet") ? "us" : "ms";
                if (p[3].equals("info")) {
                    table.add("| " + p[0] + " (" + impl + ") | " + fmt(ours, unit) + " | heap " + fmt(heap, unit) + " | "
                            + fmt(ratio, "") + "x | | for information | |");
                    continue;
                }
                row(p[0] + " (" + impl + ")", fmt(ours, unit), "heap " + fmt(heap, unit), ratio, "",
                        ">= " + p[3] + "x heap speed", true, Double.parseDouble(p[3]));
            }
            Double kernel = get("jmh", impl, "sharedKernel");
            Double heapKernel = get("jmh", impl, "heapKernel");
            Double c1 = get("bandwidth", "c", "read_1t");
            Double gbs = kernel == null ? null : 0.8 / (kernel / 1000); // 1e8 doubles = 0.8 GB
            Double heapGbs = heapKernel == null ? null : 0.8 / (heapKernel / 1000);
            row("4-accumulator sum kernel over 800 MB (" + impl + ")", fmt(gbs, "GB/s"), "heap " + fmt(heapGbs, "GB/s"),
                    gbs == null || c1 == null ? null : gbs / c1, "C 1 thread " + fmt(c1, "GB/s"),
                    ">= 0.9x C bandwidth", true, 0.9);
        }
        String pyLife = first(impls("lifecycle", "python"));
        Double pyLifeV = pyLife == null ? null : get("lifecycle", pyLife, "create_close_median");
        for (String impl : impls("lifecycle", "shmarray")) {
            Double v = get("lifecycle", impl, "create_close_median");
            row("create + close of a 1,000-element array, median (" + impl + ")", fmt(v, "us"),
                    "Python SharedMemory create+close+unlink " + fmt(pyLifeV, "us"),
                    v == null || pyLifeV == null ? null : v / pyLifeV, "", "<= 1x Python", false, 1);
        }
    }

    /** The process-level rows; {@code ours} is the shmarray JVM that ran RuntimeBench in full. */
    private void runtime(String ours) {
        // dispatch
        Double shared1k = get("dispatch", ours + "-shared", "bytes_1024");
        Double shared800 = get("dispatch", ours + "-shared", "bytes_800000000");
        Double copy800 = get("dispatch", ours + "-copy", "bytes_800000000");
        String py = impls("dispatch", "python").isEmpty() ? null : impls("dispatch", "python").get(0);
        Double pyCopy800 = py == null ? null : get("dispatch", py, "bytes_800000000");
        row("task capturing an 800 MB shared array vs the same at 1 KB", fmt(shared800, "us"), "1 KB: " + fmt(shared1k, "us"),
                shared800 == null || shared1k == null ? null : shared800 / shared1k, "", "flat: <= 2x", false, 2);
        row("task capturing 800 MB: copy / shared", fmt(shared800, "us"), "copy " + fmt(copy800, "us") + "; Python numpy arg "
                + fmt(pyCopy800, "us"), copy800 == null || shared800 == null ? null : copy800 / shared800, "",
                ">= 1000x cheaper", true, 1000);
        for (String impl : impls("roundtrip", "shmarray")) dispatchRows(impl);
        // start, for every shmarray JVM measured
        String pyStarts = "";
        String pyStart = first(impls("start", "python"));
        for (String m : new String[] {"spawn", "forkserver", "fork"}) {
            if (pyStart == null) continue;
            Double x = get("start", pyStart.replaceAll("-[a-z]+$", "-" + m), "cold");
            pyStarts += "; Python " + m + " " + fmt(x, "ms");
        }
        for (String impl : impls("start", "shmarray")) {
            Double cold = get("start", impl, "cold");
            Double standby = get("start", impl, "standby");
            String bareImpl = first(impls("start", "java-bare-jdk" + impl.replaceAll(".*-jdk", "")));
            Double bare = bareImpl == null ? null : get("start", bareImpl, "cold");
            row("new worker to first result, cold (" + impl + ")", fmt(cold, "ms"), "bare java " + fmt(bare, "ms") + pyStarts,
                    ratio(cold, bare), "", "<= 1.25x bare JVM", false, 1.25);
            Double forkserver = pyStart == null ? null : get("start", pyStart.replaceAll("-[a-z]+$", "-forkserver"), "cold");
            row("new worker to first result, warm standby (" + impl + ")", fmt(standby, "ms"),
                    "10 ms; Python forkserver " + fmt(forkserver, "ms"), ratio(standby, 10.0), "",
                    "<= 10 ms and <= Python forkserver", false, 1.0);
            Double fresh = get("start", impl, "fresh_jvm_main_to_pool2_first_result");
            row("fresh JVM: main to the first result of a new Pool(2) (" + impl + ")", fmt(fresh, "ms"),
                    "bare java " + fmt(bare, "ms"), ratio(fresh, bare), "", "<= 2x bare JVM", false, 2.0);
        }
        // transform
        Double one = get("transform16M", ours, "1_worker");
        Double two = get("transform16M", ours, "2_workers");
        Double stream = get("transform16M", ours, "parallel_stream_in_process");
        row("in-place transform 16M doubles, 2 workers vs 1", fmt(two, "Melem/s"), "1 worker " + fmt(one, "Melem/s"),
                ratio(two, one), "2 cores", ">= 1.7x", true, 1.7);
        row("in-place transform 16M doubles, 2 workers vs parallel stream", fmt(two, "Melem/s"),
                "in-process stream " + fmt(stream, "Melem/s"), ratio(two, stream), "", ">= 0.9x", true, 0.9);
        // pss
        Double x = get("pss", ours, "array_X");
        Double seg = get("pss", ours, "segment_pss_parent_plus_4_workers");
        Double growth = get("pss", ours, "workers_other_growth");
        Double base = get("pss", ours, "workers_idle_baseline");
        Double total = seg == null || growth == null ? null : seg + growth;
        row("4 workers + parent all reading a 1 GiB array: PSS added", fmt(total, "GiB"),
                "X = " + fmt(x, "GiB") + "; workers' idle baseline " + fmt(base, "GiB"), ratio(total, x), "",
                "<= 1.05 X", false, 1.05);
    }

    /** Issue 16's dispatch rows for one shmarray JVM (run on each JDK measured). */
    private void dispatchRows(String ours) {
        // round trip: <= 0.15x Python and <= 40 us (the ratio column shows the first)
        String pyRt = first(impls("roundtrip", "python"));
        Double pyRtV = pyRt == null ? null : get("roundtrip", pyRt, "median");
        for (String[] m : new String[][] {{"apply_median", "Pool.apply(() -> 1)"}, {"median", "submit(() -> 1).get()"}}) {
            Double rt = get("roundtrip", ours, m[0]);
            Double goal = pyRtV == null ? null : Math.min(0.15, 40.0 / pyRtV); // both limits as one ratio
            row("warm round trip, trivial task, " + m[1] + " (median, " + ours + ")", fmt(rt, "us"), "Pool(2).apply " + fmt(pyRtV, "us"),
                    ratio(rt, pyRtV), "", "<= 0.15x Python's latency and <= 40 us", false, goal == null ? 0.15 : goal);
        }
        // map
        String pyMap = first(impls("map200k", "python"));
        for (String c : new String[] {"1", "100", "1000", "default"}) {
            Double t = get("map200k", ours, "chunksize_" + c);
            Double p = pyMap == null ? null : get("map200k", pyMap, "chunksize_" + c);
            row("map 200k trivial tasks, chunksize " + c + (c.equals("default") ? " (Python's: 25,000)" : "") + " (" + ours + ")",
                    fmt(t, "tasks/s"), "Pool(2).map " + fmt(p, "tasks/s"), ratio(t, p), "", ">= 2x Python's throughput",
                    true, 2);
        }
        for (String c : new String[] {"1", "100", "1000", "default"}) { // the fresh pool's first pass: JIT cold
            Double t = get("map200k", ours, "chunksize_" + c + "_first_pass");
            Double p = pyMap == null ? null : get("map200k", pyMap, "chunksize_" + c + "_first_pass");
            if (t == null) continue;
            table.add("| map 200k trivial tasks, chunksize " + c + ", first pass of a fresh pool (" + ours + ") | "
                    + fmt(t, "tasks/s") + " | Pool(2).map's first pass " + fmt(p, "tasks/s") + " | " + fmt(ratio(t, p), "")
                    + "x | | for information | |");
        }
        // k-means: an iterative algorithm of many short maps
        Double kmPool = get("kmeans2M", ours, "pool_2_workers");
        Double kmStream = get("kmeans2M", ours, "parallel_stream_in_process");
        row("k-means 2M points, k = 8, 50 iterations of an 8-slice map, Pool(2) (" + ours + ")", fmt(kmPool, "iterations/s"),
                "in-process parallel stream " + fmt(kmStream, "iterations/s"), ratio(kmPool, kmStream), "2 cores",
                ">= 0.9x", true, 0.9);
        // queue
        String pyQ = first(impls("queue", "python"));
        Double q = get("queue", ours, "one_way_median");
        Double pq = pyQ == null ? null : get("queue", pyQ, "one_way_median");
        row("queue put->take between two processes (one way, median, " + ours + ")", fmt(q, "us"), "mp.Queue " + fmt(pq, "us"), ratio(q, pq),
                "", "<= 0.5x Python's latency", false, 0.5);
        String pyQt = first(impls("queuethroughput", "python"));
        Double qt = get("queuethroughput", ours, "one_producer_small_records");
        Double pqt = pyQt == null ? null : get("queuethroughput", pyQt, "one_producer_small_records");
        row("queue throughput, 100k small records, one producer process (" + ours + ")", fmt(qt, "items/s"), "mp.Queue " + fmt(pqt, "items/s"),
                ratio(qt, pqt), "", ">= 2x Python's throughput", true, 2);
        Double qt0 = get("queuethroughput", ours, "one_producer_small_records_first_window");
        Double pqt0 = pyQt == null ? null : get("queuethroughput", pyQt, "one_producer_small_records_first_window");
        if (qt0 != null) {
            table.add("| queue throughput, the first 100k records of a fresh producer (" + ours + ") | " + fmt(qt0, "items/s")
                    + " | mp.Queue's first 100k " + fmt(pqt0, "items/s") + " | " + fmt(ratio(qt0, pqt0), "")
                    + "x | | for information | |");
        }
    }

    /** The JDK feature version in an implementation name such as {@code ffm-jdk25}, or 0. */
    private static int jdkOf(String impl) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("jdk(\\d+)").matcher(impl);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    private static String first(List<String> l) {
        return l.isEmpty() ? null : l.get(0);
    }

    private static Double ratio(Double a, Double b) {
        return a == null || b == null || b == 0 ? null : a / b;
    }

    /** ClusterBench: the cluster pool's per-task overhead and its scaling from one member to two (no targets set). */
    private void cluster() {
        for (String impl : impls("cluster", "cluster")) {
            Double c = get("cluster", impl, "apply_median_1member");
            Double l = get("cluster", impl, "local_pool1_apply_median");
            Double raw = get("cluster", impl, "raw_hazelcast_submit_median");
            table.add("| cluster: `ClusterPool.apply(() -> 1)` median, 1 member (" + impl + ") | " + fmt(c, "us") + " | local `Pool`(1) "
                    + fmt(l, "us") + " | " + fmt(ratio(c, l), "") + "x | | for information | |");
            table.add("| cluster: same vs Hazelcast's own `submitToMember` of a trivial callable (" + impl + ") | " + fmt(c, "us")
                    + " | Hazelcast " + fmt(raw, "us") + " | " + fmt(ratio(c, raw), "") + "x | | for information | |");
            Double m1 = get("cluster", impl, "map_compute_1member");
            Double m2 = get("cluster", impl, "map_compute_2members");
            table.add("| cluster: compute-bound map (64 x ~40 ms), 2 members vs 1 (" + impl + ") | " + fmt(m2, "items/s")
                    + " | 1 member " + fmt(m1, "items/s") + " | " + fmt(ratio(m2, m1), "") + "x | 2 cores | for information | |");
            Double p1 = get("cluster", impl, "local_pool1_map_compute");
            Double p2 = get("cluster", impl, "local_pool2_map_compute");
            table.add("| cluster: the same map, 1 and 2 members vs local `Pool`(1) and `Pool`(2) (" + impl + ") | "
                    + fmt(m1, "") + " / " + fmt(m2, "items/s") + " | " + fmt(p1, "") + " / " + fmt(p2, "items/s") + " | "
                    + fmt(ratio(m1, p1), "") + "x / " + fmt(ratio(m2, p2), "") + "x | | for information | |");
        }
    }

    private void write() throws IOException {
        arrays();
        String ours = first(impls("transform16M", "shmarray")); // the JVM that ran RuntimeBench in full
        if (ours != null) runtime(ours);
        cluster();
        StringBuilder md = new StringBuilder();
        md.append("# shmarray benchmark report — ").append(dir.getFileName()).append("\n\n");
        Path machine = dir.resolve("machine.txt");
        if (Files.exists(machine)) md.append("```\n").append(Files.readString(machine).strip()).append("\n```\n\n");
        md.append("Short profile (`benchmarks/run.sh`): JMH 1 fork, 2 x 1 s warm-up, 3 x 1 s measurement; process-level "
                + "workloads by `RuntimeBench` and `benchmarks/peers/mp_peer.py` (medians; map, queue throughput and k-means "
                + "after untimed warm-up passes on both sides, the first pass shown for information); C bandwidth by "
                + "`benchmarks/peers/bandwidth.c` (median of 5 passes over 1 GiB). Everything below ran in one session on "
                + "this machine; ratios compare numbers from that same run. Shared machine: expect a few % noise.\n\n");
        md.append("Targets met: ").append(met).append(", not met: ").append(missed).append(".\n\n");
        md.append("| workload | shmarray | compared with | ratio | limit | target | met? |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        for (String r : table) md.append(r).append('\n');
        md.append("\nRatios: for the JMH rows, heap time / shared time (1.0 = as fast as the heap); for the kernel, GB/s "
                + "over C's 1-thread read bandwidth; otherwise shmarray's number over the peer's.\n\n");
        Double ft = get("bandwidth", "c", "first_touch_write_1t");
        Double w1 = get("bandwidth", "c", "write_1t");
        if (ft != null) {
            md.append(String.format(Locale.ROOT, "Cold vs warm: the first write to fresh pages runs at %s (C, 1 thread) vs %s "
                    + "warm. The JMH figures are warm (the arrays are filled in setup); the demo prints its first-touch fill "
                    + "separately.%n%n", fmt(ft, "GB/s"), fmt(w1, "GB/s")));
        }
        md.append("## Plots\n\n");
        for (String png : plots()) md.append("![").append(png).append("](").append(png).append(")\n\n");
        md.append("## All numbers\n\n```\n").append(Files.readString(dir.resolve("results.tsv")));
        for (Map.Entry<String, Double> e : v.entrySet()) {
            if (e.getKey().startsWith("jmh|")) md.append(e.getKey().replace('|', '\t')).append('\t')
                    .append(String.format(Locale.ROOT, "%.3f", e.getValue())).append("\tms/op\n");
        }
        md.append("```\n");
        Files.writeString(dir.resolve("report.md"), md.toString());
        System.out.println("wrote " + dir.resolve("report.md") + " (targets met " + met + ", not met " + missed + ")");
    }

    private List<String> plots() throws IOException {
        List<String> out = new ArrayList<>();
        // 1. round-trip latency distribution (CDF)
        XYSeriesCollection cdf = new XYSeriesCollection();
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files.sorted()::iterator) {
                String n = p.getFileName().toString();
                if (!n.startsWith("latency-")) continue;
                double[] s = Files.readAllLines(p).stream().filter(l -> !l.isBlank()).mapToDouble(Double::parseDouble)
                        .sorted().toArray();
                XYSeries series = new XYSeries(n.substring(8, n.length() - 4));
                for (int i = 0; i < s.length; i += Math.max(1, s.length / 400)) series.add(s[i], (double) i / s.length);
                cdf.addSeries(series);
            }
        }
        if (cdf.getSeriesCount() > 0) {
            JFreeChart c = ChartFactory.createXYLineChart("Warm round trip of a trivial task: distribution",
                    "latency (us, log)", "fraction of tasks", cdf, PlotOrientation.VERTICAL, true, false, false);
            logX(c, "latency (us, log)");
            out.add(save(c, "latency.png"));
        }
        // 2. map throughput vs chunksize
        XYSeriesCollection chunks = new XYSeriesCollection();
        for (String impl : impls("map200k", "")) {
            XYSeries s = new XYSeries(impl);
            for (int c : new int[] {1, 100, 1000}) {
                Double t = get("map200k", impl, "chunksize_" + c);
                if (t != null) s.add(c, t);
            }
            Double d = get("map200k", impl, "chunksize_default"); // Python's default for 200k items, 2 workers
            if (d != null) s.add(25_000, d);
            chunks.addSeries(s);
        }
        if (chunks.getSeriesCount() > 0) {
            JFreeChart c = ChartFactory.createXYLineChart("map of 200k trivial tasks, 2 workers", "chunksize (log)",
                    "tasks/s", chunks, PlotOrientation.VERTICAL, true, false, false);
            logX(c, "chunksize (log)");
            out.add(save(c, "map-chunksize.png"));
        }
        // 3. dispatch cost vs array size, log-log
        XYSeriesCollection disp = new XYSeriesCollection();
        for (String impl : impls("dispatch", "")) {
            XYSeries s = new XYSeries(impl);
            for (long b : new long[] {1L << 10, 1L << 20, 64L << 20, 800_000_000L}) {
                Double t = get("dispatch", impl, "bytes_" + b);
                if (t != null && !t.isNaN()) s.add(b, t);
            }
            disp.addSeries(s);
        }
        if (disp.getSeriesCount() > 0) {
            JFreeChart c = ChartFactory.createXYLineChart("Task capturing an array: shared handle vs copy",
                    "array size (bytes, log)", "round trip (us, log)", disp, PlotOrientation.VERTICAL, true, false, false);
            logX(c, "array size (bytes, log)");
            LogAxis y = new LogAxis("round trip (us, log)");
            ((XYPlot) c.getPlot()).setRangeAxis(y);
            out.add(save(c, "dispatch-vs-size.png"));
        }
        // 4. scaling of the in-place transform
        DefaultCategoryDataset scale = new DefaultCategoryDataset();
        for (String impl : impls("transform16M", "")) {
            for (String m : new String[] {"1_worker", "2_workers", "parallel_stream_in_process"}) {
                Double t = get("transform16M", impl, m);
                if (t != null) scale.addValue(t, impl, m.replace('_', ' '));
            }
        }
        if (scale.getColumnCount() > 0) {
            JFreeChart c = ChartFactory.createBarChart("In-place transform of 16M shared doubles", "", "M elements/s",
                    scale, PlotOrientation.VERTICAL, true, false, false);
            out.add(save(c, "transform-scaling.png"));
        }
        return out;
    }

    private static void logX(JFreeChart c, String label) {
        XYPlot plot = (XYPlot) c.getPlot();
        plot.setDomainAxis(new LogAxis(label));
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < plot.getDataset().getSeriesCount(); i++) r.setSeriesStroke(i, new BasicStroke(2f));
        plot.setRenderer(r);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    }

    private String save(JFreeChart c, String name) throws IOException {
        File f = dir.resolve(name).toFile();
        ChartUtils.saveChartAsPNG(f, c, 800, 480);
        return name;
    }
}
