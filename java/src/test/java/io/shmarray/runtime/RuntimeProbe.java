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
                    for (int i = 0; i < 1000; i++) System.err.println("err " + i);
                    return 42;
                });
                System.err.println("RESULT " + p.result());
                break;
            }
            case "orphan": { // starts a long task and waits to be killed
                WorkerProcess<Void> p = WorkerProcess.start(() -> Thread.sleep(600_000));
                System.out.println("WORKER " + p.pid());
                System.out.flush();
                p.join(Duration.ofMinutes(10));
                break;
            }
            default:
                throw new IllegalArgumentException(args[0]);
        }
    }
}
