package io.shmarray.examples;

import io.shmarray.SharedBarrier;
import io.shmarray.SharedDoubleArray;
import io.shmarray.runtime.Pool;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * Scenario 4 — a huge dataset (230 M doubles, 1.7 GiB, by default; {@code --length N} scales it)
 * held in an object that a pool of 4 workers reads. In Python each task argument is pickled: every
 * worker gets its own copy. Here the object carries a shared array, which travels as a handle:
 * nothing is copied. The proof is the proportional set size (PSS) of the segment's pages, read
 * from {@code /proc/PID/smaps} of the parent and the 4 workers while all of them have read every
 * element: it adds up to the array's size once, not five times.
 *
 * <pre>{@code
 * java -cp java/target/shmarray.jar:java/target/shmarray-examples.jar io.shmarray.examples.HugeDatasetNoCopy [--length N]
 * }</pre>
 */
public final class HugeDatasetNoCopy {

    private HugeDatasetNoCopy() {}

    /** The object the workers use: metadata copied, values shared. */
    static final class Dataset implements Serializable {
        private static final long serialVersionUID = 1L;
        final String label;
        final SharedDoubleArray values;

        Dataset(String label, SharedDoubleArray values) {
            this.label = label;
            this.values = values;
        }
    }

    public static void main(String[] args) throws Exception {
        long length = 230_000_000L;
        if (args.length == 2 && args[0].equals("--length")) length = Long.parseLong(args[1].replace("_", ""));
        else if (args.length != 0) {
            System.err.println("usage: HugeDatasetNoCopy [--length N]");
            System.exit(2);
        }
        int workers = 4;
        long bytes = length * Double.BYTES;
        try (SharedDoubleArray values = SharedDoubleArray.create(length);
                SharedBarrier allRead = SharedBarrier.create(workers + 1);
                SharedBarrier measured = SharedBarrier.create(workers + 1);
                Pool pool = Pool.create(workers)) {
            long base = 0;
            for (ByteBuffer chunk : values.byteBuffers()) {
                DoubleBuffer d = chunk.asDoubleBuffer();
                for (int i = 0; i < d.limit(); i++) d.put(i, base + i);
                base += d.limit();
            }
            Dataset data = new Dataset("ramp 0.." + (length - 1), values);
            System.out.printf(Locale.ROOT, "dataset '%s': %,d doubles (%s) in '%s'%n", data.label, length,
                    mib(bytes), values.name());

            Duration wait = Duration.ofMinutes(5);
            List<CompletableFuture<long[]>> sums = new ArrayList<>();
            for (int w = 0; w < workers; w++) { // each task blocks at the barrier: one per worker
                sums.add(pool.submit(() -> {
                    long s = 0; // the values are whole numbers: an exact sum (a double one would round past 2^53)
                    for (ByteBuffer chunk : data.values.byteBuffers()) {
                        DoubleBuffer d = chunk.asDoubleBuffer();
                        for (int i = 0; i < d.limit(); i++) s += (long) d.get(i);
                    }
                    if (!allRead.await(wait) || !measured.await(wait)) throw new IllegalStateException("barrier timeout");
                    return new long[] {s, Check.pid()};
                }));
            }
            Check.that(allRead.await(wait), "all workers read the whole dataset");
            List<Long> pids = new ArrayList<>(pool.workerPids());
            pids.add(0, Check.pid());
            long segmentPss = 0;
            long totalPss = 0;
            for (long pid : pids) {
                long[] pss = pssKiB(pid, values.name());
                segmentPss += pss[0];
                totalPss += pss[2];
                System.out.printf(Locale.ROOT, "  pid %-7d %s: the segment's resident pages %s, its PSS %s;"
                        + " whole process PSS %s%n", pid, pid == Check.pid() ? "parent" : "worker", mib(pss[1] * 1024),
                        mib(pss[0] * 1024), mib(pss[2] * 1024));
                Check.that(pss[1] * 1024 >= bytes * 99 / 100, "pid " + pid + " has the whole dataset mapped and resident");
            }
            measured.await(wait);
            long expected = length * (length - 1) / 2;
            for (CompletableFuture<long[]> f : sums) {
                long[] r = f.get();
                Check.that(r[0] == expected, "worker " + r[1] + " read every value: sum " + r[0] + ", expected " + expected);
            }
            System.out.printf(Locale.ROOT, "PSS of the dataset's pages, parent + %d workers: %s for a %s array "
                    + "(copies would need %s)%n", workers, mib(segmentPss * 1024), mib(bytes), mib(bytes * (workers + 1)));
            System.out.printf(Locale.ROOT, "PSS of the 5 processes altogether: %s%n", mib(totalPss * 1024));
            Check.that(segmentPss * 1024 <= bytes * 105 / 100 + (4 << 20), "the dataset is in memory once");
        }
        System.out.println("OK: " + workers + " workers read the whole dataset; nothing was copied");
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%,.1f MiB", bytes / 1048576.0);
    }

    private static final java.util.regex.Pattern MAPPING = java.util.regex.Pattern.compile("[0-9a-f]+-[0-9a-f]+ ");

    /** {Pss of the mappings of /dev/shm/NAME, their Rss, the process's total Pss}, in KiB. */
    static long[] pssKiB(long pid, String segment) throws IOException {
        long segPss = 0;
        long segRss = 0;
        long total = 0;
        boolean inSegment = false;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps"))) {
            if (MAPPING.matcher(line).lookingAt()) { // "7f..-7f.. rw-s 00000000 00:1a 123  /dev/shm/NAME"
                inSegment = line.endsWith("/dev/shm/" + segment) || line.endsWith("/dev/shm/" + segment + " (deleted)");
                continue;
            }
            if (line.startsWith("Pss:")) {
                long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                total += kb;
                if (inSegment) segPss += kb;
            } else if (line.startsWith("Rss:") && inSegment) {
                segRss += Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return new long[] {segPss, segRss, total};
    }
}
