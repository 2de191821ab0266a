package io.shmarray.internal;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the command line of a child JVM that can use shmarray at once: this JVM's
 * {@code java}, the same class path, {@code --enable-native-access=ALL-UNNAMED}, this JVM's
 * backend choice, and the path of the native library already loaded here (so the child never
 * extracts it again).
 */
public final class ChildJvm {

    private ChildJvm() {}

    /** The {@code java} launcher of this JVM. */
    public static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** This JVM's class path with every entry made absolute (a child may change directory). */
    public static String classPath() {
        List<String> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!e.isEmpty()) entries.add(Path.of(e).toAbsolutePath().toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    /** The JVM options a shmarray child needs. */
    public static List<String> jvmOptions() {
        List<String> opts = new ArrayList<>();
        opts.add("--enable-native-access=ALL-UNNAMED");
        opts.add("-D" + NativeLibraryLoader.PATH_PROPERTY + "=" + Backends.libraryPath());
        String backend = System.getProperty(Backends.PROPERTY);
        if (backend != null) opts.add("-D" + Backends.PROPERTY + "=" + backend);
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
