package io.shmarray;

import java.io.ObjectInputStream;
import java.nio.ReadOnlyBufferException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/** Child-JVM entry points for the cross-process array tests. Prints one result line. */
public final class ArrayProbe {
    private ArrayProbe() {}

    static Object readObject(String file) throws Exception {
        try (ObjectInputStream in = new ObjectInputStream(Files.newInputStream(Path.of(file)))) {
            return in.readObject();
        }
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "add-one": { // deserialize an array from a file, add 1 to each element in place
                try (SharedDoubleArray a = (SharedDoubleArray) readObject(args[1])) {
                    for (long i = 0; i < a.length(); i++) a.set(i, a.get(i) + 1);
                    System.out.println("ADDED " + a.length() + " " + Shmarray.backendName());
                }
                break;
            }
            case "atomic-add": { // hammer shared counters with getAndAdd
                Object[] arrays = (Object[]) readObject(args[1]);
                int n = Integer.parseInt(args[2]);
                SharedLongArray longs = (SharedLongArray) arrays[0];
                SharedIntArray ints = (SharedIntArray) arrays[1];
                SharedDoubleArray doubles = (SharedDoubleArray) arrays[2];
                for (int i = 0; i < n; i++) {
                    longs.getAndAdd(i & 3, 1);
                    ints.getAndAdd(0, 1);
                    if ((i & 15) == 0) doubles.getAndAdd(0, 1.0);
                }
                longs.close();
                ints.close();
                doubles.close();
                System.out.println("ATOMIC-DONE " + n);
                break;
            }
            case "readonly": { // writes through a read-only attachment must throw, not crash
                try (SharedDoubleArray ro = SharedDoubleArray.attach(args[1], AccessMode.READ_ONLY)) {
                    List<String> refused = new ArrayList<>();
                    try {
                        ro.set(0, 1);
                    } catch (UnsupportedOperationException e) {
                        refused.add("set");
                    }
                    try {
                        ro.asByteBuffer().putDouble(0, 1);
                    } catch (ReadOnlyBufferException e) {
                        refused.add("buffer");
                    }
                    System.out.println("REFUSED " + String.join(",", refused) + " read=" + ro.get(0));
                }
                break;
            }
            case "cow": { // private writes
                try (SharedDoubleArray cow = SharedDoubleArray.attach(args[1], AccessMode.COPY_ON_WRITE)) {
                    cow.set(0, 42);
                    System.out.println("COW " + cow.get(0));
                }
                break;
            }
            case "close-race": {
                int rounds = Integer.parseInt(args[1]);
                int ok = closeRace(rounds);
                System.out.println("RACE-OK " + ok + " " + Shmarray.backendName());
                break;
            }
            default:
                throw new IllegalArgumentException(args[0]);
        }
    }

    /**
     * Each round: readers on two threads spin on get/atomics/windows while the main thread closes
     * the array. Only "Already closed" exceptions may come out; a crash kills this JVM instead.
     */
    static int closeRace(int rounds) throws Exception {
        int ok = 0;
        for (int r = 0; r < rounds; r++) {
            SharedLongArray a = SharedLongArray.create(1 << 16);
            a.unlink(); // the name is not needed; the mapping is
            AtomicReference<Throwable> unexpected = new AtomicReference<>();
            CountDownLatch started = new CountDownLatch(2);
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                final int mode = t;
                Thread th = new Thread(() -> {
                    started.countDown();
                    long sum = 0;
                    try {
                        for (long i = 0; ; i = (i + 4099) & 0xFFFF) {
                            sum += mode == 0 ? a.get(i) : a.getAndAdd(i, 1);
                            if ((i & 0xFF) == 3) sum += a.asLongBuffer().get((int) i);
                        }
                    } catch (IllegalStateException e) {
                        if (e.getMessage() == null || !e.getMessage().startsWith("Already closed")) unexpected.set(e);
                    } catch (Throwable e) {
                        unexpected.set(e);
                    }
                    if (sum == 42) System.out.print(""); // keep the reads alive
                });
                th.start();
                readers.add(th);
            }
            started.await();
            Thread.sleep(r % 3);
            a.close();
            for (Thread th : readers) th.join(10_000);
            for (Thread th : readers) {
                if (th.isAlive()) throw new AssertionError("reader did not stop after close in round " + r);
            }
            if (unexpected.get() != null) throw new AssertionError("round " + r, unexpected.get());
            ok++;
        }
        return ok;
    }
}
