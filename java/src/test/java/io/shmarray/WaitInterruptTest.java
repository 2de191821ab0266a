package io.shmarray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shmarray.testing.NoLeaks;
import io.shmarray.testing.TestSupport;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Blocking calls behave like java.util.concurrent's: an interrupt ends the wait with
 * {@link WaitInterruptedException} (nothing taken, interrupt status kept), and virtual threads can
 * block on the shared primitives without pinning their carriers.
 */
@ExtendWith(NoLeaks.class)
class WaitInterruptTest {

    /** A blocking call, run on its own thread. */
    interface Wait {
        void run() throws Exception;
    }

    /** Starts {@code w}, interrupts it once it blocks, and returns what it threw and its interrupt status. */
    private static Object[] interruptWhileBlocked(Wait w) throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        boolean[] flagAfter = new boolean[1];
        CountDownLatch started = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            started.countDown();
            try {
                w.run();
            } catch (Throwable e) {
                thrown.set(e);
            }
            flagAfter[0] = Thread.currentThread().isInterrupted();
        });
        t.start();
        started.await();
        Thread.sleep(300); // blocked in the wait by now
        assertTrue(t.isAlive(), "the call did not block");
        long t0 = System.nanoTime();
        t.interrupt();
        t.join(5_000);
        assertFalse(t.isAlive(), "still blocked 5 s after the interrupt");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        return new Object[] {thrown.get(), flagAfter[0], ms};
    }

    private static void assertInterrupted(Object[] r) {
        Throwable e = (Throwable) r[0];
        assertTrue(e instanceof WaitInterruptedException, "threw " + e);
        assertTrue(e.getCause() instanceof InterruptedException, "cause " + e.getCause());
        assertTrue((boolean) r[1], "the interrupt status was cleared");
        assertTrue((long) r[2] < 2_000, "took " + r[2] + " ms to notice the interrupt");
    }

    @Test
    @Timeout(60)
    void everyBlockingCallEndsOnInterruptAndLosesNothing() throws Exception {
        try (SharedQueue<String> q = SharedQueue.create(64)) {
            assertInterrupted(interruptWhileBlocked(q::take));
            assertInterrupted(interruptWhileBlocked(() -> q.poll(Duration.ofMinutes(1))));
            // a full queue: put blocks; the item it was putting is not put
            q.put("x".repeat(20));
            q.put("y".repeat(20));
            long before = q.size();
            assertInterrupted(interruptWhileBlocked(() -> q.put("z".repeat(20))));
            assertEquals(before, q.size(), "the interrupted put put its item");
            assertEquals("x".repeat(20), q.take(), "the queue lost or reordered an item");
            assertEquals("y".repeat(20), q.take());
            assertNull(q.poll(Duration.ZERO));
            q.put("after");
            assertEquals("after", q.take(), "the queue is unusable after the interrupts");
        }
        try (SharedSemaphore s = SharedSemaphore.create(0)) {
            assertInterrupted(interruptWhileBlocked(s::acquire));
            assertEquals(0, s.availablePermits());
            s.release();
            assertTrue(s.tryAcquire(Duration.ZERO), "a permit released after the interrupt was not there");
        }
        try (SharedEvent ev = SharedEvent.create()) {
            assertInterrupted(interruptWhileBlocked(() -> ev.await(null)));
            ev.set();
            assertTrue(ev.await(Duration.ZERO));
        }
        try (SharedBarrier b = SharedBarrier.create(2)) {
            assertInterrupted(interruptWhileBlocked(() -> b.await(null)));
            // the interrupted party withdrew: two new arrivals trip it
            Thread other = new Thread(() -> b.await(Duration.ofSeconds(30)));
            other.start();
            assertTrue(b.await(Duration.ofSeconds(30)), "the barrier kept the interrupted party's arrival");
            other.join();
        }
        try (SharedLock lock = SharedLock.create()) {
            try (TestSupport.LockHolder holder = TestSupport.LockHolder.hold(lock::lock)) {
                assertInterrupted(interruptWhileBlocked(lock::lock));
            }
            try (ArrayLock h = lock.lock(Duration.ofSeconds(5))) {
                assertTrue(h != null);
            }
        }
    }

    @Test
    @Timeout(30)
    void aReleaseOnAnInterruptedThreadStillReleases() throws Exception {
        try (SharedSemaphore s = SharedSemaphore.create(0); SharedEvent ev = SharedEvent.create()) {
            Thread.currentThread().interrupt();
            try {
                s.release();
                ev.set();
            } finally {
                assertTrue(Thread.interrupted(), "the interrupt status was lost");
            }
            assertEquals(1, s.availablePermits());
            assertTrue(ev.isSet());
        }
    }

    /** {@code Thread.startVirtualThread}; skips the test, saying why, before JDK 21. */
    private static Method startVirtualThread() {
        try {
            return Thread.class.getMethod("startVirtualThread", Runnable.class);
        } catch (NoSuchMethodException e) {
            TestSupport.skip("this JVM (" + Runtime.version() + ") has no virtual threads (JDK 21+); the JDK 25 lane runs it");
            throw new AssertionError("unreachable", e);
        }
    }

    @Test
    @Timeout(120)
    void manyVirtualThreadsBlockOnAQueueWithoutStarvingTheProducer() throws Exception {
        Method start = startVirtualThread();
        // far more blocked consumers than carrier threads: a native wait would pin them all, and
        // the producer, itself a virtual thread, could never run
        int consumers = 64;
        try (SharedQueue<Integer> q = SharedQueue.create(1 << 16); SharedSemaphore done = SharedSemaphore.create(0);
             SharedIntArray got = SharedIntArray.create(consumers)) {
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < consumers; i++) {
                threads.add((Thread) start.invoke(null, (Runnable) () -> {
                    int v = q.take();
                    got.getAndAdd(v, 1);
                    done.release();
                }));
            }
            Thread.sleep(300); // all blocked in take()
            Thread producer = (Thread) start.invoke(null, (Runnable) () -> {
                for (int i = 0; i < consumers; i++) q.put(i);
            });
            for (int i = 0; i < consumers; i++) {
                assertTrue(done.tryAcquire(Duration.ofSeconds(30)), "only " + i + " consumers finished");
            }
            producer.join(10_000);
            for (Thread t : threads) t.join(10_000);
            for (int i = 0; i < consumers; i++) assertEquals(1, got.get(i), "item " + i + " taken " + got.get(i) + " times");
        }
    }

    @Test
    @Timeout(60)
    void aVirtualThreadIsInterruptedOutOfATakeAndTheLockRefusesItWithAReason() throws Exception {
        Method start = startVirtualThread();
        try (SharedQueue<String> q = SharedQueue.create(1 << 10); SharedLock lock = SharedLock.create()) {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicReference<Throwable> lockError = new AtomicReference<>();
            Thread v = (Thread) start.invoke(null, (Runnable) () -> {
                try {
                    lock.lock(Duration.ofSeconds(1)).close();
                } catch (Throwable e) {
                    lockError.set(e);
                }
                try {
                    q.take();
                } catch (Throwable e) {
                    thrown.set(e);
                }
            });
            Thread.sleep(300);
            v.interrupt();
            v.join(5_000);
            assertFalse(v.isAlive());
            assertTrue(thrown.get() instanceof WaitInterruptedException, "threw " + thrown.get());
            Throwable le = lockError.get();
            assertTrue(le instanceof IllegalStateException && le.getMessage().contains("virtual thread"),
                    "lock() on a virtual thread gave " + le);
        }
    }
}
