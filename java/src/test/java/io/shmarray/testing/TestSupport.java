package io.shmarray.testing;

import io.shmarray.internal.ChildJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Helpers shared by the tests. */
public final class TestSupport {

    private static final SecureRandom RANDOM = new SecureRandom();

    private TestSupport() {}

    /** A fresh name for a test segment. */
    public static String testName() {
        return "shmarray-test-" + Long.toHexString(RANDOM.nextLong() & Long.MAX_VALUE);
    }

    /** Skips the current test, printing why (never a silent skip). */
    public static void skip(String reason) {
        System.out.println("SKIPPED: " + reason);
        Assumptions.abort(reason);
    }

    /**
     * The CMake build directory of the native code (passed by Maven), or skips the test saying
     * why when it is not known or lacks {@code relative}.
     */
    public static java.nio.file.Path nativeBuildFile(String relative) {
        String dir = System.getProperty("io.shmarray.test.nativeBuildDir");
        if (dir == null) skip("io.shmarray.test.nativeBuildDir is not set: not run from the Maven build");
        java.nio.file.Path p = java.nio.file.Path.of(dir, relative);
        if (!java.nio.file.Files.exists(p)) skip(p + " does not exist (the C tests build it; were they skipped?)");
        return p;
    }

    /** Result of a child JVM run. */
    public static final class Run {
        public final int exitCode;
        public final String output;

        Run(int exitCode, String output) {
            this.exitCode = exitCode;
            this.output = output;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + ", output:\n" + output;
        }
    }

    /**
     * Runs {@code mainClass} in a child JVM set up like a shmarray worker, with extra JVM
     * options, and waits for it (killing it after {@code timeoutSeconds}).
     */
    public static Run runChild(List<String> extraJvmOptions, String mainClass, List<String> args, long timeoutSeconds)
            throws IOException, InterruptedException {
        return runChild(extraJvmOptions, java.util.Map.of(), mainClass, args, timeoutSeconds);
    }

    /** As above, with extra environment variables. */
    public static Run runChild(List<String> extraJvmOptions, java.util.Map<String, String> env, String mainClass,
            List<String> args, long timeoutSeconds) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(ChildJvm.command(mainClass, args));
        cmd.addAll(1 + ChildJvm.jvmOptions().size(), extraJvmOptions); // later -D options win
        return run(cmd, env, timeoutSeconds);
    }

    /** Runs any command, output and error merged, killing it after {@code timeoutSeconds}. */
    public static Run run(List<String> cmd, java.util.Map<String, String> env, long timeoutSeconds)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        try (Child c = new Child(pb.start())) { // drains while waiting: a chatty child cannot block
            if (!c.process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                throw new AssertionError("child process did not finish within " + timeoutSeconds + " s: " + cmd);
            }
            c.reader.join(5000);
            return new Run(c.process.exitValue(), c.output());
        }
    }

    /**
     * Liveness as shmarray defines it (pid and start time; an exited process awaiting its reaping
     * counts as dead), which {@code ProcessHandle.isAlive} does not.
     */
    public static boolean alive(long pid) {
        io.shmarray.internal.Backend b = io.shmarray.internal.Backends.get();
        long start = b.processStartTime((int) pid);
        return start >= 0 && b.processAlive((int) pid, start) == 1;
    }

    /** A running child whose merged output is collected line by line. */
    public static final class Child implements AutoCloseable {
        public final Process process;
        private final StringBuffer output = new StringBuffer();
        private final Thread reader;

        public Child(Process process) {
            this.process = process;
            this.reader = new Thread(() -> {
                try (java.io.BufferedReader r = new java.io.BufferedReader(
                        new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) output.append(line).append('\n');
                } catch (IOException e) {
                    output.append("<output unreadable: ").append(e).append(">\n");
                }
            }, "child-output");
            reader.setDaemon(true);
            reader.start();
        }

        public String output() {
            return output.toString();
        }

        /** Waits until the output matches {@code regex} (find); returns the match's group 1. */
        public String await(String regex, long timeoutSeconds) throws InterruptedException {
            java.util.regex.Pattern pattern = java.util.regex.Pattern.compile(regex);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            while (System.nanoTime() < end) {
                java.util.regex.Matcher m = pattern.matcher(output());
                if (m.find()) return m.groupCount() > 0 ? m.group(1) : m.group();
                if (!process.isAlive() && !reader.isAlive()) break;
                Thread.sleep(20);
            }
            throw new AssertionError("no output matching /" + regex + "/ within " + timeoutSeconds + " s; output:\n"
                    + output());
        }

        /** Sends a signal by name (INT, KILL ...) with kill(1). */
        public void signal(String name) throws IOException, InterruptedException {
            int rc = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
            if (rc != 0) throw new AssertionError("kill -" + name + " " + process.pid() + " failed: " + rc);
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) process.destroyForcibly().waitFor();
            reader.join(5000);
        }
    }

    /** Starts {@code mainClass} in a child JVM set up like a shmarray worker, without waiting. */
    public static Child startChild(String mainClass, List<String> args) throws IOException {
        return new Child(new ProcessBuilder(ChildJvm.command(mainClass, args)).redirectErrorStream(true).start());
    }

    /**
     * A thread of its own that takes a lock and holds it until {@link #close()} (a shared lock
     * belongs to the OS thread that took it), for tests of what others see meanwhile.
     */
    public static final class LockHolder implements AutoCloseable {
        private final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        private final Thread thread;

        private LockHolder(java.util.function.Supplier<io.shmarray.ArrayLock> take) throws InterruptedException {
            java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
            thread = new Thread(() -> {
                try (io.shmarray.ArrayLock l = take.get()) {
                    held.countDown();
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "test-lock-holder");
            thread.start();
            held.await();
        }

        /** Takes the lock on a new thread; returns once it is held. */
        public static LockHolder hold(java.util.function.Supplier<io.shmarray.ArrayLock> take)
                throws InterruptedException {
            return new LockHolder(take);
        }

        /** Releases the lock and waits for the holder thread to end. */
        @Override
        public void close() throws InterruptedException {
            release.countDown();
            thread.join();
        }
    }
}
