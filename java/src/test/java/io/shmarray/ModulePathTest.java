package io.shmarray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shmarray.internal.ChildJvm;
import io.shmarray.testing.NoLeaks;
import io.shmarray.testing.TestSupport;
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
 * shmarray is a real module: a consumer module that {@code requires io.shmarray}, compiled and
 * run on the module path ({@code -p ... -m ...}), uses arrays, a queue and a worker process; and
 * what the module does not export stays out of reach.
 */
@ExtendWith(NoLeaks.class)
class ModulePathTest {

    private static final String MODULE_INFO = "module com.example.consumer { requires io.shmarray; }\n";

    private static final String MAIN = String.join("\n",
            "package com.example.consumer;",
            "import io.shmarray.*;",
            "import io.shmarray.runtime.WorkerProcess;",
            "public class Main {",
            "    public static void main(String[] args) throws Exception {",
            "        System.out.println(\"MODULE \" + Main.class.getModule().getName() + \" uses \"",
            "                + SharedArray.class.getModule().getName() + \" named=\" + SharedArray.class.getModule().isNamed());",
            "        try (SharedDoubleArray a = SharedDoubleArray.create(1000);",
            "             SharedQueue<String> q = SharedQueue.create(1 << 12)) {",
            "            for (int i = 0; i < 1000; i++) a.set(i, i);",
            "            try (SharedDoubleArray b = SharedDoubleArray.attach(a.name())) {",
            "                System.out.println(\"ATTACHED \" + b.get(999) + \" backend \" + Shmarray.backendName());",
            "            }",
            "            q.put(\"through the queue\");",
            "            System.out.println(\"QUEUE \" + q.take());",
            "            double sum = WorkerProcess.start(() -> { double s = 0; for (int i = 0; i < 1000; i++) s += a.get(i);",
            "                return s; }).result();",
            "            System.out.println(\"WORKER \" + sum);",
            "        }",
            "        try {",
            "            Class.forName(\"io.shmarray.internal.Backends\").getMethod(\"get\").invoke(null);",
            "            System.out.println(\"INTERNAL reachable\");",
            "        } catch (IllegalAccessException e) {",
            "            System.out.println(\"INTERNAL encapsulated\");",
            "        }",
            "    }",
            "}",
            "");

    @Test
    @Timeout(180)
    void aConsumerModuleRunsOnTheModulePath(@TempDir Path dir) throws Exception {
        Path shmarrayJar = Path.of(SharedArray.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (!shmarrayJar.toString().endsWith(".jar")) {
            TestSupport.skip("shmarray is not loaded from its jar here (" + shmarrayJar + "): the module path needs the jar");
        }
        Path jna = Path.of(com.sun.jna.Native.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path src = dir.resolve("src/com/example/consumer");
        Files.createDirectories(src);
        Files.writeString(dir.resolve("src/module-info.java"), MODULE_INFO);
        Files.writeString(src.resolve("Main.java"), MAIN);
        Path out = dir.resolve("mods/com.example.consumer");
        Path javac = Path.of(System.getProperty("java.home"), "bin", "javac");
        TestSupport.Run compiled = TestSupport.run(List.of(javac.toString(), "--release", "17", "-d", out.toString(),
                "--module-path", shmarrayJar + java.io.File.pathSeparator + jna,
                dir.resolve("src/module-info.java").toString(), src.resolve("Main.java").toString()), Map.of(), 120);
        assertEquals(0, compiled.exitCode, "the consumer module did not compile against io.shmarray: " + compiled);

        List<String> cmd = new ArrayList<>(List.of(ChildJvm.javaExecutable(), "--enable-native-access=io.shmarray",
                "-p", String.join(java.io.File.pathSeparator, shmarrayJar.toString(), jna.toString(), out.toString())));
        if (Runtime.version().feature() < 22) cmd.add("--add-modules=com.sun.jna"); // JNA backend: an optional module
        cmd.addAll(List.of("-m", "com.example.consumer/com.example.consumer.Main"));
        TestSupport.Run r = TestSupport.run(cmd, Map.of(), 150);
        assertEquals(0, r.exitCode, r.toString());
        assertTrue(r.output.contains("MODULE com.example.consumer uses io.shmarray named=true"), r.toString());
        assertTrue(r.output.contains("ATTACHED 999.0 backend " + (Runtime.version().feature() < 22 ? "jna" : "ffm")),
                r.toString());
        assertTrue(r.output.contains("QUEUE through the queue"), r.toString());
        assertTrue(r.output.contains("WORKER 499500.0"), r.toString());
        assertTrue(r.output.contains("INTERNAL encapsulated"), r.toString());
        assertTrue(!r.output.contains("WARNING"), "warnings on the module path: " + r);
    }
}
