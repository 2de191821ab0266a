package io.shmarray.runtime;

import static io.shmarray.testing.TestSupport.alive;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shmarray.NotSerializableTaskException;
import io.shmarray.SharedIntArray;
import io.shmarray.SharedLongArray;
import io.shmarray.testing.NoLeaks;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link Pool#asExecutorService()} keeps the JDK's ExecutorService contract. */
@ExtendWith(NoLeaks.class)
class PoolExecutorServiceTest {

    /** A serializable Callable (not a SerializableCallable), as code written against ExecutorService passes one. */
    static <T> Callable<T> task(SerializableCallable<T> c) {
        return (Callable<T> & Serializable) c::call;
    }

    @Test
    @Timeout(180)
    void submitInvokeAllInvokeAnyAndShutdownAsTheJdkDocuments() throws Exception {
        try (SharedIntArray ran = SharedIntArray.create(4); Pool pool = Pool.create(2)) {
            ExecutorService ex = pool.asExecutorService();
            long me = ProcessHandle.current().pid();
            Future<Long> pid = ex.submit((Callable<Long> & Serializable) () -> ProcessHandle.current().pid());
            assertTrue(pid.get(60, TimeUnit.SECONDS) != me, "ran in a worker");
            assertEquals("done", ex.submit((Runnable & Serializable) () -> ran.set(0, 1), "done").get(60, TimeUnit.SECONDS));
            assertEquals(1, ran.get(0));

            Callable<Integer> plain = () -> 1; // not Serializable
            NotSerializableTaskException e = assertThrows(NotSerializableTaskException.class, () -> ex.submit(plain));
            assertTrue(e.getMessage().contains("Serializable"), e.getMessage());

            List<Callable<Integer>> three = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int k = i;
                three.add(task(() -> k * 10));
            }
            List<Future<Integer>> all = ex.invokeAll(three);
            assertEquals(3, all.size());
            for (int i = 0; i < 3; i++) assertEquals(i * 10, all.get(i).get());

            List<Callable<Integer>> failing = List.of(task(() -> {
                throw new IllegalStateException("boom");
            }));
            ExecutionException ee = assertThrows(ExecutionException.class, () -> ex.invokeAll(failing).get(0).get());
            assertInstanceOf(RemoteException.class, ee.getCause());

            List<Callable<Integer>> race = List.of(task(() -> {
                Thread.sleep(60_000);
                return 1;
            }), task(() -> 2));
            assertEquals(2, ex.invokeAny(race), "the one that succeeds; the slow one is cancelled");
            assertThrows(ExecutionException.class, () -> ex.invokeAny(failing));
            assertThrows(TimeoutException.class, () -> ex.invokeAny(List.of(task(() -> {
                Thread.sleep(60_000);
                return 1;
            })), 500, TimeUnit.MILLISECONDS));

            List<Future<Integer>> timed = ex.invokeAll(List.of(task(() -> 5), task(() -> {
                Thread.sleep(60_000);
                return 6;
            })), 3, TimeUnit.SECONDS);
            assertEquals(5, timed.get(0).get());
            assertTrue(timed.get(1).isCancelled(), "not done in time: cancelled");

            assertEquals(7, ex.submit(task(() -> 7)).get(60, TimeUnit.SECONDS), "the pool serves after the cancels");
            assertFalse(ex.isShutdown());
            ex.shutdown();
            assertTrue(ex.isShutdown());
            assertThrows(RejectedExecutionException.class, () -> ex.submit(task(() -> 8)));
            assertTrue(ex.awaitTermination(30, TimeUnit.SECONDS));
            assertTrue(ex.isTerminated());
        }
    }

    @Test
    @Timeout(180)
    void shutdownNowStopsTheRunningAndReturnsTheQueued() throws Exception {
        try (SharedLongArray pids = SharedLongArray.create(1); Pool pool = Pool.create(1)) {
            ExecutorService ex = pool.asExecutorService();
            Future<Integer> running = ex.submit(task(() -> {
                pids.setVolatile(0, ProcessHandle.current().pid());
                Thread.sleep(60_000);
                return 1;
            }));
            Future<Integer> queued = ex.submit(task(() -> 2));
            long pid = PoolTest.awaitPid(pids, 0);
            List<Runnable> never = ex.shutdownNow();
            assertEquals(1, never.size(), "the queued task never started");
            assertThrows(CancellationException.class, () -> queued.get(10, TimeUnit.SECONDS));
            assertThrows(ExecutionException.class, () -> running.get(30, TimeUnit.SECONDS), "its worker was killed");
            assertTrue(ex.awaitTermination(30, TimeUnit.SECONDS));
            assertTrue(ex.isTerminated());
            assertTrue(!alive(pid), "no worker left");
        }
    }
}
