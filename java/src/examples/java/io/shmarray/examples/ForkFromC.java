package io.shmarray.examples;

import io.shmarray.SharedLongArray;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Scenario 8 — a C program (native/examples/fork_share.c, built by CMake as
 * {@code shmarray-fork-example}) creates a segment, maps it {@code MAP_SHARED} and forks; its
 * child writes into the inherited mapping and the parent sees the writes. Then this Java process
 * attaches to the same segment <b>by name</b>, checks the values, writes one back, and the C
 * program sees that too.
 *
 * <pre>{@code
 * java -cp java/target/shmarray.jar:java/target/shmarray-examples.jar io.shmarray.examples.ForkFromC [path/to/shmarray-fork-example]
 * }</pre>
 * The default path is {@code java/target/native/shmarray-fork-example} (the Maven build's CMake
 * directory), relative to the repository root.
 */
public final class ForkFromC {

    private ForkFromC() {}

    public static void main(String[] args) throws Exception {
        Path binary = Path.of(args.length > 0 ? args[0] : "java/target/native/shmarray-fork-example");
        if (!Files.isExecutable(binary)) {
            System.err.println(binary + " is not there: build it first (mvn -B -q -DskipTests package) or pass its path");
            System.exit(2);
        }
        String name = "shmarray-fork-example-" + Check.pid();
        Process c = new ProcessBuilder(binary.toString(), name).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8));
                OutputStream in = c.getOutputStream()) {
            String line;
            while ((line = out.readLine()) != null && !line.equals("READY " + name)) System.out.println(line);
            if (line == null) Check.that(false, "the C program got the segment ready (exit " + c.waitFor() + ")");

            try (SharedLongArray a = SharedLongArray.attach(name)) {
                for (int i = 0; i < a.length(); i++) {
                    Check.that(a.get(i) == (long) i * i, "Java sees v[" + i + "] written by the forked C child");
                }
                System.out.println("Java (pid " + Check.pid() + "): attached '" + name + "' by name: " + a.dtype()
                        + " x " + a.length() + ", v[999] = " + a.get(999) + "; writing v[0] = -1");
                a.set(0, -1);
            }
            in.write("done\n".getBytes(StandardCharsets.US_ASCII));
            in.flush();
            while ((line = out.readLine()) != null) System.out.println(line);
        } finally {
            if (!c.waitFor(30, TimeUnit.SECONDS)) c.destroyForcibly();
        }
        Check.that(c.exitValue() == 0, "the C program saw Java's write and removed the segment (exit " + c.exitValue() + ")");
        Check.that(!Files.exists(Path.of("/dev/shm", name)), "nothing left in /dev/shm");
        System.out.println("OK: one segment shared by a forked C parent and child and a Java process");
    }
}
