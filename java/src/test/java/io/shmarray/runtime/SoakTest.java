package io.shmarray.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shmarray.ArrayLock;
import io.shmarray.LockOwnerDiedException;
import io.shmarray.SharedLongArray;
import io.shmarray.testing.NoLeaks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The soak of RELIABILITY.md: a seeded random walk over create / attach / write under the lock in
 * a worker / kill -9 of a worker holding the lock / kill -9 of an idle worker / SIGSTOP then
 * SIGCONT of a worker / a map over an array / an array returned as a result / close, checking the
 * invariants after every step: every live array's name exists and its data is what the model says,
 * every closed array's name is gone, nothing else appears in /dev/shm, tasks keep completing; and
 * at the end, nothing left in /dev/shm and no process but the reaper.
 *
 * <p>It prints its seed; {@code -Dio.shmarray.soak.seed=N} replays a walk, and
 * {@code -Dio.shmarray.soak.seconds=S} sets its length (default 20 s per test lane, inside the
 * README's test command). A long run:
 * <pre>{@code
 * mvn -B verify -Dtest=SoakTest -Dsurefire.failIfNoSpecifiedTests=false -Dio.shmarray.soak.seconds=1800
 * }</pre>
 * Not in the walk: filling /dev/shm to 95 % (on a large /dev/shm that would take the machine's
 * memory; the small-tmpfs test in NativeInteropTest covers a full /dev/shm).
 */
@ExtendWith(NoLeaks.class)
class SoakTest {

    static final long SECONDS = Long.getLong("io.shmarray.soak.seconds", 20);
    static final int MAX_LIVE = 6;

    enum Step { CREATE, ATTACH, LOCKED_INCREMENT, KILL_LOCK_HOLDER, MAP_CHECK, RETURNED, KILL_IDLE_WORKER, STOP_CONT, CLOSE }

    /** One live array and the value every element must hold. */
    static final class Model {
        final SharedLongArray array;
        long value;

        Model(SharedLongArray array, long value) {
            this.array = array;
            this.value = value;
        }
    }

    private static Set<String> segments() throws Exception {
        try (Stream<Path> s = Files.list(Path.of("/dev/shm"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("shmarray-"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static void signal(String sig, long pid) throws Exception {
        int rc = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start().waitFor();
        assertEquals(0, rc, "kill -" + sig + " " + pid);
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.HOURS) // the walk bounds itself by io.shmarray.soak.seconds
    void aSeededRandomWalkKeepsEveryInvariant() throws Exception {
        long seed = Long.getLong("io.shmarray.soak.seed", System.nanoTime());
        System.out.println("soak: seed " + seed + " (replay: -Dio.shmarray.soak.seed=" + seed + "), " + SECONDS + " s");
        Random rnd = new Random(seed);
        Set<String> baseline = segments();
        Map<String, Model> live = new LinkedHashMap<>();
        Set<String> closed = new TreeSet<>();
        Map<Step, Integer> counts = new TreeMap<>();
        int step = 0;
        try (Pool pool = Pool.builder().workers(2).taskTimeout(Duration.ofSeconds(60)).build()) {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
            while (System.nanoTime() < end) {
                step++;
                Step s = Step.values()[rnd.nextInt(Step.values().length)];
                if (live.isEmpty() || (s == Step.CREATE && live.size() >= MAX_LIVE)) s = live.isEmpty() ? Step.CREATE : Step.CLOSE;
                List<Model> models = new ArrayList<>(live.values());
                Model m = models.isEmpty() ? null : models.get(rnd.nextInt(models.size()));
                try {
                    run(s, m, rnd, pool, live, closed);
                    check(live, closed, baseline);
                } catch (Throwable t) {
                    throw new AssertionError("soak step " + step + " " + s + " failed (replay: -Dio.shmarray.soak.seed="
                            + seed + ")", t);
                }
                counts.merge(s, 1, Integer::sum);
            }
        } finally {
            for (Model m : live.values()) m.array.close();
        }
        System.out.println("soak: " + step + " steps " + counts + ", seed " + seed);
        // nothing left: no segment, and no process but the reaper once the workers have exited
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        List<Long> others = List.of();
        while (System.nanoTime() < deadline) {
            long reaper = io.shmarray.internal.Reaper.pid();
            others = ProcessHandle.current().children().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
                    .filter(p -> p != reaper).collect(Collectors.toList());
            if (others.isEmpty() && segments().equals(baseline)) break;
            Thread.sleep(100);
        }
        assertEquals(List.of(), others, "no worker outlives the pool");
        assertEquals(baseline, segments(), "nothing of the walk left in /dev/shm");
    }

    private static void run(Step s, Model m, Random rnd, Pool pool, Map<String, Model> live, Set<String> closed)
            throws Exception {
        switch (s) {
            case CREATE: {
                SharedLongArray a = SharedLongArray.create(2 + rnd.nextInt(200_000));
                long v = rnd.nextInt(1_000_000);
                a.fill(v);
                live.put(a.name(), new Model(a, v));
                break;
            }
            case ATTACH: { // another attachment by name sees the same memory
                try (SharedLongArray b = SharedLongArray.attach(m.array.name())) {
                    long n = b.length();
                    for (long i : new long[] {0, n / 2, n - 1}) assertEquals(m.value, b.get(i), "element " + i);
                }
                break;
            }
            case LOCKED_INCREMENT: { // a worker rewrites the array in place under its lock
                SharedLongArray a = m.array;
                pool.submit(() -> {
                    try (ArrayLock held = a.lock(Duration.ofSeconds(20))) {
                        for (long i = 0; i < a.length(); i++) a.set(i, a.get(i) + 1);
                    }
                    return null;
                }).get(60, TimeUnit.SECONDS);
                m.value++;
                break;
            }
            case KILL_LOCK_HOLDER: { // R7: kill -9 a worker that holds the lock mid-write
                SharedLongArray a = m.array;
                var f = pool.submit(() -> {
                    try (ArrayLock held = a.lock(Duration.ofSeconds(20))) {
                        a.set(1, ProcessHandle.current().pid());
                        a.set(0, -1); // "I hold it": seen by the parent through the shared memory
                        Thread.sleep(60_000);
                    }
                    return null;
                });
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (a.get(0) != -1 && System.nanoTime() < deadline) Thread.sleep(2);
                assertEquals(-1, a.get(0), "the worker took the lock");
                signal("KILL", a.get(1));
                ExecutionException died = assertThrows(ExecutionException.class, () -> f.get(60, TimeUnit.SECONDS));
                assertInstanceOf(WorkerDiedException.class, died.getCause());
                assertThrows(LockOwnerDiedException.class, () -> a.lock(Duration.ofSeconds(20)), "owner-died reported");
                assertTrue(a.isPoisoned(), "poisoned until recovered");
                a.recover();
                try (ArrayLock held = a.lock(Duration.ofSeconds(20))) {
                    a.fill(m.value); // repaired
                }
                break;
            }
            case MAP_CHECK: { // the workers read the array through a map's function
                SharedLongArray a = m.array;
                long n = a.length();
                List<Long> at = List.of(0L, n / 3, n / 2, n - 1);
                List<Long> got = pool.map(i -> a.get(i), at, 1);
                for (long g : got) assertEquals(m.value, g);
                break;
            }
            case RETURNED: { // the array comes back as a result: the same memory
                SharedLongArray a = m.array;
                SharedLongArray back = pool.submit(() -> a).get(60, TimeUnit.SECONDS);
                assertEquals(m.value, back.get(back.length() - 1));
                break;
            }
            case KILL_IDLE_WORKER: { // a worker known dead is replaced before it is given a task
                List<Long> pids = pool.workerPids();
                if (!pids.isEmpty()) {
                    long pid = pids.get(rnd.nextInt(pids.size()));
                    signal("KILL", pid);
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
                        Thread.sleep(5);
                    }
                }
                assertEquals(7, pool.submit(() -> 7).get(60, TimeUnit.SECONDS), "tasks keep completing");
                assertEquals(8, pool.submit(() -> 8).get(60, TimeUnit.SECONDS));
                break;
            }
            case STOP_CONT: {
                List<Long> pids = pool.workerPids();
                if (pids.isEmpty()) break;
                long pid = pids.get(rnd.nextInt(pids.size()));
                signal("STOP", pid);
                Thread.sleep(50 + rnd.nextInt(300));
                signal("CONT", pid);
                assertEquals(9, pool.submit(() -> 9).get(60, TimeUnit.SECONDS), "a resumed worker serves on");
                break;
            }
            case CLOSE: {
                m.array.close();
                live.remove(m.array.name());
                closed.add(m.array.name());
                break;
            }
            default:
                throw new IllegalStateException(s.toString());
        }
    }

    private static void check(Map<String, Model> live, Set<String> closed, Set<String> baseline) throws Exception {
        Set<String> now = segments();
        for (String n : live.keySet()) assertTrue(now.contains(n), "live array's name is there: " + n);
        for (String n : closed) {
            // a received copy of a closed array may hold the name for a moment, until collected
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (Files.exists(Path.of("/dev/shm", n)) && System.nanoTime() < deadline) Thread.sleep(20);
            assertTrue(!Files.exists(Path.of("/dev/shm", n)), "closed array's name is gone: " + n);
        }
        closed.clear();
        Set<String> unexpected = new TreeSet<>(segments());
        unexpected.removeAll(baseline);
        unexpected.removeAll(live.keySet());
        assertEquals(Set.of(), unexpected, "nothing else appeared in /dev/shm");
    }
}
