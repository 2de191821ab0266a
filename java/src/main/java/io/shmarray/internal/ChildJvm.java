package io.shmarray.internal;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the command line of a child JVM that can use shmarray at once: this JVM's
 * {@code java}, the same class path, {@code --enable-native-access=ALL-UNNAMED}, and this JVM's
 * verified choices, so that the child makes no choice of its own that the parent did not check:
 * the backend, the SHA-256 of the library loaded here (the child refuses any other bytes), the
 * file it came from when it was not the jar's own copy (re-verified by the child), the extraction
 * directory, the temp directory, the reaper settings and the memfd switch.
 */
public final class ChildJvm {

    /** Settings a child inherits as they are, when set here. */
    private static final List<String> PASSED_ON = List.of(Backends.PROPERTY, Reaper.PATH_PROPERTY,
            Reaper.ENABLED_PROPERTY, VerifiedImages.MEMFD_PROPERTY, ReceivedArrays.PROPERTY,
            "io.shmarray.serialFilter", "io.shmarray.serialFilter.mode");

    private ChildJvm() {}

    /** The {@code java} launcher of this JVM. */
    public static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * This JVM's class path with every entry made absolute (a child may change directory), then
     * its module path ({@code jdk.module.path}): a child runs everything from its class path, so
     * an application started with {@code -p ... -m ...} gets workers that see its modules' classes
     * (as unnamed-module code).
     */
    public static String classPath() {
        List<String> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!e.isEmpty()) add(entries, Path.of(e).toAbsolutePath());
        }
        for (String e : System.getProperty("jdk.module.path", "").split(File.pathSeparator)) {
            if (e.isEmpty()) continue;
            Path p = Path.of(e).toAbsolutePath();
            if (java.nio.file.Files.isDirectory(p) && !java.nio.file.Files.exists(p.resolve("module-info.class"))) {
                try (java.util.stream.Stream<Path> jars = java.nio.file.Files.list(p)) { // a directory of modules
                    jars.filter(j -> j.toString().endsWith(".jar")).sorted().forEach(j -> add(entries, j));
                } catch (java.io.IOException unreadable) {
                    add(entries, p);
                }
            } else {
                add(entries, p); // a modular jar, or an exploded module
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private static void add(List<String> entries, Path p) {
        String s = p.toString();
        if (!entries.contains(s)) entries.add(s);
    }

    /**
     * This JVM's own options as it was started with them ({@code RuntimeMXBean.getInputArguments()}),
     * less those a second JVM must not repeat: a JDWP agent and JMX remote settings (they listen
     * on a port), flight recordings, logs and class lists written to a file (one file), class-data
     * and AOT cache options (each JVM picks its own), module options (a child runs from its class
     * path), {@code --enable-native-access} and shmarray's own settings (passed on anyway). Other
     * agents are passed on: one that listens on a fixed port would fail in the workers.
     * Empty when {@code java.management} is not in this runtime.
     */
    public static List<String> parentJvmOptions() {
        List<String> in;
        try {
            in = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments();
        } catch (LinkageError | RuntimeException noManagement) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        java.util.Set<String> withValue = java.util.Set.of("-p", "--module-path", "--add-modules", "--limit-modules",
                "--patch-module", "--upgrade-module-path");
        for (int i = 0; i < in.size(); i++) {
            String a = in.get(i);
            if (withValue.contains(a)) { // the value as a separate argument: skip both
                i++;
                continue;
            }
            if (a.startsWith("-agentlib:jdwp") || a.startsWith("-Xrunjdwp") || a.startsWith("-Xdebug")
                    || a.startsWith("-Dcom.sun.management.jmxremote") || a.startsWith("-XX:StartFlightRecording")
                    || a.startsWith("-XX:FlightRecorderOptions") || a.startsWith("-XX:SharedArchiveFile")
                    || a.startsWith("-XX:ArchiveClassesAtExit") || a.startsWith("-XX:AOT") || a.startsWith("-Xshare")
                    || a.startsWith("--enable-native-access") || a.startsWith("-Dio.shmarray.")
                    || a.startsWith("-Djava.io.tmpdir=") || a.startsWith("-Djava.class.path=")
                    || a.startsWith("-Dsun.java.command") || a.startsWith("-Djdk.module.")
                    || a.startsWith("--add-modules") || a.startsWith("--limit-modules")
                    || a.startsWith("--patch-module") || a.startsWith("--upgrade-module-path")
                    || a.startsWith("--module-path") || a.equals("-p")
                    || a.startsWith("-Xloggc") || (a.startsWith("-Xlog") && a.contains("file="))
                    || a.startsWith("-XX:+AutoCreateSharedArchive") || a.startsWith("-XX:DumpLoadedClassList")) {
                continue;
            }
            out.add(a);
        }
        return out;
    }

    /** The JVM options a shmarray child needs. */
    public static List<String> jvmOptions() {
        List<String> opts = new ArrayList<>();
        opts.add("--enable-native-access=ALL-UNNAMED");
        opts.add("-D" + NativeLibraryLoader.SHA256_PROPERTY + "=" + Backends.librarySha256());
        Path source = Backends.librarySource();
        if (source != null) opts.add("-D" + NativeLibraryLoader.PATH_PROPERTY + "=" + source);
        opts.add("-D" + NativeLibraryLoader.EXTRACT_DIR_PROPERTY + "=" + NativeLibraryLoader.extractRoot());
        opts.add("-Djava.io.tmpdir=" + Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath());
        for (String p : PASSED_ON) {
            String v = System.getProperty(p);
            if (v != null) opts.add("-D" + p + "=" + v);
        }
        return opts;
    }

    /** {@code java <options> -cp <this JVM's class path> <mainClass> <args...>}. */
    public static List<String> command(String mainClass, List<String> args) {
        return command(classPath(), mainClass, args);
    }

    /** {@code java <options> -cp <classPath> <mainClass> <args...>}. */
    public static List<String> command(String classPath, String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaExecutable());
        cmd.addAll(jvmOptions());
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }
}
