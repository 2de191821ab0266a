package io.shmarray.cli;

import io.shmarray.Inventory;
import io.shmarray.SharedDoubleArray;
import io.shmarray.Shmarray;
import io.shmarray.internal.ChildJvm;
import io.shmarray.internal.NativeErrors;
import io.shmarray.internal.Platform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The shmarray command line ({@code java -jar shmarray.jar [command]}):
 * <ul>
 *   <li>{@code demo [--length N]} (default): creates a shared array, starts a child JVM that
 *       attaches to it by name and writes into it, checks every value in the parent, and removes
 *       the segment;
 *   <li>{@code info}: version, backend, JDK and native library in use;
 *   <li>{@code ls}: the shmarray segments in /dev/shm, their owners and attachers;
 *   <li>{@code inspect NAME}: one segment in detail;
 *   <li>{@code sweep [--dry-run]}: remove segments whose owner is gone (not persistent ones).
 * </ul>
 * Exit status 0 on success, 1 on failure, 2 on a usage error.
 */
public final class Main {

    private Main() {}

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "demo" : args[0];
        int status;
        switch (command) {
            case "demo":
                status = demo(args);
                break;
            case "info":
                status = info();
                break;
            case "ls":
                status = ls();
                break;
            case "inspect":
                status = inspect(args);
                break;
            case "sweep":
                status = sweep(args);
                break;
            case "child-write":
                status = childWrite(args);
                break;
            case "-h":
            case "--help":
            case "help":
                usage();
                status = 0;
                break;
            default:
                System.err.println("unknown command: " + command);
                usage();
                status = 2;
        }
        System.exit(status);
    }

    private static void usage() {
        System.out.println("usage: java -jar shmarray.jar [demo [--length N] | info | ls | inspect NAME | sweep [--dry-run]]");
    }

    private static String backendLine() {
        return "backend " + Shmarray.backendName()
                + (Shmarray.backendName().equals("ffm") ? " (java.lang.foreign)" : " (JNA)")
                + " on JDK " + Runtime.version();
    }

    private static int info() {
        System.out.println("shmarray " + Shmarray.version());
        System.out.println(backendLine());
        System.out.println("platform " + Platform.key());
        System.out.println("native library " + Shmarray.nativeLibraryPath() + " (ABI " + Shmarray.abiVersion() + ")");
        System.out.println("found via " + Shmarray.nativeLibrarySource());
        System.out.println("/dev/shm free " + NativeErrors.formatBytes(NativeErrors.freeBytes()));
        return 0;
    }

    private static int ls() {
        java.util.List<Inventory.Segment> all = Inventory.list();
        for (Inventory.Segment s : all) System.out.println(s);
        System.out.println(all.size() + " shmarray segment(s) in /dev/shm");
        return 0;
    }

    private static int inspect(String[] args) {
        if (args.length != 2) {
            usage();
            return 2;
        }
        java.util.Optional<Inventory.Segment> s = Inventory.inspect(args[1]);
        if (s.isEmpty()) {
            System.err.println("no shmarray segment named " + args[1] + " in /dev/shm");
            return 1;
        }
        Inventory.Segment seg = s.get();
        System.out.println("name        " + seg.name());
        System.out.println("dtype       " + (seg.dtype() == null ? "?" : seg.dtype() + " (" + seg.dtype().numpyName() + ")"));
        System.out.println("shape       " + java.util.Arrays.toString(seg.shape()));
        System.out.println("size        " + seg.segmentBytes() + " bytes (" + seg.dataBytes() + " of data)");
        System.out.println("owner       pid " + seg.ownerPid() + (seg.ownerAlive() ? " (alive)" : " (gone)"));
        System.out.println("lifetime    " + (seg.persistent() ? "persistent" : "owner-scoped"));
        System.out.println("poisoned    " + seg.poisoned());
        System.out.println("attachers   " + seg.attachers());
        if (seg.problem() != null) System.out.println("problem     " + seg.problem());
        return 0;
    }

    private static int sweep(String[] args) {
        boolean dry = args.length > 1 && args[1].equals("--dry-run");
        String report = Inventory.sweep(dry);
        System.out.print(report.isEmpty() ? "nothing to reclaim\n" : report);
        return 0;
    }

    static double pattern(long i) {
        return i * 0.5 + 1;
    }

    private static int demo(String[] args) throws Exception {
        long length = 1_000_000;
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--length") && i + 1 < args.length) {
                length = Long.parseLong(args[++i].replace("_", ""));
            } else {
                System.err.println("unknown option: " + args[i]);
                usage();
                return 2;
            }
        }
        System.out.println("shmarray " + Shmarray.version() + " · " + backendLine());
        System.out.println("native library " + Shmarray.nativeLibraryPath());

        SharedDoubleArray array = SharedDoubleArray.create(length);
        String name = array.name();
        Process[] child = new Process[1];
        // Ctrl-C or a kill: stop the child; the name goes with this process (reaper helper).
        Thread cleanup = new Thread(() -> {
            if (child[0] != null) child[0].destroyForcibly();
        }, "shmarray-demo-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try (array) {
            System.out.printf(Locale.ROOT, "parent (pid %d): created '%s' in /dev/shm: %,d doubles (%s)%n",
                    ProcessHandle.current().pid(), name, length, NativeErrors.formatBytes(length * 8));
            List<String> cmd = ChildJvm.command(Main.class.getName(), List.of("child-write", name));
            System.out.println("parent: starting a child JVM that attaches by name and writes a[i] = i * 0.5 + 1");
            long t0 = System.nanoTime();
            child[0] = new ProcessBuilder(cmd).inheritIO().start();
            if (!child[0].waitFor(120, TimeUnit.SECONDS)) {
                child[0].destroyForcibly().waitFor();
                System.err.println("parent: the child did not finish within 120 s; killed it");
                return 1;
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            int exit = child[0].exitValue();
            if (exit != 0) {
                System.err.println("parent: the child failed with exit code " + exit);
                return 1;
            }
            long mismatches = 0;
            double sum = 0;
            for (long i = 0; i < length; i++) {
                double v = array.get(i);
                sum += v;
                if (v != pattern(i)) mismatches++;
            }
            System.out.printf(Locale.ROOT, "parent: child exited 0 after %d ms (JVM start included)%n", ms);
            if (length > 0) {
                System.out.printf(Locale.ROOT, "parent: reads a[0]=%s a[1]=%s a[%d]=%s, sum=%s%n",
                        array.get(0), length > 1 ? array.get(1) : "-", length - 1, array.get(length - 1), sum);
            }
            if (mismatches != 0) {
                System.err.printf(Locale.ROOT, "parent: %,d of %,d values differ from what the child wrote%n",
                        mismatches, length);
                return 1;
            }
            System.out.printf(Locale.ROOT, "parent: all %,d values written by the child are visible here, "
                    + "with no copy made%n", length);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running
            }
        }
        boolean gone = !Files.exists(Path.of("/dev/shm", name));
        System.out.println("parent: closed '" + name + "', which removed it (this process owned it); "
                + (gone ? "nothing of this run is left in /dev/shm"
                : "WARNING: /dev/shm/" + name + " still exists"));
        return gone ? 0 : 1;
    }

    /** Internal: the demo's child. Attaches to args[1], writes the pattern, reports. */
    private static int childWrite(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: child-write NAME");
            return 2;
        }
        try (SharedDoubleArray a = SharedDoubleArray.attach(args[1])) {
            for (long i = 0; i < a.length(); i++) a.set(i, pattern(i));
            System.out.printf(Locale.ROOT, "child (pid %d, %s): attached '%s' by name, wrote %,d values in place%n",
                    ProcessHandle.current().pid(), backendLine(), a.name(), a.length());
        }
        return 0;
    }
}
