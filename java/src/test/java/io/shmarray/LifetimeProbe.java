package io.shmarray;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.ObjectOutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Child-JVM entry points for the lifetime, lock and fault tests. Prints result lines. */
public final class LifetimeProbe {
    private LifetimeProbe() {}

    static void waitForever() throws InterruptedException {
        Thread.sleep(Long.MAX_VALUE);
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "close-without-fds": { // an owner closes its array when no descriptor is left
                SharedDoubleArray a = SharedDoubleArray.create(1000);
                String name = a.name();
                java.util.List<java.io.FileInputStream> hogs = new java.util.ArrayList<>();
                try {
                    while (true) hogs.add(new java.io.FileInputStream("/dev/null"));
                } catch (java.io.IOException exhausted) {
                    System.out.println("EXHAUSTED after " + hogs.size() + ": " + exhausted.getMessage());
                }
                a.close();
                for (java.io.FileInputStream h : hogs) h.close();
                System.out.println("EXISTS " + java.nio.file.Files.exists(java.nio.file.Path.of("/dev/shm", name)));
                break;
            }
            case "create-bytes": { // args: bytes. R24: run under an address-space limit
                long n = Long.parseLong(args[1]);
                try (SharedByteArray a = SharedByteArray.create(n)) {
                    System.out.println("CREATED " + a.name());
                } catch (ShmException | OutOfMemoryError e) {
                    System.out.println("REFUSED " + e.getClass().getName() + ": " + e.getMessage());
                }
                try (SharedByteArray small = SharedByteArray.create(4096)) {
                    small.set(0, (byte) 1);
                    System.out.println("STILL-WORKS");
                }
                break;
            }
            case "create-close-loop": { // args: count
                int n = Integer.parseInt(args[1]);
                for (int i = 0; i < n; i++) {
                    try (SharedDoubleArray a = SharedDoubleArray.create(1000)) {
                        a.set(0, i);
                    }
                }
                System.out.println("LOOPED " + n);
                break;
            }
            case "held-window-loop": { // args: millis. A window kept on a closed 100 MiB array
                java.util.concurrent.atomic.AtomicInteger explicit = new java.util.concurrent.atomic.AtomicInteger();
                for (java.lang.management.GarbageCollectorMXBean gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
                    ((javax.management.NotificationEmitter) gc).addNotificationListener((n, h) -> {
                        if (n.getType().equals(com.sun.management.GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)
                                && com.sun.management.GarbageCollectionNotificationInfo.from(
                                        (javax.management.openmbean.CompositeData) n.getUserData()).getGcCause().equals("System.gc()")) {
                            explicit.incrementAndGet();
                        }
                    }, null, null);
                }
                SharedDoubleArray big = SharedDoubleArray.create(100L << 17); // 100 MiB
                java.nio.DoubleBuffer window = big.asDoubleBuffer();
                window.put(7, 7.0);
                big.close();
                big = null; // the closed array object would keep its memory reachable too
                long end = System.nanoTime() + Long.parseLong(args[1]) * 1_000_000L;
                int created = 0;
                while (System.nanoTime() < end) {
                    try (SharedDoubleArray a = SharedDoubleArray.create(1000)) {
                        a.set(0, created++);
                    }
                }
                Thread.sleep(300); // notifications arrive on their own thread
                System.out.println("LOOP collections=" + explicit.get() + " created=" + created + " softLimit="
                        + io.shmarray.internal.MappedRegion.SOFT_LIMIT + " window=" + window.get(7));
                window = null; // let go: the pages come back within the backoff
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (io.shmarray.internal.MappedRegion.pendingUnmapBytes() >= (100L << 20) && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                System.out.println("PENDING " + io.shmarray.internal.MappedRegion.pendingUnmapBytes());
                break;
            }
            case "create-and-wait": { // args: persistentName
                SharedDoubleArray a = SharedDoubleArray.create(1000);
                SharedIntArray b = SharedIntArray.create(10, 10);
                SharedLongArray p = SharedLongArray.createNamed(args[1], Lifetime.PERSISTENT, 4);
                a.set(0, 1);
                System.out.println("CREATED " + a.name() + " " + b.name() + " " + p.name());
                waitForever();
                break;
            }
            case "attach-and-wait": {
                SharedDoubleArray a = SharedDoubleArray.attach(args[1]);
                a.set(1, 2.5);
                System.out.println("ATTACHED " + a.name());
                waitForever();
                break;
            }
            case "attach-close": {
                try (SharedDoubleArray a = SharedDoubleArray.attach(args[1])) {
                    a.set(2, 7);
                }
                System.out.println("CLOSED");
                break;
            }
            case "lock-and-die": {
                SharedLongArray a = SharedLongArray.attach(args[1]);
                a.lock();
                a.set(0, 99); // half-done work
                System.out.println("LOCKED");
                System.out.flush();
                Runtime.getRuntime().halt(3); // dies holding the lock
                break;
            }
            case "lock-increment": {
                int n = Integer.parseInt(args[2]);
                try (SharedLongArray a = SharedLongArray.attach(args[1])) {
                    for (int i = 0; i < n; i++) {
                        try (ArrayLock held = a.lock()) {
                            a.set(0, a.get(0) + 1); // not atomic: only the lock makes it exact
                        }
                    }
                }
                System.out.println("INCREMENTED " + n);
                break;
            }
            case "create-for-adoption": { // args: handle file
                SharedDoubleArray a = SharedDoubleArray.create(100);
                a.set(0, 42);
                try (ObjectOutputStream out = new ObjectOutputStream(Files.newOutputStream(Path.of(args[1])))) {
                    out.writeObject(a.handle());
                }
                System.out.println("READY " + a.name());
                System.out.flush();
                new BufferedReader(new InputStreamReader(System.in)).readLine(); // until the parent says go
                System.out.println("EXITING");
                break; // exits without closing: ownership decides what happens to the name
            }
            case "truncate": {
                try (SharedDoubleArray a = SharedDoubleArray.create(100_000)) {
                    a.set(90_000, 1);
                    try (FileChannel ch = FileChannel.open(Path.of("/dev/shm", a.name()), StandardOpenOption.WRITE)) {
                        ch.truncate(8192); // another process shrinks it under us
                    }
                    try {
                        double v = a.get(90_000);
                        // JDK 17-21 deliver a fault in an element load asynchronously (see UnsafeMemory):
                        // it may surface here, after get() returned, as HotSpot's InternalError
                        System.out.println("NO-FAULT " + v);
                    } catch (SegmentTruncatedException e) {
                        System.out.println("TRUNCATED-OK " + e.getMessage());
                    } catch (InternalError e) {
                        boolean async = Runtime.version().feature() < 22
                                && String.valueOf(e.getMessage()).contains("unsafe memory access");
                        System.out.println((async ? "TRUNCATED-OK async " : "UNEXPECTED ") + e);
                    }
                    try {
                        a.toArray();
                        System.out.println("NO-FAULT-BULK");
                    } catch (SegmentTruncatedException e) {
                        System.out.println("TRUNCATED-BULK-OK");
                    }
                    System.out.println("early element " + a.get(0)); // the first pages are still there
                }
                break;
            }
            case "poisoned": {
                try (SharedLongArray a = SharedLongArray.attach(args[1])) {
                    a.get(0);
                    System.out.println("NOT-POISONED");
                } catch (PoisonedArrayException e) {
                    System.out.println("POISONED-SEEN");
                }
                break;
            }
            default:
                throw new IllegalArgumentException(args[0]);
        }
    }
}
