package io.shmarray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shmarray.internal.ChildJvm;
import io.shmarray.testing.NoLeaks;
import io.shmarray.testing.TestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The seed scenarios (java/src/examples), each run as documented — {@code java -cp shmarray.jar:
 * shmarray-examples.jar io.shmarray.examples.X} — on this lane's JVM and backend. Every example
 * checks its own outcome and exits 1 when it did not happen; these tests also check the lines that
 * show it.
 */
@ExtendWith(NoLeaks.class)
class ExamplesTest {

    private static TestSupport.Run example(String name, String... args) throws Exception {
        String cp = System.getProperty("io.shmarray.test.examplesClassPath");
        if (cp == null) TestSupport.skip("io.shmarray.test.examplesClassPath is not set: not run from the Maven build");
        for (String jar : cp.split(java.io.File.pathSeparator)) {
            assertTrue(Files.exists(Path.of(jar)), jar + " was not packaged");
        }
        TestSupport.Run r = TestSupport.run(ChildJvm.command(cp, "io.shmarray.examples." + name, List.of(args)),
                Map.of(), 150);
        System.out.println("--- " + name + "\n" + r.output);
        assertEquals(0, r.exitCode, r.toString());
        assertTrue(r.output.contains("OK: "), r.toString());
        return r;
    }

    @Test
    @Timeout(180)
    void s1HelloProcessCopiesArgumentsAndSendsCodeByReference() throws Exception {
        String out = example("HelloProcess").output;
        assertTrue(out.contains("travels by reference: io.shmarray.examples.HelloProcess::"), out);
        assertTrue(out.contains("captured #2 [I: copied"), out);
        assertTrue(out.contains("parent's visits after the worker incremented its copy: [0]"), out);
    }

    @Test
    @Timeout(180)
    void s2HelperInAnotherClass() throws Exception {
        String out = example("HelperInAnotherClass").output;
        assertTrue(out.contains("10^2 = 100 computed in pid"), out);
    }

    @Test
    @Timeout(180)
    void s3LambdasAndLocalClassesFromMain() throws Exception {
        String out = example("LambdasAndLocalClasses").output;
        assertTrue(out.contains("lambda from main:      [101, 102, 103]"), out);
        assertTrue(out.contains("local class from main: [3, 6, 9]"), out);
        assertTrue(out.contains("capturing a Thread fails at submit: captured value #1"), out);
    }

    @Test
    @Timeout(180)
    void s4HugeDatasetIsInMemoryOnce() throws Exception {
        String out = example("HugeDatasetNoCopy", "--length", "8_000_000").output;
        assertTrue(out.contains("PSS of the dataset's pages, parent + 4 workers:"), out);
        assertEquals(5, out.split("the segment's resident pages 61.0 MiB", -1).length - 1, out);
    }

    @Test
    @Timeout(180)
    void s5InstanceMethodWritesAreSeenByTheParent() throws Exception {
        String out = example("InstanceMethodMap").output;
        assertTrue(out.contains("data[999] = 9990.0"), out);
    }

    @Test
    @Timeout(180)
    void s6QueuesTravelAsArgumentsAndThroughQueues() throws Exception {
        String out = example("QueuesBetweenProcesses").output;
        assertTrue(out.contains("1. hello through a queue passed as an argument"), out);
        assertTrue(out.contains("2. hello through a queue that arrived through a queue"), out);
    }

    @Test
    @Timeout(180)
    void s7ClassStateIsNotInheritedAndTheFixesWork() throws Exception {
        String out = example("ClassStateIsNotInherited").output;
        assertTrue(out.contains("worker without a fix: T.value = 0"), out);
        assertTrue(out.contains("fix 1, pass it as an argument: T.value = 5"), out);
        assertTrue(out.contains("T.value * i = [5, 10, 15, 20]"), out);
    }

    @Test
    @Timeout(180)
    void s8ForkedCProgramAndJavaShareOneSegment() throws Exception {
        Path binary = TestSupport.nativeBuildFile("shmarray-fork-example");
        String out = example("ForkFromC", binary.toString()).output;
        assertTrue(out.contains("C parent (pid"), out);
        assertTrue(out.contains("sees all 1000 values the child wrote"), out);
        assertTrue(out.contains("v[999] = 998001; writing v[0] = -1"), out);
        assertTrue(out.contains("C parent: sees v[0] = -1, written by the Java process"), out);
    }
}
