package io.shmarray;

import io.shmarray.testing.TestSupport;
import java.nio.file.Files;
import java.nio.file.Path;

/** Child JVM for fault-injection tests: tries a create and prints the outcome. */
public final class FaultProbe {
    private FaultProbe() {}

    public static void main(String[] args) {
        String name = TestSupport.testName();
        long length = args.length > 1 ? Long.parseLong(args[1]) : 4096;
        try (SharedDoubleArray a = SharedDoubleArray.createNamed(name, length)) {
            a.unlink();
            System.out.println("CREATED (no fault?)");
        } catch (ShmException e) {
            System.out.println(e.getClass().getSimpleName() + " errno=" + e.errno() + " " + e.getMessage());
        }
        System.out.println("LEFT " + (Files.exists(Path.of("/dev/shm", name)) ? name : "none"));
    }
}
