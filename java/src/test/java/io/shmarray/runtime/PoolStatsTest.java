package io.shmarray.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shmarray.SharedLongArray;
import io.shmarray.testing.NoLeaks;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@link Pool#stats()} and the JFR events of the runtime. */
@ExtendWith(NoLeaks.class)
class PoolStatsTest {

    @Test
    @Timeout(180)
    void statsCountJobsBytesAndReplacements() throws Exception {
        try (SharedLongArray pids = SharedLongArray.create(1); Pool pool = Pool.create(1)) {
            PoolStats s0 = pool.stats();
            assertEquals(new PoolStats(1, 0, 0, 0, 0, 0, s0.bytesSent(), s0.bytesReceived(), 1, 0), s0);
            for (int i = 0; i < 3; i++) assertEquals(Integer.valueOf(i), pool.<Integer, Integer>apply(x -> x, i));
            CompletableFuture<Integer> fails = pool.submit(() -> {
                throw new IllegalStateException("boom");
            });
            assertTrue(fails.handle((v, t) -> t != null).get(60, TimeUnit.SECONDS));
            assertEquals(List.of(2, 4, 6, 8), pool.map(x -> 2 * x, List.of(1, 2, 3, 4), 2)); // 2 chunks
            // one worker, busy: the next task waits in the queue and is cancelled there
            CompletableFuture<Integer> busy = pool.submit(() -> {
                pids.setVolatile(0, ProcessHandle.current().pid());
                Thread.sleep(600_000);
                return 0;
            });
            while (pids.getVolatile(0) == 0) Thread.sleep(10);
            CompletableFuture<Integer> queued = pool.submit(() -> 1);
            assertEquals(1, pool.stats().queued());
            queued.cancel(false);
            busy.cancel(true); // kills and replaces the worker
            assertEquals(9, pool.apply(() -> 9));
            PoolStats s = pool.stats();
            assertEquals(1, s.workers());
            assertEquals(0, s.queued());
            assertEquals(3 + 1 + 2 + 2 + 1, s.jobsSubmitted(), s.toString());
            assertEquals(3 + 2 + 1, s.jobsCompleted(), s.toString());
            assertEquals(1, s.jobsFailed(), s.toString());
            assertEquals(2, s.jobsCancelled(), s.toString());
            assertEquals(2, s.workersStarted(), s.toString());
            assertEquals(1, s.workerReplacements(), s.toString());
            assertTrue(s.bytesSent() > s0.bytesSent() + 500 && s.bytesReceived() > s0.bytesReceived() + 50, s.toString());
        }
    }

    @Test
    @Timeout(180)
    void jfrRecordsTasksAndWorkerStarts(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("run.jfr");
        long pid;
        try (Recording r = new Recording()) {
            r.enable(FlightEvents.TASK);
            r.enable(FlightEvents.WORKER_START);
            r.start();
            try (Pool pool = Pool.create(1)) {
                pid = pool.workerPids().get(0);
                assertEquals(1, pool.apply(() -> 1));
                assertEquals(List.of(1, 2, 3), pool.map(x -> x, List.of(1, 2, 3), 1));
                pool.submit(() -> {
                    throw new IllegalStateException("boom");
                }).handle((v, t) -> t).get(60, TimeUnit.SECONDS);
            }
            r.stop();
            r.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        List<RecordedEvent> starts = events.stream().filter(e -> e.getEventType().getName().equals(FlightEvents.WORKER_START))
                .collect(Collectors.toList());
        assertEquals(1, starts.size(), events.toString());
        assertEquals(pid, starts.get(0).getLong("workerPid"));
        assertTrue(starts.get(0).getDuration().toNanos() > 0);
        Map<String, Long> outcomes = events.stream().filter(e -> e.getEventType().getName().equals(FlightEvents.TASK))
                .peek(e -> assertEquals(pid, e.getLong("workerPid"), e.toString()))
                .collect(Collectors.groupingBy(e -> e.getString("kind") + ":" + e.getString("outcome"),
                        Collectors.counting()));
        assertEquals(Map.of("task:ok", 1L, "chunk:ok", 3L, "task:failed", 1L), outcomes, events.toString());
    }
}
