package io.shmarray.cli;

import io.shmarray.Inventory;
import io.shmarray.SharedDoubleArray;
import io.shmarray.Shmarray;
import io.shmarray.internal.NativeErrors;
import io.shmarray.internal.Platform;
import java.util.Locale;

/**
 * The shmarray command line ({@code java -jar shmarray.jar [command]}):
 * <ul>
 *   <li>{@code demo [--length N] [--workers W] [--slices S] [--pause-ms P]} (default): a pool
 *       of worker JVMs transforms a large shared array in place (see {@link Demo});
 *   <li>{@code info}: version, backend, JDK and native library in use;
 *   <li>{@code ls}: the shmarray segments in /dev/shm, their owners and attachers;
 *   <li>{@code inspect NAME}: one segment in detail;
 *   <li>{@code sweep [--dry-run]}: remove segments whose owner is gone (not persistent ones).
 * </ul>
 * Exit status 0 on success, 1 on failure, 2 on a usage error.
 *
 * <pre>{@code
 * java -jar java/target/shmarray.jar                      # the demo: 100 M doubles, a pool, in place
 * java -jar java/target/shmarray.jar --length 1_000_000   # a smaller demo
 * java -jar java/target/shmarray.jar ls                   # what is in /dev/shm
 * }</pre>
 */
public final class Main {

    private Main() {}

    /**
     * Runs one command and exits the JVM with its status (see the class description).
     *
     * @param args the command and its options; none runs the demo
     * @throws Exception from a command other than the demo (whose failures are reported as a message
     *     and status 1)
     */
    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "demo" : args[0];
        int status;
        switch (command) {
            case "demo":
            case "--length":
            case "--workers":
            case "--slices":
            case "--pause-ms":
                try {
                    status = Demo.run(args);
                } catch (RuntimeException e) {
                    // typed library errors carry their remedy in the message: say it, not a trace
                    System.err.println("demo failed: " + e);
                    for (Throwable c = e.getCause(); c != null; c = c.getCause()) System.err.println("  caused by: " + c);
                    status = 1;
                }
                break;
            case "info":
                try {
                    status = noArguments(args) ? info() : 2;
                } catch (LinkageError e) {
                    status = unavailable(e);
                }
                break;
            case "ls":
                status = noArguments(args) ? ls() : 2;
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

    /** The native backend cannot load here (platform, JNA, libc, noexec): its message names the fix. */
    private static int unavailable(LinkageError e) {
        System.err.println("shmarray cannot run here: " + e.getMessage());
        return 1;
    }

    private static void usage() {
        System.out.println("usage: java -jar shmarray.jar [demo [--length N] [--workers W] [--slices S] [--pause-ms P]"
                + " | info | ls | inspect NAME | sweep [--dry-run]]");
    }

    static String backendLine() {
        return "backend " + Shmarray.backendName()
                + (Shmarray.backendName().equals("ffm") ? " (java.lang.foreign)" : " (JNA)")
                + " on JDK " + Runtime.version();
    }

    private static int info() {
        System.out.println("shmarray " + Shmarray.version());
        System.out.println(backendLine());
        System.out.println("platform " + Platform.key());
        System.out.println("native library " + Shmarray.nativeLibraryPath() + " (ABI " + Shmarray.abiVersion()
                + ", sha256 " + Shmarray.nativeLibrarySha256() + ")");
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
            System.err.println("inspect takes exactly one segment name");
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
        System.out.println("owner       pid " + seg.ownerPid() + (seg.ownerElsewhere() ? " (in another pid namespace)"
                : seg.ownerAlive() ? " (alive)" : " (gone)"));
        System.out.println("lifetime    " + (seg.persistent() ? "persistent" : "owner-scoped"));
        System.out.println("poisoned    " + seg.poisoned());
        System.out.println("attachers   " + seg.attachers());
        if (seg.problem() != null) System.out.println("problem     " + seg.problem());
        return 0;
    }

    /** A command without options: anything after it is a usage error that changes nothing. */
    private static boolean noArguments(String[] args) {
        if (args.length == 1) return true;
        System.err.println(args[0] + " takes no arguments; got: " + String.join(" ", java.util.Arrays.copyOfRange(args, 1,
                args.length)));
        usage();
        return false;
    }

    private static int sweep(String[] args) {
        // strict: a typo such as --dryrun must not sweep for real
        if (args.length > 2 || (args.length == 2 && !args[1].equals("--dry-run"))) {
            System.err.println("sweep: unknown option " + String.join(" ", java.util.Arrays.copyOfRange(args, 1,
                    args.length)) + " (the only option is --dry-run); nothing was swept");
            usage();
            return 2;
        }
        boolean dry = args.length == 2;
        String report = Inventory.sweep(dry);
        System.out.print(report.isEmpty() ? "nothing to reclaim\n" : report);
        return 0;
    }

    static double pattern(long i) {
        return i * 0.5 + 1;
    }

    /** Internal (tests): attaches to args[1], writes the pattern, reports. */
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
