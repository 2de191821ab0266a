package io.shmarray.runtime;

import java.time.Duration;

/** Driver JVM for runtime tests that must not run in the test JVM itself. */
public final class RuntimeProbe {
    private RuntimeProbe() {}

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "print-10mb": {
                WorkerProcess<Integer> p = WorkerProcess.start(() -> {
                    StringBuilder line = new StringBuilder();
                    for (int i = 0; i < 99; i++) line.append('x');
                    String l = line.toString();
                    for (int i = 0; i < 100_000; i++) System.out.println(l); // 10 MB
                    for (int i = 0; i < 100_000; i++) System.err.println("err " + i + " " + l); // 10 MB more, pumped
                    for (int i = 0; i < 1000; i++) System.err.println("err " + i);
                    return 42;
                });
                System.err.println("RESULT " + p.result());
                break;
            }
            case "big-frame": { // 200 MB each way, under this JVM's (and the worker's) stall limit
                double[] copy = new double[25_000_000];
                for (int i = 0; i < copy.length; i++) copy[i] = i % 1000;
                WorkerOptions o = WorkerOptions.defaults().withProperty("io.shmarray.frameStallMillis",
                        System.getProperty("io.shmarray.frameStallMillis", "30000"));
                long t = System.nanoTime();
                try (WorkerProcess<double[]> p = WorkerProcess.start(o, () -> {
                    double[] back = copy.clone();
                    for (int i = 0; i < back.length; i++) back[i] += 1;
                    return back;
                })) {
                    double[] back = p.result();
                    boolean ok = back.length == copy.length;
                    for (int i = 0; ok && i < back.length; i += 9973) ok = back[i] == i % 1000 + 1;
                    ok = ok && back[back.length - 1] == (back.length - 1) % 1000 + 1;
                    System.out.printf("BACK %d %s in %d ms%n", back.length, ok ? "intact" : "CORRUPT",
                            (System.nanoTime() - t) / 1_000_000);
                }
                break;
            }
            case "bad-classpath": { // R20: workers that cannot start fail the pool in bounded time
                System.setProperty("java.class.path", "/nonexistent/shmarray-missing.jar");
                long t = System.nanoTime();
                try (Pool pool = Pool.create(2)) {
                    System.out.println("STARTED " + pool);
                } catch (WorkerStartException e) {
                    System.out.println("START-FAILED in " + (System.nanoTime() - t) / 1_000_000 + " ms, exit code "
                            + e.exitCode() + ": " + e.getMessage() + " | stderr: " + e.stderrTail());
                }
                long workers = ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                        .filter(c -> c.info().commandLine().orElse("").contains("WorkerMain")).count();
                System.out.println("WORKERS-LEFT " + workers);
                break;
            }
            case "parent-options": { // workers with and without this JVM's own -D, -Xmx and -ea
                for (boolean inherit : new boolean[] {false, true}) {
                    Pool.Builder b = Pool.builder().workers(1);
                    if (inherit) b.parentJvmOptions();
                    try (Pool pool = b.build()) {
                        String seen = pool.apply(() -> {
                            boolean ea = false;
                            assert ea = true; // runs only with -ea
                            return System.getProperty("probe.flag") + " " + (Runtime.getRuntime().maxMemory() >> 20)
                                    + " " + ea;
                        });
                        System.out.println((inherit ? "INHERIT " : "PLAIN ") + seen);
                    }
                }
                break;
            }
            case "hello": {
                System.out.println("RESULT " + WorkerProcess.start(() -> 42).result());
                break;
            }
            case "orphan-pool": { // R6: a pool of 3 busy workers, waiting to be killed
                Pool pool = Pool.create(3);
                for (int i = 0; i < 3; i++) pool.submit(() -> {
                    Thread.sleep(600_000);
                    return 0;
                });
                StringBuilder pids = new StringBuilder("WORKERS");
                for (long pid : pool.workerPids()) pids.append(' ').append(pid);
                System.out.println(pids);
                System.out.flush();
                Thread.sleep(600_000);
                break;
            }
            case "orphan": { // starts a long task and waits to be killed
                WorkerProcess<Void> p = WorkerProcess.start(() -> Thread.sleep(600_000));
                System.out.println("WORKER " + p.pid());
                System.out.flush();
                p.join(Duration.ofMinutes(10));
                break;
            }
            case "aot": { // first worker triggers the training; a later one must start from its output
                String ext = Runtime.version().feature() >= 25 ? ".aot" : ".jsa";
                String flag = Runtime.version().feature() >= 25 ? "-XX:AOTCache=" : "-XX:SharedArchiveFile=";
                try (WorkerProcess<Integer> first = WorkerProcess.start(() -> 1)) {
                    first.result();
                }
                java.nio.file.Path dir = java.nio.file.Path.of(System.getProperty("io.shmarray.extract.dir"), "aot");
                long end = System.nanoTime() + 90_000_000_000L;
                while (System.nanoTime() < end) {
                    try (java.util.stream.Stream<java.nio.file.Path> s = java.nio.file.Files.list(dir)) {
                        if (s.anyMatch(p -> p.toString().endsWith(ext))) break;
                    } catch (java.io.IOException ignored) {
                        // not created yet
                    }
                    Thread.sleep(100);
                }
                java.nio.file.Path classLog = java.nio.file.Files.createTempFile("shmarray-class-load", ".log");
                WorkerOptions logged = WorkerOptions.defaults().withJvmOptions("-Xlog:class+load=info:file=" + classLog);
                try (WorkerProcess<java.util.List<String>> second = WorkerProcess.start(logged, () ->
                        new java.util.ArrayList<>(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()))) {
                    boolean used = second.result().stream().anyMatch(a -> a.startsWith(flag));
                    System.out.println("AOT-USED " + used);
                }
                boolean fromArchive = java.nio.file.Files.readAllLines(classLog).stream()
                        .anyMatch(l -> l.contains(" io.shmarray.runtime.WorkerMain ") && l.contains("shared objects file"));
                java.nio.file.Files.deleteIfExists(classLog);
                System.out.println("WORKER-CLASSES-FROM-ARCHIVE " + fromArchive);
                break;
            }
            default:
                throw new IllegalArgumentException(args[0]);
        }
    }
}
