package io.shmarray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shmarray.runtime.WorkerProcess;
import io.shmarray.testing.NoLeaks;
import io.shmarray.testing.TestSupport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Queue, pipe and synchronisation primitives across processes. */
@ExtendWith(NoLeaks.class)
class QueueAndSyncTest {

    @Test
    @Timeout(120)
    void aQueueTravelsThroughAnotherQueueToAProcessStartedLater() throws Exception {
        try (SharedQueue<Object> mailbox = SharedQueue.create(1 << 16);
             SharedQueue<String> replies = SharedQueue.create(1 << 16)) {
            mailbox.put(replies); // a queue inside a queue: travels as a handle
            WorkerProcess<Void> later = WorkerProcess.start(() -> {
                @SuppressWarnings("unchecked")
                SharedQueue<String> r = (SharedQueue<String>) mailbox.take();
                r.put("hello from " + ProcessHandle.current().pid());
                return null;
            });
            String msg = replies.poll(Duration.ofSeconds(60));
            assertTrue(msg != null && msg.equals("hello from " + later.pid()), String.valueOf(msg));
            later.result();
        }
    }

    @Test
    @Timeout(300)
    void twoProducersTwoConsumersLoseAndDuplicateNothing() throws Exception {
        int n = 100_000;
        try (SharedQueue<Integer> q = SharedQueue.create(1 << 16); SharedIntArray seen = SharedIntArray.create(2 * n)) {
            List<WorkerProcess<Integer>> procs = new ArrayList<>();
            for (int p = 0; p < 2; p++) {
                int base = p * n;
                procs.add(WorkerProcess.start(() -> {
                    for (int i = 0; i < n; i++) q.put(base + i);
                    q.put(-1); // one end marker per producer
                    return 0;
                }));
            }
            for (int c = 0; c < 2; c++) {
                procs.add(WorkerProcess.start(() -> {
                    int got = 0;
                    while (true) {
                        int v = q.take();
                        if (v < 0) return got;
                        seen.getAndAdd(v, 1);
                        got++;
                    }
                }));
            }
            long total = 0;
            for (WorkerProcess<Integer> p : procs) total += p.result();
            assertEquals(2L * n, total);
            for (int i = 0; i < 2 * n; i++) assertEquals(1, seen.get(i), "item " + i);
        }
    }

    @Test
    @Timeout(120)
    void aProcessDyingInsideAQueueOperationLeavesItUsable() throws Exception {
        try (SharedQueue<String> q = SharedQueue.create(4096)) {
            q.put("before");
            TestSupport.Run r = TestSupport.runChild(List.of(), QueueProbe.class.getName(), List.of(q.name()), 90);
            assertTrue(r.output.contains("HOLDING"), r.toString());
            assertEquals(9, r.exitCode);
            assertEquals("before", q.poll(Duration.ofSeconds(10)), "the dead holder's lock was recovered");
            q.put("after");
            assertEquals("after", q.take());
            assertEquals(0, q.size());
        }
    }

    @Test
    @Timeout(60)
    void everyBlockingCallTimesOut() throws Exception {
        try (SharedQueue<byte[]> q = SharedQueue.create(256);
             SharedSemaphore none = SharedSemaphore.create(0);
             SharedEvent e = SharedEvent.create();
             SharedBarrier b = SharedBarrier.create(2)) {
            long t0 = System.nanoTime();
            assertNull(q.poll(Duration.ofMillis(100)));
            assertTrue(q.offer(new byte[150], Duration.ofMillis(100)));
            assertFalse(q.offer(new byte[150], Duration.ofMillis(100)), "full");
            assertThrows(IllegalArgumentException.class, () -> q.offer(new byte[1000], Duration.ZERO), "can never fit");
            assertFalse(none.tryAcquire(Duration.ofMillis(100)));
            assertFalse(e.await(Duration.ofMillis(100)));
            assertFalse(b.await(Duration.ofMillis(100)), "nobody else came");
            assertTrue(System.nanoTime() - t0 >= 500_000_000L);
            e.set();
            assertTrue(e.await(Duration.ZERO));
            none.release();
            assertTrue(none.tryAcquire(Duration.ZERO));
        }
    }

    @Test
    @Timeout(180)
    void primitivesWorkAcrossProcesses() throws Exception {
        try (SharedValue counter = SharedValue.ofLong(0);
             SharedValue sum = SharedValue.ofDouble(0);
             SharedSemaphore mutex = SharedSemaphore.create(1);
             SharedLongArray plain = SharedLongArray.create(1);
             SharedBarrier barrier = SharedBarrier.create(3);
             SharedEvent go = SharedEvent.create();
             SharedPipe<String> here = SharedPipe.create(4096)) {
            SharedPipe<String> there = here.otherEnd();
            List<WorkerProcess<String>> procs = new ArrayList<>();
            for (int p = 0; p < 2; p++) {
                procs.add(WorkerProcess.start(() -> {
                    assertTrue(go.await(Duration.ofSeconds(60)));
                    for (int i = 0; i < 2000; i++) {
                        counter.addAndGet(1L);
                        sum.addAndGet(0.5);
                        mutex.acquire(); // a semaphore as a mutex around a plain read-modify-write
                        plain.set(0, plain.get(0) + 1);
                        mutex.release();
                    }
                    if (!barrier.await(Duration.ofSeconds(60))) throw new IllegalStateException("barrier");
                    return "done";
                }));
            }
            procs.add(WorkerProcess.start(() -> {
                there.send("pong:" + there.receive());
                return "piped";
            }));
            go.set();
            here.send("ping");
            assertEquals("pong:ping", here.poll(Duration.ofSeconds(60)));
            assertTrue(barrier.await(Duration.ofSeconds(60)));
            assertEquals(List.of("done", "done", "piped"), Arrays.asList(procs.get(0).result(), procs.get(1).result(),
                    procs.get(2).result()));
            assertEquals(4000, counter.getLong());
            assertEquals(2000.0, sum.getDouble());
            assertEquals(4000, plain.get(0));
        }
    }

    @Test
    @Timeout(120)
    void putToTakeLatencyBetweenTwoProcesses() throws Exception {
        int rounds = 2000;
        try (SharedQueue<Long> ping = SharedQueue.create(4096); SharedQueue<Long> pong = SharedQueue.create(4096)) {
            WorkerProcess<Void> echo = WorkerProcess.start(() -> {
                for (int i = 0; i < rounds + 100; i++) pong.put(ping.take());
                return null;
            });
            long[] rtt = new long[rounds];
            for (int i = 0; i < 100; i++) { // warm-up
                ping.put((long) i);
                pong.take();
            }
            for (int i = 0; i < rounds; i++) {
                long t0 = System.nanoTime();
                ping.put((long) i);
                assertEquals(i, pong.take());
                rtt[i] = System.nanoTime() - t0;
            }
            echo.result();
            Arrays.sort(rtt);
            System.out.printf("queue put->take one-way latency between two JVMs: median %.1f us, p90 %.1f us (%d round trips)%n",
                    rtt[rounds / 2] / 2000.0, rtt[rounds * 9 / 10] / 2000.0, rounds);
        }
    }
}
