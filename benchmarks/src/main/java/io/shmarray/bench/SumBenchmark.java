package io.shmarray.bench;

import io.shmarray.SharedDoubleArray;
import io.shmarray.Shmarray;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * Sequential sum over a shared array versus an on-heap {@code double[]} of the same length, in
 * the same run. The first benchmark of the suite; the full comparison set is its own issue.
 *
 * <pre>{@code java -jar benchmarks/target/benchmarks.jar SumBenchmark}</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SumBenchmark {

    @Param("4000000")
    public int length;

    private double[] heap;
    private SharedDoubleArray shared;

    @Setup
    public void setUp() {
        heap = new double[length];
        shared = SharedDoubleArray.create(length);
        for (int i = 0; i < length; i++) {
            heap[i] = i;
            shared.set(i, i);
        }
        System.out.println("# shmarray backend: " + Shmarray.backendName());
    }

    @TearDown
    public void tearDown() {
        shared.unlink();
        shared.close();
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
}
