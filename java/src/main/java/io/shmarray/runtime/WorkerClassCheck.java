package io.shmarray.runtime;

import io.shmarray.NotSerializableTaskException;
import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.security.CodeSource;

/**
 * Whether workers can load a class by name: a worker JVM loads task classes from its class path
 * only, so code defined elsewhere — single-file source mode ({@code java Main.java}), JShell, a
 * nested-jar launcher (a Spring Boot fat jar), a class loader of the application's own — would
 * fail there, late and obscurely. Checked in the parent for every class a task, function or
 * initializer writes, before anything is sent.
 */
final class WorkerClassCheck {

    private WorkerClassCheck() {}

    /** The real path (links resolved) when it exists, else the normalised absolute one. */
    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (java.io.IOException | RuntimeException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    /**
     * Passes when the workers' class path holds shmarray itself (the worker's main class), checked
     * as {@link #check} does — it does not under a nested-jar launcher (a Spring Boot fat jar puts
     * shmarray in {@code BOOT-INF/lib/}, which only its own class loader reads).
     *
     * @throws WorkerStartException naming where shmarray came from and the fix, before any JVM starts
     */
    static void checkShmarrayReachable(String workerClassPath) {
        try {
            check(WorkerMain.class, workerClassPath, "worker");
        } catch (NotSerializableTaskException e) {
            java.security.CodeSource cs = WorkerMain.class.getProtectionDomain().getCodeSource();
            throw new WorkerStartException("cannot start workers: shmarray itself was loaded by "
                    + WorkerMain.class.getClassLoader().getClass().getName() + " from "
                    + (cs == null ? "no location" : cs.getLocation()) + ", not from the workers' class path ("
                    + workerClassPath + "), so a worker JVM could not find " + WorkerMain.class.getName() + ". Under a"
                    + " nested-jar launcher such as a Spring Boot fat jar, run the application unpacked (Spring Boot:"
                    + " java -Djarmode=tools -jar app.jar extract, then java -jar app/app.jar), or name plain jars and"
                    + " directories holding shmarray, JNA and the task classes with WorkerOptions.withClassPath", -1, "");
        }
    }

    /**
     * Passes when {@code c} comes from the bootstrap, platform or application class loader, or
     * from a {@code file:} location that is an entry of {@code workerClassPath} (links resolved).
     *
     * @throws NotSerializableTaskException naming the class, where it came from, and the fix
     */
    static void check(Class<?> c, String workerClassPath, String label) {
        ClassLoader loader = c.getClassLoader();
        if (loader == null) return;
        for (ClassLoader l = ClassLoader.getSystemClassLoader(); l != null; l = l.getParent()) {
            if (l == loader) return;
        }
        CodeSource cs = c.getProtectionDomain().getCodeSource();
        URL where = cs == null ? null : cs.getLocation();
        if (where != null && "file".equals(where.getProtocol())) {
            try {
                Path p = real(Path.of(where.toURI()));
                for (String e : workerClassPath.split(File.pathSeparator)) {
                    // a class from a jar has that jar as its location, one from a directory entry that
                    // directory: the location must be an entry itself (a jar inside a directory is not)
                    if (!e.isEmpty() && p.equals(real(Path.of(e)))) return;
                }
            } catch (URISyntaxException | IllegalArgumentException ignored) {
                // not a plain file location: refused below
            }
        }
        throw new NotSerializableTaskException("the " + label + "'s class " + c.getName() + " cannot be loaded by the"
                + " workers: it was defined by " + loader.getClass().getName() + " from "
                + (where == null ? "no location (in memory)" : where) + ", not from the workers' class path. Workers"
                + " load task classes by name from their class path; single-file source mode (java Main.java),"
                + " JShell and nested-jar launchers (a Spring Boot fat jar) define classes they cannot see. Compile"
                + " the task's class into a jar or directory on the class path (java -cp app.jar:shmarray.jar"
                + " Main), or name one that holds it with WorkerOptions.withClassPath", null);
    }
}
