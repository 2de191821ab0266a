package io.shmarray.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shmarray.SegmentNotFoundException;
import io.shmarray.SharedDoubleArray;
import io.shmarray.testing.NoLeaks;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Receivers release what they received (RELIABILITY.md R27, R28): a long-lived pool sent many
 * short-lived arrays returns /dev/shm to its baseline once their owners close them, and a task
 * whose array is already gone fails alone with the typed error.
 */
@ExtendWith(NoLeaks.class)
class ReceivedArraysTest {

    static final int ARRAYS = 50;
    static final int DOUBLES = 1 << 20; // 8 MiB each

    /** Mappings of removed segments among {@code names} that {@code pid} still holds. */
    static List<String> deletedMappings(long pid, List<String> names) throws Exception {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/maps"))) {
            if (!line.endsWith("(deleted)")) continue;
            for (String n : names) {
                if (line.contains("/dev/shm/" + n + " ")) out.add(line);
            }
        }
        return out;
    }

    static long shmUsed() throws Exception {
        FileStore fs = Files.getFileStore(Path.of("/dev/shm"));
        return fs.getTotalSpace() - fs.getUnallocatedSpace();
    }

    @Test
    @Timeout(300)
    void aLongLivedPoolLetsGoOfEveryArrayItWasSent() throws Exception {
        try (Pool pool = Pool.create(2)) {
            pool.map(x -> x, List.of(1, 2, 3, 4), 1); // workers warm; their baseline
            long baseline = shmUsed();
            List<String> names = new ArrayList<>();
            for (int k = 0; k < ARRAYS; k++) {
                SharedDoubleArray a = SharedDoubleArray.create(DOUBLES);
                names.add(a.name());
                a.set(0, k);
                a.set(DOUBLES - 1, k);
                List<Double> got = pool.map(i -> a.get(i), List.of(0L, (long) DOUBLES - 1), 1);
                assertEquals(List.of((double) k, (double) k), got);
                assertEquals((double) k, pool.submit(() -> a.get(0)).get());
                SharedDoubleArray back = pool.submit(() -> a).get(); // the parent receives one too
                assertEquals((double) k, back.get(DOUBLES - 1));
                back = null; // unreachable: the name goes once the parent's watcher finds it so
                a.close(); // the owner lets go of its own
            }
            List<Long> workers = pool.workerPids();
            long deadline = System.nanoTime() + 30_000_000_000L;
            List<String> held = List.of();
            long used = Long.MAX_VALUE;
            while (System.nanoTime() < deadline) {
                held = new ArrayList<>();
                for (long pid : workers) held.addAll(deletedMappings(pid, names));
                held.addAll(deletedMappings(ProcessHandle.current().pid(), names));
                for (String n : names) {
                    if (Files.exists(Path.of("/dev/shm", n))) held.add("name still present: " + n);
                }
                used = shmUsed();
                if (held.isEmpty() && used - baseline < DOUBLES * 8L) break;
                Thread.sleep(200);
            }
            assertEquals(List.of(), held, "every name removed, no process holds a mapping of a removed segment");
            assertTrue(used - baseline < DOUBLES * 8L, "/dev/shm back to its baseline: " + (used - baseline)
                    + " bytes more than before " + ARRAYS + " arrays of " + DOUBLES * 8L + " bytes");
            assertEquals(workers, pool.workerPids(), "the same workers throughout");
        }
    }

    @Test
    @Timeout(120)
    void aQueuedTaskWhoseArrayIsGoneFailsAloneWithTheTypedError() throws Exception {
        try (Pool pool = Pool.create(1)) {
            long pid = pool.workerPids().get(0);
            SharedDoubleArray a = SharedDoubleArray.create(10);
            String name = a.name();
            CompletableFuture<Object> blocker = pool.submit(() -> {
                Thread.sleep(1000);
                return null;
            });
            CompletableFuture<Double> task = pool.submit(() -> a.get(0));
            CompletableFuture<List<Double>> mapped = CompletableFuture.supplyAsync(
                    () -> pool.map(i -> a.get(i), List.of(0L, 1L), 1));
            for (long end = System.nanoTime() + 30_000_000_000L; pool.queuedJobs() < 3 && System.nanoTime() < end; ) {
                Thread.sleep(10); // the task and the map's two chunks wait behind the blocker
            }
            assertEquals(3, pool.queuedJobs(), "queued behind the blocker");
            a.close(); // owner-scoped: the name goes while the tasks wait
            blocker.get();

            ExecutionException e = assertThrows(ExecutionException.class, task::get);
            RemoteException r = assertInstanceOf(RemoteException.class, e.getCause());
            SegmentNotFoundException s = assertInstanceOf(SegmentNotFoundException.class, r.getCause(), r.toString());
            assertTrue(s.getMessage().contains(name), s.getMessage());

            ExecutionException m = assertThrows(ExecutionException.class, mapped::get);
            RemoteException mr = assertInstanceOf(RemoteException.class, m.getCause());
            assertInstanceOf(SegmentNotFoundException.class, mr.getCause(), mr.toString());

            assertEquals(List.of(pid), pool.workerPids(), "the worker lives on");
            assertEquals(7, pool.submit(() -> 7).get());
        }
    }
}
