package io.shmarray.runtime;

import static io.shmarray.testing.TestSupport.alive;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shmarray.NotSerializableTaskException;
import io.shmarray.ProtocolException;
import io.shmarray.SharedDoubleArray;
import io.shmarray.SharedLongArray;
import io.shmarray.testing.NoLeaks;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The pool: mapping, crash semantics, real cancellation, back-pressure. Every test is bounded. */
@ExtendWith(NoLeaks.class)
class PoolTest {

    static Throwable failureOf(CompletableFuture<?> f) throws InterruptedException {
        try {
            f.get(120, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (CancellationException e) {
            return e;
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("future did not complete", e);
        }
    }

    /** Polls until the shared slot holds a pid. */
    static long awaitPid(SharedLongArray pids, int slot) throws InterruptedException {
        long end = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < end) {
            long p = pids.getVolatile(slot);
            if (p != 0) return p;
            Thread.sleep(10);
        }
        throw new AssertionError("task did not publish its pid");
    }

    /** Counts how often it is deserialized in a JVM: a map's function should arrive once per worker. */
    static final class CountingFn implements SerializableFunction<Integer, Integer> {
        private static final long serialVersionUID = 1L;
        static final java.util.Map<String, Integer> DESERIALIZED = new java.util.concurrent.ConcurrentHashMap<>();
        final String tag;

        CountingFn(String tag) {
            this.tag = tag;
        }

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            DESERIALIZED.merge(tag, 1, Integer::sum);
        }

        @Override
        public Integer apply(Integer x) {
            return DESERIALIZED.get(tag) * 1_000_000 + x * x;
        }
    }

    @Test
    @Timeout(180)
    void mapIsOrderedChunkedAndSendsTheFunctionOncePerWorker() throws Exception {
        try (Pool pool = Pool.create(2)) {
            List<Integer> items = new ArrayList<>();
            for (int i = 0; i < 500; i++) items.add(i);
            for (int chunk : new int[] {1, 7, 100}) {
                List<Long[]> progress = new ArrayList<>();
                List<Integer> out = pool.map(new CountingFn("map-" + chunk), items, chunk, (done, total) -> progress.add(new Long[] {done, total}));
                for (int i = 0; i < 500; i++) {
                    assertEquals(1_000_000 + i * i, out.get(i), "item " + i + " chunksize " + chunk
                            + ": the function was deserialized once in its worker");
                }
                Long[] last = progress.get(progress.size() - 1);
                assertEquals(500L, last[0]);
                assertEquals(500L, last[1]);
            }
            assertEquals(2, pool.workerPids().size());
            List<Double> powers = pool.starmap(Math::pow, List.of(java.util.Map.entry(2.0, 10.0), java.util.Map.entry(3.0, 2.0)), 1);
            assertEquals(List.of(1024.0, 9.0), powers);
        }
    }

    static final class Scaler implements Serializable {
        private static final long serialVersionUID = 1L;
        final SharedDoubleArray data;

        Scaler(SharedDoubleArray data) {
            this.data = data;
        }

        double myFun(Long i) {
            data.set(i, i * 2.0);
            return data.get(i) + 1;
        }
    }

    @Test
    @Timeout(180)
    void anInstanceMethodOfAnObjectHoldingASharedArrayNeedsNoWrapper() throws Exception {
        try (SharedDoubleArray data = SharedDoubleArray.create(1000); Pool pool = Pool.create(2)) {
            Scaler scaler = new Scaler(data);
            List<Long> idx = LongStream.range(0, 1000).boxed().collect(Collectors.toList());
            List<Double> out = pool.map(scaler::myFun, idx, 50);
            for (int i = 0; i < 1000; i++) {
                assertEquals(i * 2.0, data.get(i), "the worker's write is visible here");
                assertEquals(i * 2.0 + 1, out.get(i));
            }
        }
    }

    @Test
    @Timeout(180)
    void submitInitializerAndRecycling() throws Exception {
        SerializableRunnable init = () -> System.setProperty("pool.init", "ran-in-" + ProcessHandle.current().pid());
        try (Pool pool = Pool.builder().workers(1).initializer(init).maxTasksPerWorker(2).build()) {
            Set<Long> pids = new HashSet<>();
            for (int i = 0; i < 6; i++) {
                String r = pool.submit(() -> System.getProperty("pool.init") + "/" + ProcessHandle.current().pid()).get();
                String[] parts = r.split("/");
                assertEquals("ran-in-" + parts[1], parts[0], "the initializer ran in this worker");
                pids.add(Long.parseLong(parts[1]));
            }
            assertEquals(3, pids.size(), "a worker is replaced after 2 tasks: " + pids);
            RemoteException e = assertThrows(RemoteException.class, () -> {
                try {
                    pool.submit(() -> Integer.parseInt("not a number")).get();
                } catch (ExecutionException x) {
                    throw x.getCause();
                }
            });
            assertInstanceOf(NumberFormatException.class, e.getCause());
        }
    }

    @Test
    @Timeout(180)
    void killingAWorkerMidTaskFailsOnlyThatTaskAndTheWorkerIsReplaced() throws Exception {
        try (SharedLongArray pids = SharedLongArray.create(4); Pool pool = Pool.create(2)) {
            CompletableFuture<Long> victim = pool.submit(() -> {
                pids.setVolatile(0, ProcessHandle.current().pid());
                Thread.sleep(600_000);
                return 0L;
            });
            long pid = awaitPid(pids, 0);
            List<CompletableFuture<Integer>> others = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                int k = i;
                others.add(pool.submit(() -> k * 10));
            }
            new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor();
            Throwable t = failureOf(victim);
            assertInstanceOf(WorkerDiedException.class, t);
            assertEquals(128 + 9, ((WorkerDiedException) t).exitCode(), t.getMessage());
            for (int i = 0; i < 6; i++) assertEquals(i * 10, others.get(i).get(60, TimeUnit.SECONDS));
            assertEquals(42, pool.submit(() -> 42).get(60, TimeUnit.SECONDS), "the pool still works");
            long end = System.nanoTime() + 60_000_000_000L;
            while (pool.workerPids().size() < 2 && System.nanoTime() < end) Thread.sleep(20);
            assertTrue(pool.workerPids().size() == 2 && !pool.workerPids().contains(pid),
                    "a replacement was started: " + pool.workerPids());
        }
    }

    @Test
    @Timeout(180)
    void systemExitInATaskIsAWorkerDeath() throws Exception {
        try (Pool pool = Pool.create(1)) {
            Throwable t = failureOf(pool.submit(() -> {
                System.exit(3);
                return 0;
            }));
            assertInstanceOf(WorkerDiedException.class, t);
            assertEquals(3, ((WorkerDiedException) t).exitCode());
            assertEquals("next", pool.submit(() -> "next").get(60, TimeUnit.SECONDS));
        }
    }

    @Test
    @Timeout(180)
    void aTimeoutReallyCancelsOneTaskWhileOthersFinish() throws Exception {
        try (SharedLongArray pids = SharedLongArray.create(1);
             Pool pool = Pool.builder().workers(2).taskTimeout(Duration.ofSeconds(2)).build()) {
            CompletableFuture<Integer> slow = pool.submit(() -> {
                pids.setVolatile(0, ProcessHandle.current().pid());
                Thread.sleep(600_000);
                return 0;
            });
            List<CompletableFuture<Integer>> quick = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                int k = i;
                quick.add(pool.submit(() -> k));
            }
            long pid = awaitPid(pids, 0);
            long t0 = System.nanoTime();
            Throwable t = failureOf(slow);
            assertInstanceOf(TaskTimeoutException.class, t);
            assertTrue((System.nanoTime() - t0) < 30_000_000_000L);
            for (int i = 0; i < 5; i++) assertEquals(i, quick.get(i).get(60, TimeUnit.SECONDS));
            assertTrue(!alive(pid), "the timed-out task's worker was killed: real cancellation");
        }
    }

    /**
     * {@code apply} runs synchronously in a worker (the caller talks to an idle worker itself),
     * fails like {@code submit}, and a task that captures values gets a fresh copy every time
     * even though stateless tasks are decoded once per worker.
     */
    @Test
    @Timeout(180)
    void applyRunsInAWorkerAndCapturedValuesStayCopies() throws Exception {
        try (Pool pool = Pool.create(2)) {
            long me = ProcessHandle.current().pid();
            long there = pool.apply(() -> ProcessHandle.current().pid());
            assertTrue(there != me && pool.workerPids().contains(there), "ran in a worker: " + there);
            int doubled = pool.apply((Integer x) -> x * 2, 21);
            assertEquals(42, doubled);
            RemoteException r = assertThrows(RemoteException.class, () -> pool.apply(() -> {
                throw new IllegalStateException("boom");
            }));
            assertInstanceOf(IllegalStateException.class, r.getCause());
            ArrayList<Integer> list = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                assertEquals(1, pool.apply(() -> {
                    list.add(1); // the worker's copy: never the same object twice
                    return list.size();
                }));
            }
            for (int i = 0; i < 5; i++) assertEquals(1, pool.submit(() -> 1).get(60, TimeUnit.SECONDS));
            assertEquals(List.of(2, 3), pool.map(x -> x + 1, List.of(1, 2), 1), "the slots still serve the queue");
            List<Integer> many = new ArrayList<>();
            for (int i = 0; i < 1001; i++) many.add(i);
            List<Integer> out = pool.map(x -> x * 2, many); // Python's default chunksize
            for (int i = 0; i < 1001; i++) assertEquals(2 * i, out.get(i));
        }
        assertEquals(25_000, Pool.defaultChunksize(200_000, 2), "Python: divmod(200000, 2 * 4) -> 25000");
        assertEquals(126, Pool.defaultChunksize(1001, 2), "rounded up, as Python does");
        assertEquals(1, Pool.defaultChunksize(0, 4));
    }

    /** Interrupting a caller of {@code apply} abandons the task: its worker is killed and replaced. */
    @Test
    @Timeout(180)
    void interruptingApplyKillsAndReplacesTheWorker() throws Exception {
        try (SharedLongArray pids = SharedLongArray.create(1); Pool pool = Pool.create(1)) {
            Thread caller = Thread.currentThread();
            Thread interrupter = new Thread(() -> {
                try {
                    awaitPid(pids, 0);
                    caller.interrupt();
                } catch (InterruptedException ignored) {
                    // test over
                }
            });
            interrupter.start();
            long t0 = System.nanoTime();
            WorkerDiedException e = assertThrows(WorkerDiedException.class, () -> pool.apply(() -> {
                pids.setVolatile(0, ProcessHandle.current().pid());
                Thread.sleep(600_000);
                return 0;
            }));
            assertTrue(Thread.interrupted(), "the interrupt flag stays set");
            assertTrue(e.getMessage().contains("interrupted"), e.getMessage());
            assertTrue(System.nanoTime() - t0 < 60_000_000_000L);
            interrupter.join();
            long pid = pids.get(0);
            long end = System.nanoTime() + 10_000_000_000L;
            while (alive(pid) && System.nanoTime() < end) Thread.sleep(20);
            assertTrue(!alive(pid), "the abandoned task's worker was killed");
            assertEquals(7, pool.apply(() -> 7), "a replacement serves");
        }
    }

    /** Any Iterable or Stream maps; any chunksize is cut lazily (Integer.MAX_VALUE used to throw OutOfMemoryError). */
    @Test
    @Timeout(180)
    void iterablesStreamsAndAnyChunksize() throws Exception {
        try (Pool pool = Pool.create(2)) {
            assertEquals(List.of(1, 2, 3), pool.map(x -> x, List.of(1, 2, 3), Integer.MAX_VALUE));
            java.util.LinkedHashSet<String> set = new java.util.LinkedHashSet<>(List.of("a", "bb", "ccc"));
            assertEquals(List.of(1, 2, 3), pool.map(String::length, set, 2), "an Iterable, in its order");
            assertEquals(List.of(0L, 2L, 4L, 6L), pool.map(x -> x * 2, LongStream.range(0, 4).boxed(), 3), "a Stream");
        }
    }

    /** Closing an imap before its end cancels the call; imap reports progress. */
    @Test
    @Timeout(180)
    void closingImapCancelsTheRestAndImapReportsProgress() throws Exception {
        long[] produced = new long[1];
        Iterator<Long> naturals = naturals(produced);
        try (Pool pool = Pool.create(2)) {
            long before;
            try (MapResults<Long> out = pool.imap(x -> {
                Thread.sleep(20);
                return x * 2;
            }, naturals, 1)) {
                for (long i = 0; i < 10; i++) assertEquals(2 * i, out.next());
                before = produced[0];
                out.close();
                assertTrue(!out.hasNext(), "closed: no more results");
            }
            for (long end = System.nanoTime() + 10_000_000_000L; pool.queuedJobs() > 0 && System.nanoTime() < end; ) {
                Thread.sleep(10); // (a slot may hand back a chunk it took: it then drops it as cancelled)
            }
            assertEquals(0, pool.queuedJobs(), "its queued chunks were cancelled");
            Thread.sleep(500);
            assertEquals(before, produced[0], "no more input is read after close()");

            List<Long> done = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Integer> got = new ArrayList<>();
            pool.imap(x -> x + 1, List.of(1, 2, 3, 4).iterator(), 1, (d, total) -> {
                assertEquals(-1L, total);
                done.add(d);
            }).forEachRemaining(got::add);
            assertEquals(List.of(2, 3, 4, 5), got);
            assertEquals(List.of(1L, 2L, 3L, 4L), done);
        }
    }

    /** Worker deaths and replacements are logged (System.Logger "io.shmarray"). */
    @Test
    @Timeout(180)
    void aWorkerDeathIsLoggedWithItsReplacement() throws Exception {
        List<java.util.logging.LogRecord> records = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.logging.Handler h = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        java.util.logging.Logger jul = java.util.logging.Logger.getLogger("io.shmarray");
        java.util.logging.Level before = jul.getLevel();
        jul.setLevel(java.util.logging.Level.ALL); // the replacement is a DEBUG record
        h.setLevel(java.util.logging.Level.ALL);
        jul.addHandler(h);
        try (Pool pool = Pool.create(1)) {
            long pid = pool.workerPids().get(0);
            assertInstanceOf(WorkerDiedException.class, failureOf(pool.submit(() -> {
                Runtime.getRuntime().halt(9);
                return 0;
            })));
            assertEquals(1, pool.submit(() -> 1).get(60, TimeUnit.SECONDS));
            String log;
            synchronized (records) {
                log = records.stream().map(r -> r.getLevel() + " " + r.getMessage()).collect(Collectors.joining("\n"));
            }
            assertTrue(log.contains("WARNING shmarray pool: task") && log.contains("failed") && log.contains("died"), log);
            assertTrue(log.contains("worker pid " + pid + " replaced by pid"), log);
        } finally {
            jul.removeHandler(h);
            jul.setLevel(before);
        }
    }

    /** A queued task cancelled never runs; cancel(true) of a running one kills and replaces its worker. */
    @Test
    @Timeout(180)
    void cancelMeansIt() throws Exception {
        try (io.shmarray.SharedIntArray ran = io.shmarray.SharedIntArray.create(3);
             SharedLongArray pids = SharedLongArray.create(1);
             Pool pool = Pool.create(1)) {
            CompletableFuture<Integer> blocker = pool.submit(() -> {
                Thread.sleep(1000);
                ran.set(0, 1);
                return 0;
            });
            CompletableFuture<Integer> queued = pool.submit(() -> {
                ran.set(1, 1);
                return 1;
            });
            assertTrue(queued.cancel(false));
            assertTrue(queued.isCancelled());
            assertEquals(0, blocker.get(60, TimeUnit.SECONDS));
            assertEquals(7, pool.submit(() -> 7).get(60, TimeUnit.SECONDS));
            assertEquals(0, ran.get(1), "a cancelled queued task never runs");

            CompletableFuture<Integer> running = pool.submit(() -> {
                pids.setVolatile(0, ProcessHandle.current().pid());
                Thread.sleep(60_000);
                ran.set(2, 1);
                return 2;
            });
            long pid = awaitPid(pids, 0);
            long t0 = System.nanoTime();
            assertTrue(running.cancel(true));
            assertThrows(CancellationException.class, running::get);
            assertEquals(8, pool.submit(() -> 8).get(60, TimeUnit.SECONDS), "a replacement serves at once");
            assertTrue(System.nanoTime() - t0 < 30_000_000_000L, "not after the 60 s task");
            long end = System.nanoTime() + 10_000_000_000L;
            while (alive(pid) && System.nanoTime() < end) Thread.sleep(20);
            assertTrue(!alive(pid), "cancel(true) killed the running task's worker");
            assertEquals(0, ran.get(2));
        }
    }

    /**
     * Interrupting the caller of map cancels its outstanding chunks: queued ones never run, the
     * running one is stopped (its worker killed and replaced), the one sent behind it never
     * starts; the flag stays set.
     */
    @Test
    @Timeout(180)
    void interruptingMapCancelsItsOutstandingChunks() throws Exception {
        try (io.shmarray.SharedIntArray runs = io.shmarray.SharedIntArray.create(5); Pool pool = Pool.create(1)) {
            Thread caller = Thread.currentThread();
            Thread interrupter = new Thread(() -> {
                try {
                    long end = System.nanoTime() + 60_000_000_000L;
                    while (runs.get(1) == 0 && System.nanoTime() < end) Thread.sleep(5);
                    caller.interrupt(); // chunk 1 runs, 2 is sent behind it, 3 waits in the queue
                } catch (InterruptedException ignored) {
                    // test over
                }
            });
            interrupter.start();
            assertThrows(CancellationException.class, () -> pool.map(x -> {
                runs.set(x, 1); // started
                Thread.sleep(1500);
                runs.set(x, 2); // finished
                return x;
            }, List.of(0, 1, 2, 3, 4), 1));
            assertTrue(Thread.interrupted(), "the interrupt flag stays set");
            interrupter.join();
            assertEquals(List.of(9), pool.map(x -> x * 3, List.of(3), 1), "the pool serves on");
            Thread.sleep(2000); // a chunk that were still running would finish meanwhile
            assertEquals(2, runs.get(0), "chunk 0 ran before the interrupt");
            assertEquals(1, runs.get(1), "the running chunk was stopped");
            assertEquals(0, runs.get(2), "the chunk sent behind it never started");
            assertEquals(0, runs.get(3), "the queued chunk was cancelled");
            assertEquals(0, runs.get(4), "never submitted");
            assertEquals(1, pool.stats().workerReplacements(), pool.stats().toString());
        }
    }

    /**
     * Chunks are pipelined (sent before the previous result is back); a chunk's timeout still
     * counts from when its worker started it, not from when it was sent.
     */
    @Test
    @Timeout(180)
    void aPipelinedChunksTimeoutCountsFromItsStart() throws Exception {
        try (Pool pool = Pool.builder().workers(1).taskTimeout(Duration.ofMillis(2500)).build()) {
            List<Integer> out = pool.map(x -> {
                Thread.sleep(1500);
                return x;
            }, List.of(0, 1, 2), 1);
            assertEquals(List.of(0, 1, 2), out, "each chunk runs 1.5 s of its 2.5 s, though sent up to 3 s earlier");
        }
    }

    /**
     * A worker that dies with chunks pipelined behind the running one fails only the running
     * chunk; the ones behind it never started there and run once on the replacement.
     */
    @Test
    @Timeout(180)
    void aWorkerDyingUnderPipelinedChunksFailsOnlyTheRunningOne() throws Exception {
        try (io.shmarray.SharedIntArray runs = io.shmarray.SharedIntArray.create(5);
             Pool pool = Pool.create(1)) {
            Throwable t = assertThrows(WorkerDiedException.class, () -> pool.map(x -> {
                if (x == 2) Runtime.getRuntime().halt(9);
                runs.getAndAdd(x, 1);
                Thread.sleep(50);
                return x;
            }, List.of(0, 1, 2, 3, 4), 1)); // 3 chunks in flight for one worker: 5 is never submitted
            assertTrue(t.getMessage().contains("died"), t.getMessage());
            long end = System.nanoTime() + 60_000_000_000L;
            while (runs.get(4) == 0 && System.nanoTime() < end) Thread.sleep(20);
            Thread.sleep(200);
            int[] counts = new int[5];
            for (int i = 0; i < 5; i++) counts[i] = runs.get(i);
            assertEquals("[1, 1, 0, 1, 1]", java.util.Arrays.toString(counts),
                    "every chunk but the dying one ran exactly once");
        }
    }

    @Test
    @Timeout(180)
    void aStoppedWorkerIsDeclaredDeadAfterTheHeartbeatTimeout() throws Exception {
        try (SharedLongArray pids = SharedLongArray.create(1);
             Pool pool = Pool.builder().workers(1).heartbeat(Duration.ofMillis(500), Duration.ofSeconds(2)).build()) {
            CompletableFuture<Integer> hung = pool.submit(() -> {
                pids.setVolatile(0, ProcessHandle.current().pid());
                Thread.sleep(600_000);
                return 0;
            });
            long pid = awaitPid(pids, 0);
            new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor();
            long t0 = System.nanoTime();
            Throwable t = failureOf(hung);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertInstanceOf(WorkerDiedException.class, t);
            assertTrue(t.getMessage().contains("no heartbeat"), t.getMessage());
            assertTrue(ms < 15_000, "declared dead after " + ms + " ms");
            assertTrue(!alive(pid), "the stopped worker was killed, so a resumed one cannot answer");
            new ProcessBuilder("kill", "-CONT", Long.toString(pid)).start().waitFor(); // resume it: nothing left to
            assertEquals(7, pool.submit(() -> 7).get(60, TimeUnit.SECONDS));
            assertInstanceOf(WorkerDiedException.class, failureOf(hung), "the stale task stays failed");
            assertEquals(pid, pids.getVolatile(0), "and nothing of the stale worker arrived afterwards");
        }
    }

    /**
     * R18: a reply the parent cannot take (here a frame over the parent's cap, which the worker,
     * allowed more, sent anyway) is a protocol error: that task fails, the worker is recycled, and
     * the pool serves on.
     */
    @Test
    @Timeout(180)
    void aGarbledReplyFailsItsTaskAndRecyclesTheWorker() throws Exception {
        System.setProperty(WorkerOptions.MAX_FRAME_PROPERTY, Integer.toString(1 << 20));
        try (Pool pool = Pool.builder().workers(1)
                .options(WorkerOptions.defaults().withProperty(WorkerOptions.MAX_FRAME_PROPERTY, Integer.toString(8 << 20)))
                .build()) {
            long before = pool.submit(() -> ProcessHandle.current().pid()).get(60, TimeUnit.SECONDS);
            Throwable t = failureOf(pool.submit(() -> new byte[2 << 20]));
            assertInstanceOf(ProtocolException.class, t, String.valueOf(t));
            long after = pool.submit(() -> ProcessHandle.current().pid()).get(60, TimeUnit.SECONDS);
            assertTrue(after != before, "a fresh worker serves after the protocol error");
            long end = System.nanoTime() + 10_000_000_000L;
            while (alive(before) && System.nanoTime() < end) Thread.sleep(20);
            assertTrue(!alive(before), "the worker with the garbled channel is gone");
        } finally {
            System.clearProperty(WorkerOptions.MAX_FRAME_PROPERTY);
        }
    }

    /** 0, 1, 2, ... without end; {@code produced[0]} counts what was read. */
    static Iterator<Long> naturals(long[] produced) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Long next() {
                return produced[0]++;
            }
        };
    }

    /**
     * Short chunks go many at a time to a worker, written together; each result still comes back
     * as soon as its chunk is done, not when a long chunk sent behind it ends.
     */
    @Test
    @Timeout(120)
    void resultsOfShortChunksDoNotWaitForALongChunkBehindThem() throws Exception {
        try (Pool pool = Pool.create(1)) {
            List<Long> items = LongStream.range(0, 2_000).boxed().collect(Collectors.toList());
            assertEquals(items.stream().map(x -> x * 2).collect(Collectors.toList()), pool.map(x -> x * 2, items, 1),
                    "short chunks in deep pipelines: all of them, in order");
            long slow = 1_500;
            Iterator<Long> out = pool.imap(x -> {
                if (x == slow) Thread.sleep(4_000);
                return x;
            }, LongStream.range(0, 2_000).boxed().iterator(), 1);
            long t0 = System.nanoTime();
            for (long i = 0; i < slow; i++) assertEquals(i, out.next());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 3_000, "the results before the long chunk took " + ms + " ms: they waited for it");
            for (long i = slow; i < 2_000; i++) assertEquals(i, out.next());
        }
    }

    @Test
    @Timeout(180)
    void imapPullsAnInfiniteIteratorLazily() throws Exception {
        long[] produced = new long[1];
        Iterator<Long> naturals = naturals(produced);
        try (Pool pool = Pool.create(2)) {
            Iterator<Long> out = pool.imap(x -> x * 3, naturals, 5);
            for (long i = 0; i < 50; i++) assertEquals(i * 3, out.next());
            assertTrue(produced[0] <= 50 + (Pool.MAX_PIPELINE_DEPTH + 1) * 2 * 5,
                    "at most (max pipeline depth + 1) x workers chunks ahead: produced " + produced[0]);
            Iterator<Long> unordered = pool.imapUnordered(x -> x + 1, List.of(1L, 2L, 3L, 4L).iterator(), 1);
            Set<Long> got = new HashSet<>();
            unordered.forEachRemaining(got::add);
            assertEquals(Set.of(2L, 3L, 4L, 5L), got);
        }
    }

    @Test
    @Timeout(180)
    void statesCloseJoinTerminate() throws Exception {
        Pool pool = Pool.create(1);
        assertEquals(Pool.State.RUNNING, pool.state());
        CompletableFuture<Integer> queued = pool.submit(() -> 5);
        pool.close();
        assertEquals(5, queued.get(10, TimeUnit.SECONDS), "queued tasks finish after close()");
        assertEquals(Pool.State.TERMINATED, pool.state());
        assertThrows(IllegalStateException.class, () -> pool.submit(() -> 1));

        Pool p2 = Pool.create(1);
        List<Long> pids = p2.workerPids();
        CompletableFuture<Integer> busy = p2.submit(() -> {
            Thread.sleep(600_000);
            return 1;
        });
        CompletableFuture<Integer> waiting = p2.submit(() -> 2);
        Thread.sleep(300);
        p2.terminate();
        assertTrue(failureOf(waiting) instanceof CancellationException);
        assertTrue(failureOf(busy) != null);
        assertTrue(p2.awaitTermination(Duration.ofSeconds(10)));
        for (long pid : pids) assertTrue(!alive(pid), "terminate() left worker " + pid);
    }

    @Test
    @Timeout(120)
    void aNonSerializableResultFailsOnlyThatTask() throws Exception {
        try (Pool pool = Pool.create(1)) {
            Throwable t = failureOf(pool.submit(() -> new Object()));
            assertInstanceOf(RemoteException.class, t);
            assertInstanceOf(NotSerializableTaskException.class, t.getCause());
            assertEquals(1, pool.submit(() -> 1).get(60, TimeUnit.SECONDS));
        }
    }
}
