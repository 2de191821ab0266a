package io.shmarray.bench;

import io.shmarray.SharedDoubleArray;
import io.shmarray.SharedLongArray;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import io.shmarray.Shmarray;
import java.nio.DoubleBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Element access on a shared array versus an on-heap {@code double[]} of the same length, in the
 * same run: sequential sum and fill over {@code length} doubles (default 1e8 = 800 MB), random
 * reads, bulk copies both ways, {@code getAt(i, j)} over a 2-D view against {@code double[][]},
 * atomics against a {@code VarHandle} on a {@code long[]}, and a 4-accumulator sum kernel (compared
 * with C memory bandwidth by the report). Pairs are named {@code heapX} / {@code sharedX} and run the
 * same loop (an {@code int} index, as a heap array needs); {@code sharedXLongLoop} is the same with a
 * {@code long} index, {@code sharedXWindow} goes through the zero-copy {@code DoubleBuffer} window.
 *
 * <pre>{@code
 * java -jar benchmarks/target/benchmarks.jar ArrayBenchmark                               # this JVM's backend
 * java -jar benchmarks/target/benchmarks.jar ArrayBenchmark \
 *     -jvmArgsAppend "--enable-native-access=ALL-UNNAMED -Xmx3g -Dio.shmarray.backend=jna"   # replaces @Fork's options: repeat them
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms3g", "-Xmx3g"})
public class ArrayBenchmark {

    /** Elements; 1e8 doubles = 800 MB on the heap and 800 MB in /dev/shm. */
    @Param("100000000")
    public int length;

    /** Random reads per invocation, and elements per bulk copy. */
    static final int RANDOM_READS = 1 << 20;
    static final int COPY = 1 << 20;

    /** Rows and columns of the 2-D pair (ROWS x COLS = 1e8 when length is 1e8). */
    static final int COLS = 10_000;
    /** Elements hit per atomics invocation (a small, cache-resident array). */
    static final int ATOMICS = 1 << 10;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private double[] heap;
    private double[][] heap2d;
    private SharedDoubleArray shared;
    private SharedDoubleArray shared2d;
    private long[] heapCounters;
    private SharedLongArray sharedCounters;
    private DoubleBuffer window;
    private int[] indices;
    private double[] scratch;

    @Setup(Level.Trial)
    public void setUp() {
        heap = new double[length];
        shared = SharedDoubleArray.create(length);
        window = shared.asDoubleBuffer();
        for (int i = 0; i < length; i++) {
            heap[i] = i;
            window.put(i, i);
        }
        SplittableRandom r = new SplittableRandom(42);
        indices = new int[RANDOM_READS];
        for (int i = 0; i < indices.length; i++) indices[i] = r.nextInt(length);
        scratch = new double[COPY];
        int rows = length / COLS;
        heap2d = new double[rows][COLS];
        for (int i = 0; i < rows; i++) System.arraycopy(heap, i * COLS, heap2d[i], 0, COLS);
        shared2d = shared.slice(0, (long) rows * COLS).reshape(rows, COLS);
        heapCounters = new long[ATOMICS];
        sharedCounters = SharedLongArray.create(ATOMICS);
        System.out.println("# shmarray backend: " + Shmarray.backendName() + " on JDK " + Runtime.version());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        shared2d.close();
        shared.close();
        sharedCounters.close();
    }

    @Benchmark
    public double heapSum() {
        double s = 0;
        for (int i = 0; i < heap.length; i++) s += heap[i];
        return s;
    }

    @Benchmark
    public double sharedSum() {
        double s = 0;
        long n = shared.length();
        for (long i = 0; i < n; i++) s += shared.get(i);
        return s;
    }

    /** As {@link #sharedSum} with an int loop: long-counted loops get fewer loop optimizations. */
    @Benchmark
    public double sharedSumIntLoop() {
        double s = 0;
        int n = (int) shared.length();
        for (int i = 0; i < n; i++) s += shared.get(i);
        return s;
    }

    @Benchmark
    public double sharedSumWindow() {
        DoubleBuffer w = window;
        double s = 0;
        for (int i = 0, n = w.limit(); i < n; i++) s += w.get(i);
        return s;
    }

    @Benchmark
    public double[] heapFill() {
        double[] h = heap;
        for (int i = 0; i < h.length; i++) h[i] = i;
        return h;
    }

    /** The same loop as {@link #heapFill}: an int index, the value converted from it. */
    @Benchmark
    public SharedDoubleArray sharedFill() {
        SharedDoubleArray a = shared;
        int n = (int) a.length();
        for (int i = 0; i < n; i++) a.set(i, i);
        return a;
    }

    @Benchmark
    public SharedDoubleArray sharedFillLongLoop() {
        long n = shared.length();
        for (long i = 0; i < n; i++) shared.set(i, i);
        return shared;
    }

    @Benchmark
    public DoubleBuffer sharedFillWindow() {
        DoubleBuffer w = window;
        for (int i = 0, n = w.limit(); i < n; i++) w.put(i, i);
        return w;
    }

    @Benchmark
    public double heapRandom() {
        double s = 0;
        for (int i : indices) s += heap[i];
        return s;
    }

    @Benchmark
    public double sharedRandom() {
        double s = 0;
        for (int i : indices) s += shared.get(i);
        return s;
    }

    @Benchmark
    public double[] heapCopy() {
        System.arraycopy(heap, length / 2, scratch, 0, COPY);
        return scratch;
    }

    @Benchmark
    public double[] sharedCopy() {
        shared.copyTo(length / 2, scratch, 0, COPY);
        return scratch;
    }

    @Benchmark
    public double[] heapCopyIn() {
        System.arraycopy(scratch, 0, heap, length / 2, COPY);
        return heap;
    }

    @Benchmark
    public SharedDoubleArray sharedCopyIn() {
        shared.copyFrom(scratch, 0, length / 2, COPY);
        return shared;
    }

    @Benchmark
    public double heapGetAt2d() {
        double[][] h = heap2d;
        double s = 0;
        for (int i = 0; i < h.length; i++) {
            for (int j = 0; j < COLS; j++) s += h[i][j];
        }
        return s;
    }

    @Benchmark
    public double sharedGetAt2d() {
        SharedDoubleArray a = shared2d;
        int rows = (int) a.shape()[0];
        double s = 0;
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < COLS; j++) s += a.getAt(i, j);
        }
        return s;
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public long heapGetAndAdd() {
        long[] h = heapCounters;
        long s = 0;
        for (int i = 0; i < ATOMICS; i++) s += (long) LONGS.getAndAdd(h, i, 1L);
        return s;
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public long sharedGetAndAdd() {
        SharedLongArray a = sharedCounters;
        long s = 0;
        for (int i = 0; i < ATOMICS; i++) s += a.getAndAdd(i, 1L);
        return s;
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public int heapCompareAndSet() {
        long[] h = heapCounters;
        int ok = 0;
        for (int i = 0; i < ATOMICS; i++) {
            long v = (long) LONGS.getVolatile(h, i);
            if (LONGS.compareAndSet(h, i, v, v + 1)) ok++;
        }
        return ok;
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public int sharedCompareAndSet() {
        SharedLongArray a = sharedCounters;
        int ok = 0;
        for (int i = 0; i < ATOMICS; i++) {
            long v = a.getVolatile(i);
            if (a.compareAndSet(i, v, v + 1)) ok++;
        }
        return ok;
    }

    /** The kernel: a 4-accumulator sum (breaks the add dependency chain; the JIT vectorizes loads). */
    @Benchmark
    public double heapKernel() {
        double[] h = heap;
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 4 <= h.length; i += 4) {
            s0 += h[i];
            s1 += h[i + 1];
            s2 += h[i + 2];
            s3 += h[i + 3];
        }
        for (; i < h.length; i++) s0 += h[i];
        return s0 + s1 + s2 + s3;
    }

    /** The kernel through {@code get(i)}: what a user writes. */
    @Benchmark
    public double sharedKernel() {
        SharedDoubleArray a = shared;
        int n = (int) a.length();
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            s0 += a.get(i);
            s1 += a.get(i + 1);
            s2 += a.get(i + 2);
            s3 += a.get(i + 3);
        }
        for (; i < n; i++) s0 += a.get(i);
        return s0 + s1 + s2 + s3;
    }

    @Benchmark
    public double sharedKernelWindow() {
        DoubleBuffer w = window;
        int n = w.limit();
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            s0 += w.get(i);
            s1 += w.get(i + 1);
            s2 += w.get(i + 2);
            s3 += w.get(i + 3);
        }
        for (; i < n; i++) s0 += w.get(i);
        return s0 + s1 + s2 + s3;
    }
}
