package io.shmarray.bench;

import io.shmarray.SharedBarrier;
import io.shmarray.SharedDoubleArray;
import io.shmarray.SharedQueue;
import io.shmarray.Shmarray;
import io.shmarray.runtime.Pool;
import io.shmarray.runtime.SerializableCallable;
import io.shmarray.runtime.WorkerOptions;
import io.shmarray.runtime.WorkerProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * The process-level workloads of the report, which JMH cannot drive (they start JVMs): warm round
 * trip, map throughput by chunksize, dispatch cost vs captured array size (shared vs copied), new
 * worker start (cold, standby, bare JVM), in-place transform scaling, PSS of N attached workers,
 * and queue latency. Each prints and appends TSV rows ({@link Rows}).
 *
 * <pre>{@code
 * java -Xmx6g -Dio.shmarray.maxFrameBytes=1000000000 -cp benchmarks/target/benchmarks.jar \
 *     io.shmarray.bench.RuntimeBench results.tsv [roundtrip map dispatch start transform pss queue]
 * }</pre>
 */
public final class RuntimeBench {

    private static final Duration WAIT = Duration.ofMinutes(5);

    private final Rows rows;
    private final String impl;

    private RuntimeBench(Rows rows) {
        this.rows = rows;
        this.impl = "shmarray-" + Shmarray.backendName() + "-jdk" + Runtime.version().feature();
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: RuntimeBench RESULTS.tsv [roundtrip map dispatch start transform pss queue"
                    + " queuethroughput kmeans lifecycle]");
            System.exit(2);
        }
        RuntimeBench b = new RuntimeBench(new Rows(Path.of(args[0])));
        List<String> sections = args.length > 1 ? Arrays.asList(args).subList(1, args.length)
                : List.of("pss", "roundtrip", "map", "dispatch", "start", "transform", "queue", "queuethroughput", "kmeans",
                        "lifecycle");
        for (String s : sections) {
            long t = System.nanoTime();
            System.out.println("# " + s);
            switch (s) {
                case "roundtrip": b.roundTrip(); break;
                case "map": b.map(); break;
                case "dispatch": b.dispatch(); break;
                case "start": b.start(); break;
                case "transform": b.transform(); break;
                case "pss": b.pss(); break;
                case "queue": b.queue(); break;
                case "lifecycle": b.lifecycle(); break;
                case "queuethroughput": b.queueThroughput(); break;
                case "kmeans": b.kmeans(); break;
                default: throw new IllegalArgumentException("unknown section " + s);
            }
            System.out.printf("# %s took %.1f s%n", s, (System.nanoTime() - t) / 1e9);
        }
        System.exit(0);
    }

    private static WorkerOptions options() {
        String frame = System.getProperty(WorkerOptions.MAX_FRAME_PROPERTY);
        WorkerOptions o = WorkerOptions.defaults();
        return frame == null ? o : o.withProperty(WorkerOptions.MAX_FRAME_PROPERTY, frame);
    }

    private static double micros(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e3;
    }

    /**
     * Create + close of a 1,000-element double array (8,000 bytes; owner-scoped, so close also
     * removes the name), warm, against Python's {@code SharedMemory(create=True)} + {@code close()}
     * + {@code unlink()} of the same size in the peer.
     */
    void lifecycle() {
        for (int i = 0; i < 5_000; i++) {
            try (SharedDoubleArray a = SharedDoubleArray.create(1000)) {
                a.set(0, i);
            }
        }
        double[] us = new double[20_000];
        for (int i = 0; i < us.length; i++) {
            long t = System.nanoTime();
            try (SharedDoubleArray a = SharedDoubleArray.create(1000)) {
                a.set(0, i);
            }
            us[i] = micros(t);
        }
        rows.add("lifecycle", impl, "create_close_median", Rows.median(us), "us");
        rows.add("lifecycle", impl, "create_close_p90", Rows.percentile(us, 0.9), "us");
    }

    /** Warm round trip of a trivial task through a pool of 2. */
    void roundTrip() throws Exception {
        try (Pool pool = Pool.builder().workers(2).options(options()).build()) {
            for (int i = 0; i < 500; i++) pool.submit(() -> 1).get();
            double[] us = new double[3000];
            for (int i = 0; i < us.length; i++) {
                long t = System.nanoTime();
                pool.submit(() -> 1).get();
                us[i] = micros(t);
            }
            rows.add("roundtrip", impl, "median", Rows.median(us), "us");
            rows.add("roundtrip", impl, "p90", Rows.percentile(us, 0.9), "us");
            List<Double> samples = new ArrayList<>();
            for (double v : us) samples.add(v);
            rows.samples("latency-" + impl + ".txt", samples);
            // Pool.apply, synchronous like Python's: the caller talks to an idle worker itself
            for (int i = 0; i < 500; i++) pool.apply(() -> 1);
            double[] sync = new double[3000];
            for (int i = 0; i < sync.length; i++) {
                long t = System.nanoTime();
                if (pool.apply(() -> 1) != 1) throw new AssertionError();
                sync[i] = micros(t);
            }
            rows.add("roundtrip", impl, "apply_median", Rows.median(sync), "us");
            rows.add("roundtrip", impl, "apply_p90", Rows.percentile(sync, 0.9), "us");
        }
    }

    /** Passes over every chunksize before the timed ones (the first is also reported, as a fresh pool's). */
    static final int MAP_WARM_PASSES = 2;
    static final int MAP_TIMED_PASSES = 3;

    /**
     * Throughput of map over 200k trivial tasks at chunksize 1, 100, 1000 and Python's default:
     * the median of {@value #MAP_TIMED_PASSES} passes after {@value #MAP_WARM_PASSES} untimed ones
     * (both JVMs' JIT warm, as {@code mp_peer.py} does for Python); the first pass of the fresh
     * pool is reported beside it.
     */
    void map() {
        List<Integer> items = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) items.add(i);
        int[] chunks = {1, 100, 1000, 0};
        double[][] rates = new double[chunks.length][MAP_WARM_PASSES + MAP_TIMED_PASSES];
        try (Pool pool = Pool.builder().workers(2).options(options()).build()) {
            for (int pass = 0; pass < MAP_WARM_PASSES + MAP_TIMED_PASSES; pass++) {
                for (int c = 0; c < chunks.length; c++) {
                    int chunk = chunks[c];
                    long t = System.nanoTime();
                    List<Integer> out = chunk == 0 ? pool.map(x -> x + 1, items) : pool.map(x -> x + 1, items, chunk);
                    double s = (System.nanoTime() - t) / 1e9;
                    if (out.size() != items.size() || out.get(199_999) != 200_000) throw new AssertionError("bad map result");
                    rates[c][pass] = items.size() / s;
                }
            }
        }
        for (int c = 0; c < chunks.length; c++) {
            String name = chunks[c] == 0 ? "chunksize_default" : "chunksize_" + chunks[c];
            rows.add("map200k", impl, name, Rows.median(Arrays.copyOfRange(rates[c], MAP_WARM_PASSES, rates[c].length)),
                    "tasks/s");
            rows.add("map200k", impl, name + "_first_pass", rates[c][0], "tasks/s");
        }
    }

    /** A task capturing a shared array vs the same task carrying a copy, by size. */
    void dispatch() throws Exception {
        long[] sizes = {1L << 10, 1L << 20, 64L << 20, 800_000_000L};
        try (Pool pool = Pool.builder().workers(1).options(options()).build()) {
            for (int i = 0; i < 200; i++) pool.submit(() -> 1).get();
            for (long bytes : sizes) {
                int n = (int) (bytes / 8);
                try (SharedDoubleArray a = SharedDoubleArray.create(n)) {
                    SerializableCallable<Long> task = () -> a.length();
                    pool.submit(task).get(); // the first attach of this segment in the worker
                    double[] us = new double[21];
                    for (int r = 0; r < us.length; r++) {
                        long t = System.nanoTime();
                        if (pool.submit(task).get() != n) throw new AssertionError();
                        us[r] = micros(t);
                    }
                    rows.add("dispatch", impl + "-shared", "bytes_" + bytes, Rows.median(us), "us");
                }
                double[] copy = new double[n];
                Arrays.fill(copy, 1.5);
                SerializableCallable<Integer> task = () -> copy.length;
                int reps = bytes >= (64L << 20) ? 3 : 21;
                double[] us = new double[reps];
                try {
                    for (int r = 0; r < reps; r++) {
                        long t = System.nanoTime();
                        if (pool.submit(task).get() != n) throw new AssertionError();
                        us[r] = micros(t);
                    }
                    rows.add("dispatch", impl + "-copy", "bytes_" + bytes, Rows.median(us), "us");
                } catch (Exception e) {
                    System.out.println("# copy of " + bytes + " B refused: " + e);
                    rows.add("dispatch", impl + "-copy", "bytes_" + bytes, Double.NaN, "us");
                }
            }
        }
    }

    /** New worker to first result: cold, warm standby, and a bare java child. */
    void start() throws Exception {
        int reps = 7;
        double[] cold = new double[reps];
        WorkerProcess.start(() -> 1).result(); // this JVM's own class loading, once
        for (int r = 0; r < reps; r++) {
            long t = System.nanoTime();
            try (WorkerProcess<Integer> p = WorkerProcess.start(() -> 1)) {
                p.result();
                cold[r] = micros(t) / 1000;
            }
        }
        rows.add("start", impl, "cold", Rows.median(cold), "ms");
        double[] standby = new double[reps];
        for (int r = 0; r < reps; r++) {
            WorkerProcess.prestart();
            Thread.sleep(1500); // the standby JVM gets ready meanwhile
            long t = System.nanoTime();
            try (WorkerProcess<Integer> p = WorkerProcess.start(() -> 1)) {
                p.result();
                standby[r] = micros(t) / 1000;
            }
        }
        WorkerProcess.shutdownStandby();
        rows.add("start", impl, "standby", Rows.median(standby), "ms");
        double[] bare = new double[reps];
        String java = ProcessHandle.current().info().command().orElse("java");
        for (int r = 0; r < reps; r++) {
            long t = System.nanoTime();
            Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Noop.class.getName())
                    .redirectErrorStream(true).start();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                if (!"ready".equals(in.readLine())) throw new AssertionError("bare JVM did not start");
                bare[r] = micros(t) / 1000;
            }
            p.waitFor(30, TimeUnit.SECONDS);
        }
        rows.add("start", "java-bare-jdk" + Runtime.version().feature(), "cold", Rows.median(bare), "ms");
        // a fresh JVM: from main to the first result of a new Pool(2), against the bare JVM to main
        double[] fresh = new double[5];
        for (int r = 0; r < fresh.length; r++) {
            Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                    System.getProperty("java.class.path"), FirstPoolResult.class.getName())
                    .redirectErrorStream(true).start();
            String line;
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String l;
                line = null;
                while ((l = in.readLine()) != null) {
                    if (l.startsWith("first-result-ms ")) line = l;
                }
            }
            p.waitFor(60, TimeUnit.SECONDS);
            if (line == null) throw new AssertionError("the fresh JVM printed no first result");
            fresh[r] = Double.parseDouble(line.split(" ")[1]);
        }
        rows.add("start", impl, "fresh_jvm_main_to_pool2_first_result", Rows.median(fresh), "ms");
    }

    /** Rewrites slices of a shared array in place with a compute-bound function. */
    static long transformSlice(SharedDoubleArray a, long from, long to) {
        try (SharedDoubleArray s = a.slice(from, to)) {
            DoubleBuffer d = s.asDoubleBuffer();
            for (int i = 0, n = d.limit(); i < n; i++) {
                double x = d.get(i);
                for (int k = 0; k < 8; k++) x = Math.sqrt(x + k);
                d.put(i, x);
            }
            return d.limit();
        }
    }

    /** In-place transform of 16M doubles: 1 worker, 2 workers, an in-process parallel stream. */
    void transform() {
        int n = 1 << 24;
        int slices = 32;
        List<long[]> ranges = new ArrayList<>();
        for (int s = 0; s < slices; s++) ranges.add(new long[] {(long) n * s / slices, (long) n * (s + 1) / slices});
        try (SharedDoubleArray a = SharedDoubleArray.create(n)) {
            a.fill(2.0);
            for (int workers : new int[] {1, 2}) {
                try (Pool pool = Pool.builder().workers(workers).options(options()).build()) {
                    double[] s = new double[4];
                    for (int r = 0; r < s.length; r++) {
                        long t = System.nanoTime();
                        pool.map(range -> transformSlice(a, range[0], range[1]), ranges, 1);
                        s[r] = (System.nanoTime() - t) / 1e9;
                    }
                    // the first run includes JIT warm-up in fresh workers: median of the other three
                    double m = Rows.median(Arrays.copyOfRange(s, 1, s.length));
                    rows.add("transform16M", impl, workers + "_worker" + (workers > 1 ? "s" : ""), n / m / 1e6, "Melem/s");
                }
            }
            double[] s = new double[4];
            for (int r = 0; r < s.length; r++) {
                long t = System.nanoTime();
                ranges.parallelStream().forEach(range -> transformSlice(a, range[0], range[1]));
                s[r] = (System.nanoTime() - t) / 1e9;
            }
            double m = Rows.median(Arrays.copyOfRange(s, 1, s.length));
            rows.add("transform16M", impl, "parallel_stream_in_process", n / m / 1e6, "Melem/s");
        }
    }

    private static final java.util.regex.Pattern MAPPING = java.util.regex.Pattern.compile("[0-9a-f]+-[0-9a-f]+ ");

    /** {the process's total PSS, the PSS of its mappings of /dev/shm/segment} in KiB, from /proc/PID/smaps. */
    static long[] pssKiB(long pid, String segment) throws IOException {
        long total = 0;
        long seg = 0;
        boolean inSegment = false;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps"))) {
            if (MAPPING.matcher(line).lookingAt()) {
                inSegment = segment != null && line.endsWith("/dev/shm/" + segment);
            } else if (line.startsWith("Pss:")) {
                long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                total += kb;
                if (inSegment) seg += kb;
            }
        }
        return new long[] {total, seg};
    }

    /**
     * N = 4 workers attached to an X = 1 GiB array, every page read by every worker: the PSS of
     * the segment's pages over parent + workers (should be X once, not 5 X) and the workers' other
     * growth. The workers' baseline is measured after each has run the same task over a small
     * array (so JIT code and heap growth of the task itself count as baseline, not as the array's
     * cost). The parent's heap is left out: its garbage collector's timing is not the library's
     * footprint.
     */
    void pss() throws Exception {
        int workers = 4;
        long n = (1L << 30) / 8;
        double gib = 1048576.0;
        try (Pool pool = Pool.builder().workers(workers).options(options()).build()) {
            List<Long> pids = new ArrayList<>(pool.workerPids());
            try (SharedDoubleArray small = SharedDoubleArray.create(1 << 20)) {
                small.fill(1.0);
                readByEveryWorker(pool, workers, small, () -> { });
            }
            long[] before = new long[workers];
            long baseline = 0;
            for (int w = 0; w < workers; w++) {
                before[w] = pssKiB(pids.get(w), null)[0];
                baseline += before[w];
            }
            try (SharedDoubleArray a = SharedDoubleArray.create(n)) {
                a.fill(1.0);
                long[] measured = new long[2]; // segment PSS, workers' other growth
                readByEveryWorker(pool, workers, a, () -> {
                    try {
                        measured[0] = pssKiB(ProcessHandle.current().pid(), a.name())[1];
                        for (int w = 0; w < workers; w++) {
                            long[] now = pssKiB(pids.get(w), a.name());
                            measured[0] += now[1];
                            measured[1] += now[0] - now[1] - before[w];
                        }
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                rows.add("pss", impl, "array_X", 1.0, "GiB");
                rows.add("pss", impl, "workers_idle_baseline", baseline / gib, "GiB");
                rows.add("pss", impl, "segment_pss_parent_plus_4_workers", measured[0] / gib, "GiB");
                rows.add("pss", impl, "workers_other_growth", measured[1] / gib, "GiB");
            }
        }
    }

    /** One task per worker reads all of {@code a}; {@code atBarrier} runs while all of them wait. */
    private static void readByEveryWorker(Pool pool, int workers, SharedDoubleArray a, Runnable atBarrier)
            throws Exception {
        try (SharedBarrier read = SharedBarrier.create(workers + 1); SharedBarrier done = SharedBarrier.create(workers + 1)) {
            List<CompletableFuture<Double>> fs = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                fs.add(pool.submit(() -> {
                    double s = 0;
                    for (ByteBuffer c : a.byteBuffers()) {
                        DoubleBuffer d = c.asDoubleBuffer();
                        for (int i = 0; i < d.limit(); i++) s += d.get(i);
                    }
                    if (!read.await(WAIT) || !done.await(WAIT)) throw new IllegalStateException("barrier timeout");
                    return s;
                }));
            }
            if (!read.await(WAIT)) throw new IllegalStateException("workers did not read");
            try {
                atBarrier.run();
            } finally {
                done.await(WAIT);
            }
            for (CompletableFuture<Double> f : fs) if (f.get() != a.length()) throw new AssertionError("bad sum");
        }
    }

    /** Queue ping-pong between this JVM and a worker; one way = round trip / 2. */
    void queue() throws Exception {
        try (SharedQueue<Integer> ping = SharedQueue.create(1 << 16); SharedQueue<Integer> pong = SharedQueue.create(1 << 16);
                WorkerProcess<Integer> echo = WorkerProcess.start(options(), () -> {
                    int k = 0;
                    for (Integer v; (v = ping.poll(WAIT)) != null && v >= 0; k++) pong.put(v);
                    return k;
                })) {
            for (int i = 0; i < 500; i++) {
                ping.put(i);
                pong.poll(WAIT);
            }
            double[] us = new double[5000];
            for (int i = 0; i < us.length; i++) {
                long t = System.nanoTime();
                ping.put(i);
                if (pong.poll(WAIT) != i) throw new AssertionError("queue out of order");
                us[i] = micros(t) / 2;
            }
            ping.put(-1);
            echo.result();
            rows.add("queue", impl, "one_way_median", Rows.median(us), "us");
            rows.add("queue", impl, "one_way_p90", Rows.percentile(us, 0.9), "us");
        }
    }

    /** Windows of 100k records the producer puts in a row; the first is also reported, as a cold start. */
    static final int QUEUE_WINDOWS = 4;

    /**
     * Queue throughput: one producer process puts {@value #QUEUE_WINDOWS} x 100k small records
     * ({@code [i, "rec"]}) in a row that this process takes; items per second over each window of
     * 100k, from its first item taken to its last. The median of the windows after the first (both
     * JVMs warm, as {@code mp_peer.py} does for Python) is the result; the first, with the
     * producer's JVM fresh, is reported beside it.
     */
    void queueThroughput() throws Exception {
        int n = 100_000;
        double[] rates = new double[QUEUE_WINDOWS];
        try (SharedQueue<List<Object>> q = SharedQueue.create(1 << 20);
                WorkerProcess<Integer> producer = WorkerProcess.start(options(), () -> {
                    for (int i = 0; i < QUEUE_WINDOWS * n; i++) q.put(new ArrayList<>(List.of(i, "rec")));
                    return n;
                })) {
            for (int w = 0; w < QUEUE_WINDOWS; w++) {
                List<Object> first = q.poll(WAIT);
                if (first == null || (Integer) first.get(0) != w * n) throw new AssertionError("queue out of order");
                long t = System.nanoTime();
                for (int i = 1; i < n; i++) {
                    List<Object> r = q.poll(WAIT);
                    if (r == null || (Integer) r.get(0) != w * n + i) throw new AssertionError("queue out of order at " + i);
                }
                rates[w] = (n - 1) / ((System.nanoTime() - t) / 1e9);
            }
            if (producer.result() != n) throw new AssertionError("producer failed");
        }
        rows.add("queuethroughput", impl, "one_producer_small_records", Rows.median(Arrays.copyOfRange(rates, 1, rates.length)),
                "items/s");
        rows.add("queuethroughput", impl, "one_producer_small_records_first_window", rates[0], "items/s");
    }

    static final int KMEANS_K = 8;
    static final int KMEANS_SLICES = 8;
    static final int KMEANS_ITERATIONS = 50;
    /** Rounds of {@value #KMEANS_ITERATIONS} iterations on each side: one to warm up, the median of the rest. */
    static final int KMEANS_ROUNDS = 4;

    /** Sums of the points of slice {@code slice} per nearest centroid: k x (sum x, sum y, count). */
    static double[] kmeansPartial(double[] pts, int points, double[] centroids, int slice) {
        double[] acc = new double[KMEANS_K * 3];
        int from = (int) ((long) points * slice / KMEANS_SLICES);
        int to = (int) ((long) points * (slice + 1) / KMEANS_SLICES);
        for (int p = from; p < to; p++) {
            kmeansAssign(acc, centroids, pts[2 * p], pts[2 * p + 1]);
        }
        return acc;
    }

    /** The same over a shared array: the same code, element access instead of a heap array. */
    static double[] kmeansPartial(SharedDoubleArray pts, int points, double[] centroids, int slice) {
        double[] acc = new double[KMEANS_K * 3];
        int from = (int) ((long) points * slice / KMEANS_SLICES);
        int to = (int) ((long) points * (slice + 1) / KMEANS_SLICES);
        for (int p = from; p < to; p++) {
            kmeansAssign(acc, centroids, pts.get(2L * p), pts.get(2L * p + 1));
        }
        return acc;
    }

    private static void kmeansAssign(double[] acc, double[] centroids, double x, double y) {
        int best = 0;
        double bestD = Double.MAX_VALUE;
        for (int c = 0; c < KMEANS_K; c++) {
            double dx = x - centroids[2 * c];
            double dy = y - centroids[2 * c + 1];
            double d = dx * dx + dy * dy;
            if (d < bestD) {
                bestD = d;
                best = c;
            }
        }
        acc[3 * best] += x;
        acc[3 * best + 1] += y;
        acc[3 * best + 2] += 1;
    }

    static double[] kmeansStep(List<double[]> partials, double[] centroids) {
        double[] sum = new double[KMEANS_K * 3];
        for (double[] p : partials) for (int i = 0; i < sum.length; i++) sum[i] += p[i];
        double[] next = centroids.clone();
        for (int c = 0; c < KMEANS_K; c++) {
            if (sum[3 * c + 2] > 0) {
                next[2 * c] = sum[3 * c] / sum[3 * c + 2];
                next[2 * c + 1] = sum[3 * c + 1] / sum[3 * c + 2];
            }
        }
        return next;
    }

    /**
     * An iterative algorithm of many short maps: k-means over 2M 2-D points (k = 8), 50 iterations
     * of an 8-slice map. Pool(2) on a shared array vs an in-process parallel stream on a heap
     * array; both compute the same centroids.
     */
    void kmeans() {
        int points = 2_000_000;
        double[] heap = new double[2 * points];
        java.util.Random r = new java.util.Random(7);
        for (int p = 0; p < points; p++) {
            int c = p % KMEANS_K;
            heap[2 * p] = c * 10 + r.nextGaussian();
            heap[2 * p + 1] = (c % 3) * 7 + r.nextGaussian();
        }
        double[] start = new double[2 * KMEANS_K];
        for (int c = 0; c < KMEANS_K; c++) {
            start[2 * c] = heap[2 * c];
            start[2 * c + 1] = heap[2 * c + 1];
        }
        List<Integer> slices = new ArrayList<>();
        for (int s = 0; s < KMEANS_SLICES; s++) slices.add(s);
        double[] streamResult = null;
        double[] poolResult = null;
        double[] streamSeconds = new double[KMEANS_ROUNDS];
        double[] poolSeconds = new double[KMEANS_ROUNDS];
        for (int round = 0; round < KMEANS_ROUNDS; round++) { // round 0 warms the JIT on both sides
            double[] c = start;
            long t = System.nanoTime();
            for (int it = 0; it < KMEANS_ITERATIONS; it++) {
                double[] cur = c;
                List<double[]> partials = slices.parallelStream()
                        .map(s -> kmeansPartial(heap, points, cur, s)).collect(java.util.stream.Collectors.toList());
                c = kmeansStep(partials, c);
            }
            streamSeconds[round] = (System.nanoTime() - t) / 1e9;
            streamResult = c;
        }
        try (SharedDoubleArray shared = SharedDoubleArray.create(2L * points);
                Pool pool = Pool.builder().workers(2).options(options()).build()) {
            shared.copyFrom(heap);
            for (int round = 0; round < KMEANS_ROUNDS; round++) {
                double[] c = start;
                long t = System.nanoTime();
                for (int it = 0; it < KMEANS_ITERATIONS; it++) {
                    double[] cur = c;
                    List<double[]> partials = pool.map(s -> kmeansPartial(shared, points, cur, s), slices, 1);
                    c = kmeansStep(partials, c);
                }
                poolSeconds[round] = (System.nanoTime() - t) / 1e9;
                poolResult = c;
            }
        }
        if (!Arrays.equals(streamResult, poolResult)) throw new AssertionError("k-means: different centroids");
        // the median of the rounds after the first, on each side
        rows.add("kmeans2M", impl, "parallel_stream_in_process",
                KMEANS_ITERATIONS / Rows.median(Arrays.copyOfRange(streamSeconds, 1, KMEANS_ROUNDS)), "iterations/s");
        rows.add("kmeans2M", impl, "pool_2_workers",
                KMEANS_ITERATIONS / Rows.median(Arrays.copyOfRange(poolSeconds, 1, KMEANS_ROUNDS)), "iterations/s");
    }
}
