package io.shmarray.internal;

import io.shmarray.Shmarray;
import io.shmarray.SharedDoubleArray;
import io.shmarray.runtime.WorkerProcess;
import io.shmarray.runtime.WorkerStartException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Child JVM for {@link LoadingSecurityTest}: uses shmarray the way a victim's program would. */
public final class SecurityProbe {

    private SecurityProbe() {}

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "use": { // owner-scoped arrays here and in a worker: both start a reaper
                try (SharedDoubleArray a = SharedDoubleArray.create(1000)) {
                    a.set(7, 1.5);
                    if (a.get(7) != 1.5) throw new AssertionError("read back " + a.get(7));
                }
                System.out.println("LOADED " + Shmarray.nativeLibrarySource());
                for (String line : workerFacts()) System.out.println("WORKER " + line);
                System.out.println("OK");
                break;
            }
            case "swap": { // loaded from -Dio.shmarray.library.path; then the file changes under us
                try (SharedDoubleArray a = SharedDoubleArray.create(10)) {
                    a.set(0, 1);
                }
                System.out.println("LOADED " + Shmarray.nativeLibrarySource());
                Files.write(Path.of(System.getProperty(NativeLibraryLoader.PATH_PROPERTY)),
                        Files.readAllBytes(Path.of(args[1])));
                // the worker loads its library on first use: a task that needs it
                try (WorkerProcess<String> w = WorkerProcess.start(() -> {
                    try (SharedDoubleArray b = SharedDoubleArray.create(10)) {
                        return Shmarray.nativeLibrarySha256();
                    }
                })) {
                    System.out.println("STARTED " + w.result());
                } catch (WorkerStartException | io.shmarray.runtime.RemoteException e) {
                    System.out.println("REFUSED " + e.getMessage());
                }
                break;
            }
            default:
                throw new IllegalArgumentException(args[0]);
        }
        System.exit(0);
    }

    /** What a worker was given and what it loaded; it also starts its own reaper. */
    static List<String> workerFacts() throws Exception {
        try (WorkerProcess<ArrayList<String>> w = WorkerProcess.start(() -> {
            try (SharedDoubleArray b = SharedDoubleArray.create(100)) {
                b.set(1, 2);
            }
            ArrayList<String> facts = new ArrayList<>();
            facts.add("extract.dir=" + System.getProperty(NativeLibraryLoader.EXTRACT_DIR_PROPERTY));
            facts.add("java.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
            facts.add("sha256=" + Shmarray.nativeLibrarySha256());
            facts.add("source=" + Shmarray.nativeLibrarySource());
            facts.add("reaper=" + Reaper.executable());
            return facts;
        })) {
            return w.result();
        }
    }
}
