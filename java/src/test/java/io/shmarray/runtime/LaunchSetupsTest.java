package io.shmarray.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shmarray.NotSerializableTaskException;
import io.shmarray.SharedArray;
import io.shmarray.internal.ChildJvm;
import io.shmarray.testing.NoLeaks;
import io.shmarray.testing.TestSupport;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every common launch setup starts workers, or fails at once with an error that names the fix:
 * java -jar with a Class-Path manifest, a shaded jar, class directories (as an IDE runs them),
 * a Spring Boot fat jar (its real loader), single-file source mode, JShell, and code from a class
 * loader of the application's own. The module path: {@code ModulePathTest}.
 */
@ExtendWith(NoLeaks.class)
class LaunchSetupsTest {

    /** A program that runs one task and one map in workers, or prints why they were refused. */
    private static final String APP = String.join("\n",
            "package app;",
            "import io.shmarray.NotSerializableTaskException;",
            "import io.shmarray.runtime.*;",
            "public class Main {",
            "    public static void main(String[] args) throws Exception {",
            "        try (Pool pool = Pool.create(1)) {",
            "            int one = WorkerProcess.start(() -> 1).result();",
            "            System.out.println(\"RESULT \" + (one + pool.apply(() -> 1) + pool.map(x -> x * 2, java.util.List.of(3), 1).get(0)));",
            "        } catch (NotSerializableTaskException e) {",
            "            System.out.println(\"REFUSED \" + e.getMessage());",
            "        }",
            "    }",
            "}",
            "");

    private static Path jar(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static String java() {
        return ChildJvm.javaExecutable();
    }

    private static String bin(String tool) {
        return Path.of(System.getProperty("java.home"), "bin", tool).toString();
    }

    private static Path shmarrayJar() throws Exception {
        Path p = jar(SharedArray.class);
        if (!p.toString().endsWith(".jar")) TestSupport.skip("shmarray is not loaded from its jar here: " + p);
        return p;
    }

    private static TestSupport.Run run(List<String> cmd, Path dir) throws Exception {
        List<String> c = new ArrayList<>(cmd);
        return TestSupport.run(c, Map.of(), 150);
    }

    /** Unpacks {@code jar} into {@code dir} with the JDK's jar tool. */
    private static void extract(Path jar, Path dir) throws Exception {
        assertEquals(0, TestSupport.run(List.of("sh", "-c", "cd \"$0\" && \"$1\" -xf \"$2\"", dir.toString(),
                bin("jar"), jar.toString()), Map.of(), 60).exitCode, "could not unpack " + jar);
    }

    /** Compiles the app into {@code dir/classes} against shmarray. */
    private static Path compile(Path dir) throws Exception {
        Path src = Files.createDirectories(dir.resolve("src/app")).resolve("Main.java");
        Files.writeString(src, APP);
        Path classes = dir.resolve("classes");
        TestSupport.Run r = TestSupport.run(List.of(bin("javac"), "--release", "17", "-d", classes.toString(), "-cp",
                shmarrayJar() + File.pathSeparator + jar(com.sun.jna.Native.class), src.toString()), Map.of(), 120);
        assertEquals(0, r.exitCode, r.toString());
        return classes;
    }

    private static void assertRan(TestSupport.Run r) {
        assertEquals(0, r.exitCode, r.toString());
        assertTrue(r.output.contains("RESULT 8"), "workers did not run the tasks: " + r);
    }

    private static void assertRefusedNamingTheFix(String output) {
        assertTrue(output.contains("REFUSED ") && output.contains("cannot be loaded by the workers")
                && output.contains("WorkerOptions.withClassPath"), "no early error naming the fix: " + output);
        assertTrue(!output.contains("SerializedLambda") && !output.contains("never defined"), output);
    }

    @Test
    @Timeout(180)
    void classDirectoriesAndJavaJarWithAClassPathManifest(@TempDir Path dir) throws Exception {
        Path classes = compile(dir);
        // class directories, as an IDE or build tool runs them
        assertRan(run(List.of(java(), "--enable-native-access=ALL-UNNAMED", "-cp", classes + File.pathSeparator
                + shmarrayJar() + File.pathSeparator + jar(com.sun.jna.Native.class), "app.Main"), dir));
        // java -jar app.jar, its manifest naming shmarray.jar and JNA (relative, as the build lays them out)
        Path lib = Files.createDirectories(dir.resolve("dist/lib"));
        Files.copy(shmarrayJar(), lib.resolve("shmarray.jar"));
        Files.copy(jar(com.sun.jna.Native.class), lib.resolve("jna.jar"));
        Path manifest = Files.writeString(dir.resolve("app.mf"),
                "Main-Class: app.Main\nClass-Path: lib/shmarray.jar lib/jna.jar\n");
        Path app = dir.resolve("dist/app.jar");
        assertEquals(0, TestSupport.run(List.of(bin("jar"), "--create", "--file", app.toString(), "--manifest",
                manifest.toString(), "-C", classes.toString(), "."), Map.of(), 60).exitCode);
        assertRan(run(List.of(java(), "--enable-native-access=ALL-UNNAMED", "-jar", app.toString()), dir));
    }

    @Test
    @Timeout(180)
    void aShadedJar(@TempDir Path dir) throws Exception {
        Path classes = compile(dir);
        Path merged = Files.createDirectories(dir.resolve("merged"));
        for (Path j : List.of(shmarrayJar(), jar(com.sun.jna.Native.class))) {
            extract(j, merged);
        }
        Files.deleteIfExists(merged.resolve("module-info.class")); // a shaded jar runs on the class path
        Files.deleteIfExists(merged.resolve("META-INF/MANIFEST.MF"));
        Path manifest = Files.writeString(dir.resolve("shaded.mf"), "Main-Class: app.Main\nMulti-Release: true\n");
        Path shaded = dir.resolve("app-all.jar");
        assertEquals(0, TestSupport.run(List.of(bin("jar"), "--create", "--file", shaded.toString(), "--manifest",
                manifest.toString(), "-C", merged.toString(), ".", "-C", classes.toString(), "."), Map.of(), 60).exitCode);
        assertRan(run(List.of(java(), "--enable-native-access=ALL-UNNAMED", "-jar", shaded.toString()), dir));
    }

    @Test
    @Timeout(180)
    void aSpringBootFatJarFailsAtOnceNamingTheFix(@TempDir Path dir) throws Exception {
        Path classes = compile(dir);
        Path layout = Files.createDirectories(dir.resolve("boot"));
        Path loader = jar(Class.forName("org.springframework.boot.loader.launch.JarLauncher"));
        extract(loader, layout);
        Files.deleteIfExists(layout.resolve("META-INF/MANIFEST.MF"));
        Path lib = Files.createDirectories(layout.resolve("BOOT-INF/lib"));
        Files.copy(shmarrayJar(), lib.resolve("shmarray.jar"));
        Files.copy(jar(com.sun.jna.Native.class), lib.resolve("jna.jar"));
        Path bootClasses = Files.createDirectories(layout.resolve("BOOT-INF/classes/app"));
        try (java.util.stream.Stream<Path> s = Files.list(classes.resolve("app"))) {
            for (Path c : (Iterable<Path>) s::iterator) Files.copy(c, bootClasses.resolve(c.getFileName()));
        }
        Path manifest = Files.writeString(dir.resolve("boot.mf"), "Main-Class: org.springframework.boot.loader.launch"
                + ".JarLauncher\nStart-Class: app.Main\nSpring-Boot-Classes: BOOT-INF/classes/\n"
                + "Spring-Boot-Lib: BOOT-INF/lib/\n");
        Path fat = dir.resolve("app-boot.jar");
        assertEquals(0, TestSupport.run(List.of(bin("jar"), "--create", "--no-compress", "--file", fat.toString(),
                "--manifest", manifest.toString(), "-C", layout.toString(), "."), Map.of(), 60).exitCode);
        TestSupport.Run r = run(List.of(java(), "--enable-native-access=ALL-UNNAMED", "-jar", fat.toString()), dir);
        assertTrue(r.exitCode != 0 && r.output.contains("cannot start workers") && r.output.contains("jarmode=tools")
                && r.output.contains("WorkerOptions.withClassPath"), "no early error naming the fix: " + r);
        assertTrue(!r.output.contains("Could not find or load main class"), "a worker JVM was started: " + r);
    }

    @Test
    @Timeout(180)
    void singleFileSourceModeFailsAtOnceNamingTheFix(@TempDir Path dir) throws Exception {
        Path src = Files.writeString(dir.resolve("Main.java"), APP.replace("package app;\n", ""));
        TestSupport.Run r = run(List.of(java(), "--enable-native-access=ALL-UNNAMED", "-cp", shmarrayJar()
                + File.pathSeparator + jar(com.sun.jna.Native.class), src.toString()), dir);
        assertRefusedNamingTheFix(r.output);
        assertTrue(r.output.contains("single-file source mode"), r.toString());
    }

    @Test
    @Timeout(180)
    void jshellFailsAtOnceNamingTheFix(@TempDir Path dir) throws Exception {
        Path jshell = Path.of(bin("jshell"));
        if (!Files.isExecutable(jshell)) TestSupport.skip("no jshell in " + System.getProperty("java.home"));
        Path script = Files.writeString(dir.resolve("s.jsh"), String.join("\n",
                "import io.shmarray.NotSerializableTaskException;",
                "import io.shmarray.runtime.*;",
                "try { System.out.println(\"RESULT \" + WorkerProcess.start(() -> 8).result()); }"
                        + " catch (NotSerializableTaskException e) { System.out.println(\"REFUSED \" + e.getMessage()); }",
                "/exit", ""));
        TestSupport.Run r = run(List.of(jshell.toString(), "--class-path", shmarrayJar() + File.pathSeparator
                + jar(com.sun.jna.Native.class), "-R--enable-native-access=ALL-UNNAMED", script.toString()), dir);
        assertRefusedNamingTheFix(r.output);
    }

    @Test
    @Timeout(120)
    void codeFromAnApplicationClassLoaderFailsAtOnceNamingTheFix(@TempDir Path dir) throws Exception {
        Path classes = compile(dir); // not on this JVM's (nor the workers') class path, as in a nested jar
        try (java.net.URLClassLoader nested = new java.net.URLClassLoader(new java.net.URL[] {classes.toUri().toURL()},
                getClass().getClassLoader())) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            java.io.PrintStream original = System.out;
            System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
            try {
                nested.loadClass("app.Main").getMethod("main", String[].class).invoke(null, (Object) new String[0]);
            } finally {
                System.setOut(original);
            }
            assertRefusedNamingTheFix(out.toString(java.nio.charset.StandardCharsets.UTF_8));
        }
    }
}
