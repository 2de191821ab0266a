/**
 * The benchmark suite: JMH benchmarks ({@link io.shmarray.bench.ArrayBenchmark}), the
 * process-level workloads JMH cannot drive ({@link io.shmarray.bench.RuntimeBench}), and the
 * report generator ({@link io.shmarray.bench.Report}). {@code benchmarks/run.sh} runs them all with
 * the Python and C peers in {@code benchmarks/peers/}:
 *
 * <pre>{@code
 * benchmarks/run.sh                      # -> benchmarks/results/<date>/report.md + PNG plots
 * java -jar benchmarks/target/benchmarks.jar ArrayBenchmark.sharedSum
 * }</pre>
 */
package io.shmarray.bench;
