package io.shmarray.cli;

import io.shmarray.Explain;
import io.shmarray.SharedDoubleArray;
import io.shmarray.Shmarray;
import io.shmarray.internal.NativeErrors;
import io.shmarray.runtime.Pool;
import io.shmarray.runtime.SerializableCallable;
import io.shmarray.runtime.SerializableFunction;
import java.io.PrintStream;
import java.nio.DoubleBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The flagship demo ({@code java -jar shmarray.jar}): a pool of worker JVMs transforms one large
 * shared array <em>in place</em>, and the parent sees every write without a byte of the data being
 * copied.
 *
 * <ol>
 *   <li>checks that {@code /dev/shm} can hold the array, and says what to do when it cannot;
 *   <li>creates {@code --length} doubles (default 100 M = 800 MB) in shared memory and fills
 *       {@code a[i] = i};
 *   <li>starts a {@link Pool} of {@code --workers} JVMs; each task captures the array (travelling
 *       as a ~300-byte handle) and a slice range, and rewrites {@code a[i] = sqrt(a[i]) + 1} in
 *       place; a progress bar follows the slices;
 *   <li>verifies every element in the parent, prints what a task copied and what it shared (from
 *       {@link Explain}), and the cost of sending the same data by serialization instead: a real
 *       round trip of a heap copy of a sample through the pool, extrapolated (labelled as such);
 *   <li>removes the segment and stops the workers. After Ctrl-C or {@code kill -9} of this JVM the
 *       workers exit (their stdin closes) and the reaper helper removes the segment.
 * </ol>
 *
 * Options: {@code --length N} (underscores allowed), {@code --workers W} (default: available
 * processors, at most 4), {@code --slices S} (default 64), {@code --pause-ms P} (each task sleeps P
 * ms after its slice: time to watch the progress bar or to try Ctrl-C).
 */
final class Demo {

    /** What each worker computes, and what the parent checks. */
    static double transform(double x) {
        return Math.sqrt(x) + 1.0;
    }

    private final PrintStream out = System.out;
    private long length = 100_000_000L;
    private int workers = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    private int slices = 64;
    private long pauseMillis;

    private Demo() {}

    /** Runs the demo; returns the process exit status (0 ok, 1 failed, 2 usage). */
    static int run(String[] args) throws Exception {
        Demo d = new Demo();
        String bad = d.parse(args);
        if (bad != null) {
            System.err.println(bad);
            System.err.println("usage: java -jar shmarray.jar [demo] [--length N] [--workers W] [--slices S] [--pause-ms P]");
            return 2;
        }
        return d.run();
    }

    private String parse(String[] args) {
        int i = args.length > 0 && args[0].equals("demo") ? 1 : 0;
        for (; i < args.length; i++) {
            String opt = args[i];
            if (!List.of("--length", "--workers", "--slices", "--pause-ms").contains(opt)) {
                return "unknown option: " + opt;
            }
            if (i + 1 >= args.length) return "missing value after " + opt;
            long v;
            try {
                v = Long.parseLong(args[++i].replace("_", ""));
            } catch (NumberFormatException e) {
                return opt + ": not a number: " + args[i];
            }
            switch (opt) {
                case "--length":
                    if (v < 1) return "--length=" + v + ", must be >= 1";
                    if (v > (1L << 57)) return "--length=" + v + ", must be <= 2^57";
                    length = v;
                    break;
                case "--workers":
                    if (v < 1 || v > 64) return "--workers=" + v + ", must be in 1..64";
                    workers = (int) v;
                    break;
                case "--slices":
                    if (v < 1 || v > 1_000_000) return "--slices=" + v + ", must be in 1..1000000";
                    slices = (int) v;
                    break;
                case "--pause-ms":
                    if (v < 0 || v > 60_000) return "--pause-ms=" + v + ", must be in 0..60000";
                    pauseMillis = v;
                    break;
                default:
                    return "unknown option: " + opt;
            }
        }
        slices = (int) Math.min(slices, length);
        return null;
    }

    private int run() throws Exception {
        long bytes = length * Double.BYTES;
        out.println("shmarray " + Shmarray.version() + " · " + Main.backendLine());

        // 1. Room in /dev/shm? A full tmpfs would otherwise mean SIGBUS in Python; here it is a
        //    typed error anyway, but a demo should say what to do before it starts.
        long free = NativeErrors.freeBytes();
        long needed = bytes + (1 << 20);
        if (free >= 0 && free < needed) {
            System.err.printf(Locale.ROOT, "/dev/shm has %s free; this demo needs %s for %,d doubles.%n"
                    + "  Run a smaller demo:   java -jar java/target/shmarray.jar --length %d%n"
                    + "  or enlarge /dev/shm:  docker run --shm-size=2g ...   /   mount -o remount,size=2G /dev/shm%n",
                    NativeErrors.formatBytes(free), NativeErrors.formatBytes(needed), length,
                    Math.max(1, (free - (1 << 20)) / Double.BYTES / 2));
            return 1;
        }
        out.printf(Locale.ROOT, "/dev/shm: %s free, %s needed%n", NativeErrors.formatBytes(free),
                NativeErrors.formatBytes(bytes));

        SharedDoubleArray array = SharedDoubleArray.create(length);
        Pool[] pool = new Pool[1];
        Thread onExit = new Thread(() -> {
            // Ctrl-C / SIGTERM: stop the workers now; the segment goes with this process anyway
            // (owner-scoped: the reaper helper removes it once this JVM is gone, kill -9 included).
            System.err.println("\ninterrupted: stopping the workers; the segment goes with this process");
            if (pool[0] != null) pool[0].terminate();
        }, "shmarray-demo-exit");
        Runtime.getRuntime().addShutdownHook(onExit);
        String name = array.name();
        try (array) {
            out.printf(Locale.ROOT, "parent (pid %d): created '%s' in /dev/shm: %,d doubles (%s)%n",
                    ProcessHandle.current().pid(), name, length, NativeErrors.formatBytes(bytes));
            long t = System.nanoTime();
            fillWithIndex(array);
            out.printf(Locale.ROOT, "parent: filled a[i] = i in %.2f s (first touch of fresh pages)%n", seconds(t));

            t = System.nanoTime();
            pool[0] = Pool.builder().workers(workers).build();
            out.printf(Locale.ROOT, "pool: %d worker JVMs (pids %s) started in %.2f s%n", workers,
                    pool[0].workerPids(), seconds(t));

            long sliceLength = (length + slices - 1) / slices;
            List<long[]> ranges = new ArrayList<>();
            for (long from = 0; from < length; from += sliceLength) {
                ranges.add(new long[] {from, Math.min(length, from + sliceLength)});
            }
            long pause = pauseMillis;
            SerializableFunction<long[], Long> task = range -> transformInPlace(array, range[0], range[1], pause);

            Explain.Report report = Explain.explain(task);
            out.println("what one task sends to a worker (Explain.explain(task)):");
            for (String line : report.toString().split("\n")) out.println("  " + line);

            out.printf(Locale.ROOT, "workers: a[i] = sqrt(a[i]) + 1 in place, %d slices of %,d doubles%n",
                    ranges.size(), sliceLength);
            Progress progress = new Progress(out, ranges.size());
            t = System.nanoTime();
            List<Long> counts = pool[0].map(task, ranges, 1, progress::update);
            double transformSeconds = seconds(t);
            progress.finish();
            long done = 0;
            for (long c : counts) done += c;
            out.printf(Locale.ROOT, "workers: transformed %,d doubles in place in %.2f s (%.0f M doubles/s)%n",
                    done, transformSeconds, done / transformSeconds / 1e6);

            t = System.nanoTime();
            long wrong = verify(array);
            if (wrong != 0 || done != length) {
                System.err.printf(Locale.ROOT, "parent: %,d of %,d values are not what the workers wrote%n", wrong,
                        length);
                return 1;
            }
            out.printf(Locale.ROOT, "parent: verified all %,d values in %.2f s: every write is visible here, "
                    + "nothing was copied back%n", length, seconds(t));

            long rangeBytes = Explain.explain(ranges.get(0)).wireBytes();
            long wire = report.wireBytes() * workers + rangeBytes * ranges.size();
            out.printf(Locale.ROOT, "on the wire: the function (%,d B) once per worker + %d slice ranges of %,d B"
                    + " = %s sent; %s of array data shared, not copied%n", report.wireBytes(), ranges.size(),
                    rangeBytes, NativeErrors.formatBytes(wire), NativeErrors.formatBytes(bytes));
            serializationEstimate(pool[0], array, transformSeconds);

            List<Long> pids = pool[0].workerPids();
            pool[0].close();
            pool[0].join();
            out.println("pool: closed; workers " + pids + " exited: " + pids.stream()
                    .noneMatch(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false)));
        } finally {
            if (pool[0] != null) pool[0].terminate();
            try {
                Runtime.getRuntime().removeShutdownHook(onExit);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running
            }
        }
        boolean gone = !Files.exists(Path.of("/dev/shm", name));
        out.println("parent: closed '" + name + "', which removed it (this process owned it); "
                + (gone ? "nothing of this run is left in /dev/shm" : "WARNING: /dev/shm/" + name + " still exists"));
        return gone ? 0 : 1;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static void fillWithIndex(SharedDoubleArray a) {
        long base = 0;
        for (java.nio.ByteBuffer chunk : a.byteBuffers()) {
            DoubleBuffer d = chunk.asDoubleBuffer();
            for (int i = 0, n = d.limit(); i < n; i++) d.put(i, base + i);
            base += d.limit();
        }
    }

    /** Runs in a worker: rewrites a[from..to) in place. */
    static long transformInPlace(SharedDoubleArray a, long from, long to, long pauseMillis) {
        try (SharedDoubleArray s = a.slice(from, to)) {
            long base = 0;
            for (java.nio.ByteBuffer chunk : s.byteBuffers()) {
                DoubleBuffer d = chunk.asDoubleBuffer();
                for (int i = 0, n = d.limit(); i < n; i++) d.put(i, transform(d.get(i)));
                base += d.limit();
            }
            if (pauseMillis > 0) Thread.sleep(pauseMillis);
            return base;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static long verify(SharedDoubleArray a) {
        long wrong = 0;
        long base = 0;
        for (java.nio.ByteBuffer chunk : a.byteBuffers()) {
            DoubleBuffer d = chunk.asDoubleBuffer();
            for (int i = 0, n = d.limit(); i < n; i++) {
                if (d.get(i) != transform(base + i)) wrong++;
            }
            base += d.limit();
        }
        return wrong;
    }

    /**
     * What Python's Pool does with a numpy array argument, measured here for real: a task that
     * carries a heap copy of a sample of the array to a worker and gets it back (serialization,
     * the socket, deserialization, both ways), median of three, scaled to the whole array.
     */
    private void serializationEstimate(Pool pool, SharedDoubleArray a, double transformSeconds) throws Exception {
        int sample = (int) Math.min(a.length(), 4_000_000L);
        double[] copy = new double[sample];
        a.copyTo(0, copy, 0, sample);
        SerializableCallable<double[]> roundTrip = () -> copy;
        double[] times = new double[3];
        for (int r = 0; r < times.length; r++) {
            long t = System.nanoTime();
            if (pool.submit(roundTrip).get().length != sample) throw new IllegalStateException("bad copy");
            times[r] = seconds(t);
        }
        Arrays.sort(times);
        double scale = (double) a.length() / sample;
        double total = times[1] * scale;
        String how = scale > 1.0
                ? String.format(Locale.ROOT, "EXTRAPOLATED x%.1f from a measured round trip of %,d doubles", scale, sample)
                : String.format(Locale.ROOT, "measured with all %,d doubles", sample);
        out.printf(Locale.ROOT, "by serialization instead, as Python's Pool does with an array argument (%s): "
                + "~%.1f s to send %s to the workers and back, vs %.2f s for the whole shared-memory transform%n",
                how, total, NativeErrors.formatBytes(a.length() * Double.BYTES), transformSeconds);
    }

    /** A one-line progress bar on a terminal; a line per quarter otherwise (logs, CI). */
    private static final class Progress {
        private final PrintStream out;
        private final long total;
        private final boolean terminal = System.console() != null;
        private int lastQuarter;

        Progress(PrintStream out, long total) {
            this.out = out;
            this.total = total;
        }

        synchronized void update(long done, long all) {
            int width = 40;
            int filled = (int) (width * done / Math.max(1, all));
            String bar = "[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + done + "/" + all + " slices";
            if (terminal) {
                out.print("\r" + bar);
                out.flush();
            } else {
                int quarter = (int) (4 * done / Math.max(1, all));
                if (quarter > lastQuarter) {
                    lastQuarter = quarter;
                    out.println("progress " + bar);
                }
            }
        }

        void finish() {
            if (terminal) out.println();
        }
    }
}
