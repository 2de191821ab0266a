package io.shmarray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shmarray.internal.SegmentHeaderDescriptor;
import io.shmarray.testing.NoLeaks;
import io.shmarray.testing.TestSupport;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.ObjectInputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Owner-scoped lifetime, the reaper, the sweep, and lock() with poisoning, across processes. */
@ExtendWith(NoLeaks.class)
class LifetimeAndLockTest {

    static final String PROBE = LifetimeProbe.class.getName();

    @TempDir
    Path tmp;

    static boolean exists(String name) {
        return Files.exists(Path.of("/dev/shm", name));
    }

    /** Polls (no blind sleep) until the condition holds or the time is up. */
    static boolean within(long millis, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) return true;
            Thread.sleep(20);
        }
        return condition.getAsBoolean();
    }

    /** Starts a probe JVM and returns it once it printed a line starting with {@code prefix}. */
    static Process startProbe(List<String> args, String prefix, String[] lineOut) throws Exception {
        List<String> cmd = new ArrayList<>(io.shmarray.internal.ChildJvm.command(PROBE, args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        StringBuilder seen = new StringBuilder();
        while ((line = r.readLine()) != null) {
            seen.append(line).append('\n');
            if (line.startsWith(prefix)) {
                lineOut[0] = line;
                Thread drain = new Thread(() -> {
                    try {
                        while (r.readLine() != null) {
                            // keep the pipe flowing
                        }
                    } catch (java.io.IOException ignored) {
                        // the child is gone
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return p;
            }
        }
        p.destroyForcibly();
        throw new AssertionError("probe ended before printing " + prefix + ":\n" + seen);
    }

    @Test
    void theOwnerRemovesTheNameOnCloseAndAttachersNever() throws Exception {
        SharedDoubleArray a = SharedDoubleArray.create(16);
        String name = a.name();
        assertTrue(a.isOwner());
        assertEquals(Lifetime.OWNER_SCOPED, a.lifetime());
        TestSupport.Run r = TestSupport.runChild(List.of("-D" + io.shmarray.internal.Attachments.SWEEP_PROPERTY + "=false"),
                PROBE, List.of("attach-close", name), 90); // (no sweep: it may log other tests' leftovers)
        assertEquals(0, r.exitCode, r.toString());
        assertEquals("CLOSED", r.output.strip(), "R5: an attacher's close warns about nothing, on stdout or stderr");
        assertTrue(exists(name), "an attacher closing removes nothing");
        assertEquals(7.0, a.get(2));
        try (SharedDoubleArray b = SharedDoubleArray.attach(name)) {
            assertTrue(b.isOwner(), "same mapping, same owner in this process");
        }
        assertTrue(exists(name), "the name lives until the owner's last array is closed");
        a.close();
        assertFalse(exists(name), "the owner's last close removed the name");
    }

    @Test
    void aHandleToAClosedOwnerScopedArraySaysWhy() {
        ArrayHandle h;
        try (SharedIntArray a = SharedIntArray.create(4)) {
            h = a.handle(); // e.g. still queued for a task
        }
        SegmentNotFoundException e = assertThrows(SegmentNotFoundException.class, h::attach);
        assertTrue(e.getMessage().contains("no longer exists") && e.getMessage().contains("PERSISTENT"), e.getMessage());
    }

    @Test
    @Timeout(120)
    void killingTheCreatorReclaimsItsSegmentsWithinFiveSeconds() throws Exception {
        String persistent = TestSupport.testName();
        String[] line = new String[1];
        // output to a file, not a pipe: the JDK closes a dead child's pipe, and the reaper writes after the death
        Path out = tmp.resolve("creator.out");
        Process creator = new ProcessBuilder(io.shmarray.internal.ChildJvm.command(PROBE,
                List.of("create-and-wait", persistent))).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        java.util.function.Supplier<String> output = () -> {
            try {
                return Files.readString(out);
            } catch (java.io.IOException e) {
                return "";
            }
        };
        assertTrue(within(60_000, () -> output.get().contains("CREATED ")), "probe did not start: " + output.get());
        line[0] = output.get().lines().filter(l -> l.startsWith("CREATED ")).findFirst().orElseThrow();
        String[] names = line[0].split(" ");
        try {
            for (int i = 1; i < names.length; i++) assertTrue(exists(names[i]), names[i]);
            long t0 = System.nanoTime();
            creator.destroyForcibly(); // SIGKILL: no shutdown hooks, no close()
            assertTrue(creator.waitFor(30, TimeUnit.SECONDS));
            assertTrue(within(5000, () -> !exists(names[1]) && !exists(names[2])),
                    "owner-scoped segments still there 5 s after kill -9");
            System.out.printf("reclaimed %s and %s %d ms after kill -9%n", names[1], names[2],
                    (System.nanoTime() - t0) / 1_000_000);
            // R4: with a log line each (the reaper writes to the dead creator's stderr, which we read)
            for (int i = 1; i <= 2; i++) {
                String expected = "shmarray-reaper: removed " + names[i] + " (owner pid " + creator.pid() + " exited)";
                assertTrue(within(5000, () -> output.get().contains(expected)), "no line '" + expected + "' in:\n"
                        + output.get());
            }
            assertTrue(exists(persistent), "a PERSISTENT segment outlives its creator");
            try (SharedLongArray p = SharedLongArray.attach(persistent)) {
                assertEquals(Lifetime.PERSISTENT, p.lifetime());
                assertFalse(p.isOwner());
                p.unlink();
            }
        } finally {
            creator.destroyForcibly();
            Files.deleteIfExists(Path.of("/dev/shm", persistent));
        }
    }

    @Test
    @Timeout(120)
    void killingAnAttacherLeavesTheSegmentAndItsData() throws Exception {
        try (SharedDoubleArray a = SharedDoubleArray.create(16)) {
            String[] line = new String[1];
            Process attacher = startProbe(List.of("attach-and-wait", a.name()), "ATTACHED", line);
            attacher.destroyForcibly();
            assertTrue(attacher.waitFor(30, TimeUnit.SECONDS));
            Thread.sleep(300); // give a (wrong) reaper every chance to act
            assertTrue(exists(a.name()));
            assertEquals(2.5, a.get(1), "the attacher's write survives it");
        }
    }

    @Test
    @Timeout(120)
    void aReceiverAdoptsASegmentSoItOutlivesTheCreator() throws Exception {
        Path file = tmp.resolve("handle.ser");
        List<String> cmd = io.shmarray.internal.ChildJvm.command(PROBE, List.of("create-for-adoption", file.toString()));
        Process creator = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(creator.getInputStream(), StandardCharsets.UTF_8));
        String ready = out.readLine();
        assertTrue(ready != null && ready.startsWith("READY"), String.valueOf(ready));
        ArrayHandle h;
        try (ObjectInputStream in = new ObjectInputStream(Files.newInputStream(file))) {
            h = (ArrayHandle) in.readObject();
        }
        try (SharedDoubleArray a = (SharedDoubleArray) h.attach()) {
            assertFalse(a.isOwner());
            a.adopt();
            assertTrue(a.isOwner());
            try (Writer w = new OutputStreamWriter(creator.getOutputStream(), StandardCharsets.UTF_8)) {
                w.write("go\n");
            }
            assertTrue(creator.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, creator.exitValue());
            Thread.sleep(300); // the creator's reaper has run by now, or never will
            assertTrue(exists(a.name()), "the adopted segment outlived its creator");
            assertEquals(42.0, a.get(0));
            String name = a.name();
            a.close();
            assertFalse(exists(name), "the adopter's close removed it");
        } finally {
            creator.destroyForcibly();
        }
    }

    /** A hand-made header: as shmarray writes it, with the creator and state given. */
    static byte[] header(long pid, long startTime, int state) throws Exception {
        String model = TestSupport.testName();
        byte[] h;
        try (SharedByteArray m = SharedByteArray.createNamed(model, Lifetime.PERSISTENT, 8)) {
            h = Files.readAllBytes(Path.of("/dev/shm", model));
            m.unlink();
        }
        ByteBuffer b = ByteBuffer.wrap(h).order(ByteOrder.nativeOrder());
        b.putLong(SegmentHeaderDescriptor.CREATOR_PID_OFFSET, pid);
        b.putLong(SegmentHeaderDescriptor.CREATOR_START_TIME_OFFSET, startTime);
        b.putInt(SegmentHeaderDescriptor.STATE_OFFSET, state);
        b.putInt(SegmentHeaderDescriptor.FLAGS_OFFSET, 0);
        return h;
    }

    private static long deadStart;

    /**
     * A process that ran and is gone, with its start time read while it ran (a long sleep, killed:
     * the first native call of a JVM may take longer than a short sleep lives).
     */
    static Process deadProcess() throws Exception {
        Process p = new ProcessBuilder("sleep", "60").start();
        deadStart = io.shmarray.internal.Backends.get().processStartTime((int) p.pid());
        assertTrue(deadStart >= 0, "start time of a running process: " + deadStart);
        p.destroyForcibly().waitFor();
        return p;
    }

    static void plant(String name, byte[] bytes) throws Exception {
        Path p = Path.of("/dev/shm", name);
        Files.write(p, bytes);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    @Timeout(60)
    void attachWaitsBoundedForAnUnpublishedSegmentAndTheSweepReclaimsIt() throws Exception {
        String name = TestSupport.testName();
        long me = ProcessHandle.current().pid();
        long start = io.shmarray.internal.Backends.get().processStartTime((int) me);
        plant(name, header(me, start, SegmentHeaderDescriptor.STATE_INITIALISING));
        try {
            System.setProperty("io.shmarray.notReadyWaitMillis", "300");
            long t0 = System.nanoTime();
            SegmentNotReadyException e = assertThrows(SegmentNotReadyException.class, () -> SharedArray.attach(name));
            long waited = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(waited >= 300 && waited < 5000, "waited " + waited + " ms");
            assertTrue(e.getMessage().contains("300 ms"), e.getMessage());
            assertFalse(Inventory.sweep(true).contains(name), "its creator (this process) is alive: not reclaimed");

            Process p = deadProcess();
            long pStart = deadStart;
            plant(name, header(p.pid(), pStart, SegmentHeaderDescriptor.STATE_INITIALISING));
            String report = Inventory.sweep(false);
            assertTrue(report.contains("reclaimed " + name) && report.contains("never published"), report);
            assertFalse(exists(name));
        } finally {
            System.clearProperty("io.shmarray.notReadyWaitMillis");
            Files.deleteIfExists(Path.of("/dev/shm", name));
        }
    }

    @Test
    @Timeout(120)
    void theStartupSweepReclaimsADeadOwnersSegmentWithALogLine() throws Exception {
        String name = TestSupport.testName();
        Process p = deadProcess();
        long pStart = deadStart;
        byte[] h = header(p.pid(), pStart, SegmentHeaderDescriptor.STATE_READY);
        byte[] file = new byte[8192];
        System.arraycopy(h, 0, file, 0, 512);
        plant(name, file);
        // R23: beside it, a corrupt leftover (our magic, an unknown format version) and a live owner's segment
        String corrupt = TestSupport.testName();
        byte[] bad = file.clone();
        ByteBuffer.wrap(bad).order(ByteOrder.nativeOrder()).putInt(SegmentHeaderDescriptor.FORMAT_VERSION_OFFSET, 99);
        plant(corrupt, bad);
        String live = TestSupport.testName();
        long me = ProcessHandle.current().pid();
        byte[] mine = file.clone();
        System.arraycopy(header(me, io.shmarray.internal.Backends.get().processStartTime((int) me),
                SegmentHeaderDescriptor.STATE_READY), 0, mine, 0, 512);
        plant(live, mine);
        try {
            TestSupport.Run r = TestSupport.runChild(List.of(), PROBE, List.of("poisoned", TestSupport.testName()), 90);
            // the probe fails to attach (no such name), but its first use swept /dev/shm
            assertTrue(r.output.contains("removed stale segment " + name + " owner=" + p.pid()), r.toString());
            assertFalse(exists(name));
            assertTrue(r.output.contains("left alone /dev/shm/" + corrupt), "corrupt leftovers: logged: " + r);
            assertTrue(exists(corrupt), "corrupt leftovers: ignored, never removed");
            assertTrue(exists(live), "a live owner's segment is left alone");
            assertFalse(r.output.contains(live), "and not even mentioned: " + r);
        } finally {
            Files.deleteIfExists(Path.of("/dev/shm", name));
            Files.deleteIfExists(Path.of("/dev/shm", corrupt));
            Files.deleteIfExists(Path.of("/dev/shm", live));
        }
    }

    /**
     * R24: under a real address-space limit ({@code prlimit --as}, as {@code ulimit -v}), an array
     * that cannot be mapped is a typed error naming the size, nothing half-created remains (the
     * leak check of this class sees /dev/shm), and smaller arrays still work.
     */
    @Test
    @Timeout(120)
    void anAddressSpaceLimitIsATypedErrorAndLeavesNothing() throws Exception {
        Path prlimit = Path.of("/usr/bin/prlimit");
        if (!Files.isExecutable(prlimit)) {
            TestSupport.skip("no /usr/bin/prlimit (util-linux) to set an address-space limit");
            return;
        }
        List<String> cmd = new ArrayList<>(List.of(prlimit.toString(), "--as=" + (3L << 30), "--"));
        List<String> jvm = new ArrayList<>(io.shmarray.internal.ChildJvm.command(PROBE,
                List.of("create-bytes", Long.toString(4L << 30))));
        // a JVM that fits in 3 GiB of address space: small heap, code cache and class space
        jvm.addAll(1, List.of("-Xmx128m", "-XX:ReservedCodeCacheSize=64m", "-XX:CompressedClassSpaceSize=64m",
                "-XX:MaxMetaspaceSize=128m", "-Xss512k", "-XX:-UseAdaptiveSizePolicy"));
        cmd.addAll(jvm);
        TestSupport.Run r = TestSupport.run(cmd, java.util.Map.of(), 90);
        assertEquals(0, r.exitCode, r.toString());
        assertTrue(r.output.contains("REFUSED io.shmarray."), "a typed ShmException, not a crash: " + r);
        assertTrue(r.output.contains("4.0 GiB") && r.output.contains("ulimit -v: 3.0 GiB"),
                "the message names the size and the limit: " + r);
        assertTrue(r.output.contains("STILL-WORKS"), r.toString());
    }

    /** Owner identity includes the boot: a segment whose owner ran in an earlier boot is reclaimed. */
    @Test
    @Timeout(120)
    void anOwnerOfAnEarlierBootIsDeadEvenWhenItsPidAndStartTimeLive() throws Exception {
        try (SharedByteArray probe = SharedByteArray.create(8)) {
            byte[] raw = Files.readAllBytes(Path.of("/dev/shm", probe.name()));
            long recorded = ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder())
                    .getLong(SegmentHeaderDescriptor.CREATOR_BOOT_OFFSET);
            assertEquals(io.shmarray.internal.Platform.bootId(), recorded, "Java and C compute the same boot digest");
            assertTrue(recorded != 0);
        }
        String name = TestSupport.testName();
        long me = ProcessHandle.current().pid();
        byte[] h = header(me, io.shmarray.internal.Backends.get().processStartTime((int) me),
                SegmentHeaderDescriptor.STATE_READY); // this live process...
        ByteBuffer.wrap(h).order(ByteOrder.nativeOrder()).putLong(SegmentHeaderDescriptor.CREATOR_BOOT_OFFSET,
                io.shmarray.internal.Platform.bootId() ^ 1); // ...as recorded by an earlier boot
        byte[] file = new byte[8192];
        System.arraycopy(h, 0, file, 0, 512);
        plant(name, file);
        try {
            TestSupport.Run r = TestSupport.runChild(List.of(), PROBE, List.of("poisoned", TestSupport.testName()), 90);
            assertTrue(r.output.contains("removed stale segment " + name + " owner=" + me + " (earlier boot)"), r.toString());
            assertFalse(exists(name));
        } finally {
            Files.deleteIfExists(Path.of("/dev/shm", name));
        }
    }

    // ------------------------------------------------------------------ lock()

    @Test
    @Timeout(60)
    void lockExcludesOtherThreadsAndIsConfinedToItsThread() throws Exception {
        try (SharedLongArray a = SharedLongArray.create(4)) {
            try (TestSupport.LockHolder holder = TestSupport.LockHolder.hold(a::lock)) {
                long t0 = System.nanoTime();
                assertThrows(LockTimeoutException.class, () -> a.lock(Duration.ofMillis(100)));
                assertTrue(System.nanoTime() - t0 >= 100_000_000L);
            }
            ArrayLock mine = a.lock(Duration.ofSeconds(5));
            assertThrows(IllegalStateException.class, () -> a.lock(Duration.ZERO), "no self-deadlock");
            CompletableFuture<Throwable> elsewhere = CompletableFuture.supplyAsync(() -> {
                try {
                    mine.close();
                    return null;
                } catch (Throwable e) {
                    return e;
                }
            });
            assertTrue(elsewhere.get() instanceof IllegalStateException, "released on another thread");
            mine.close();
            mine.close();
            try (ArrayLock again = a.lock(Duration.ZERO)) {
                assertEquals(a, again.array());
            }
        }
    }

    @Test
    void lockIsRefusedWhereItCannotWork() throws Exception {
        try (SharedIntArray a = SharedIntArray.create(4)) {
            try (SharedIntArray ro = SharedIntArray.attach(a.name(), AccessMode.READ_ONLY);
                 SharedIntArray cow = SharedIntArray.attach(a.name(), AccessMode.COPY_ON_WRITE)) {
                assertThrows(UnsupportedOperationException.class, ro::lock);
                assertThrows(UnsupportedOperationException.class, cow::lock);
            }
            java.lang.reflect.Method startVirtual;
            try {
                startVirtual = Thread.class.getMethod("startVirtualThread", Runnable.class);
            } catch (NoSuchMethodException e) {
                TestSupport.skip("virtual threads need JDK 21+; this is JDK " + Runtime.version().feature());
                return;
            }
            Throwable[] seen = new Throwable[1];
            Thread v = (Thread) startVirtual.invoke(null, (Runnable) () -> {
                try {
                    a.lock().close();
                } catch (Throwable t) {
                    seen[0] = t;
                }
            });
            v.join();
            assertTrue(seen[0] instanceof IllegalStateException && seen[0].getMessage().contains("platform thread"),
                    String.valueOf(seen[0]));
        }
    }

    @Test
    @Timeout(180)
    void twoProcessesIncrementUnderTheLockExactly() throws Exception {
        try (SharedLongArray counter = SharedLongArray.create(1)) {
            int n = 2000;
            List<CompletableFuture<TestSupport.Run>> runs = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                runs.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return TestSupport.runChild(List.of(), PROBE, List.of("lock-increment", counter.name(), "" + n), 150);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            for (CompletableFuture<TestSupport.Run> f : runs) {
                TestSupport.Run r = f.get(160, TimeUnit.SECONDS);
                assertEquals(0, r.exitCode, r.toString());
            }
            assertEquals(2L * n, counter.get(0));
        }
    }

    @Test
    @Timeout(120)
    void aHolderDyingPoisonsTheArrayUntilRecovered() throws Exception {
        try (SharedLongArray a = SharedLongArray.create(8)) {
            TestSupport.Run r = TestSupport.runChild(List.of(), PROBE, List.of("lock-and-die", a.name()), 90);
            assertEquals(3, r.exitCode, r.toString());
            assertTrue(r.output.contains("LOCKED"), r.toString());
            assertFalse(a.isPoisoned(), "nobody knows yet: nobody took the lock");

            LockOwnerDiedException died = assertThrows(LockOwnerDiedException.class, () -> a.lock(Duration.ofSeconds(10)));
            assertTrue(died.getMessage().contains("recover()"), died.getMessage());
            assertTrue(a.isPoisoned());
            assertThrows(PoisonedArrayException.class, () -> a.get(0));
            assertThrows(PoisonedArrayException.class, () -> a.set(0, 1));
            assertThrows(PoisonedArrayException.class, a::toArray);
            assertThrows(PoisonedArrayException.class, () -> a.lock(Duration.ofSeconds(10)));

            TestSupport.Run other = TestSupport.runChild(List.of(), PROBE, List.of("poisoned", a.name()), 90);
            assertTrue(other.output.contains("POISONED-SEEN"), "another process sees the poison: " + other);

            a.recover(); // after checking the data
            assertFalse(a.isPoisoned());
            assertEquals(99, a.get(0), "the dead holder's write is there; now trusted by decision");
            try (ArrayLock held = a.lock(Duration.ofSeconds(10))) {
                a.set(0, 0);
            }
        }
    }

    // ------------------------------------------------------------------ faults

    @Test
    @Timeout(120)
    void aSegmentTruncatedUnderAReaderIsATypedErrorNotACrash() throws Exception {
        TestSupport.Run r = TestSupport.runChild(List.of("-XX:ErrorFile=" + tmp.resolve("hs_err_%p.log")), PROBE,
                List.of("truncate"), 90);
        try (java.util.stream.Stream<Path> s = Files.list(tmp)) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().startsWith("hs_err")), "the JVM crashed: " + r);
        }
        assertEquals(0, r.exitCode, r.toString());
        assertTrue(r.output.contains("TRUNCATED-OK"), r.toString());
        assertFalse(r.output.contains("UNEXPECTED"), r.toString());
        if (Runtime.version().feature() >= 22) {
            assertFalse(r.output.contains("async"), "JDK 22+ reports the fault synchronously, typed: " + r);
        }
        assertTrue(r.output.contains("TRUNCATED-BULK-OK"), r.toString());
        assertTrue(r.output.contains("early element 0.0"), r.toString());
    }

    @Test
    void aPlantedSymlinkNeverBecomesTheSegment() throws Exception {
        String name = TestSupport.testName();
        Path target = tmp.resolve("target");
        Files.write(target, new byte[8192]);
        Files.createSymbolicLink(Path.of("/dev/shm", name), target);
        try {
            assertThrows(SegmentExistsException.class, () -> SharedDoubleArray.createNamed(name, 4));
            assertThrows(SegmentAccessException.class, () -> SharedDoubleArray.attach(name));
            assertEquals(8192, Files.size(target), "the link's target was not touched");
        } finally {
            Files.deleteIfExists(Path.of("/dev/shm", name));
        }
    }

    // ------------------------------------------------------------------ inventory

    @Test
    @Timeout(120)
    void inventoryListsOwnersAttachersAndLifetimes() throws Exception {
        String pname = TestSupport.testName();
        try (SharedFloatArray a = SharedFloatArray.create(3, 4);
             SharedByteArray p = SharedByteArray.createNamed(pname, Lifetime.PERSISTENT, 10)) {
            try {
                Inventory.Segment s = Inventory.inspect(a.name()).orElseThrow();
                assertEquals(DType.FLOAT, s.dtype());
                assertEquals(List.of(3L, 4L), java.util.Arrays.stream(s.shape()).boxed().toList());
                assertEquals(48, s.dataBytes());
                assertEquals(ProcessHandle.current().pid(), s.ownerPid());
                assertTrue(s.ownerAlive());
                assertFalse(s.persistent());
                assertTrue(s.attachers().contains(ProcessHandle.current().pid()), s.toString());
                assertTrue(Inventory.inspect(pname).orElseThrow().persistent());
                assertTrue(Inventory.list().stream().anyMatch(x -> x.name().equals(a.name())));
                TestSupport.Run ls = TestSupport.runChild(List.of(), "io.shmarray.cli.Main", List.of("ls"), 90);
                assertEquals(0, ls.exitCode, ls.toString());
                assertTrue(ls.output.contains(a.name()) && ls.output.contains("float32") && ls.output.contains("persistent"),
                        ls.toString());
                TestSupport.Run inspect = TestSupport.runChild(List.of(), "io.shmarray.cli.Main",
                        List.of("inspect", pname), 90);
                assertTrue(inspect.output.contains("lifetime    persistent"), inspect.toString());
                TestSupport.Run missing = TestSupport.runChild(List.of(), "io.shmarray.cli.Main",
                        List.of("inspect", TestSupport.testName()), 90);
                assertEquals(1, missing.exitCode, missing.toString());
            } finally {
                p.unlink();
            }
        }
    }

    // ------------------------------------------------------------------ numpy

    @Test
    @Timeout(120)
    void numpyAttachesToAJavaArrayByNameAndMutatesIt() throws Exception {
        if (!ArrayCrossProcessTest.pythonWithNumpy()) TestSupport.skip("python3 with numpy is not installed here");
        try (SharedDoubleArray a = SharedDoubleArray.create(2, 3)) {
            for (int i = 0; i < 6; i++) a.set(i, i);
            String script = String.join("\n",
                    "import sys, numpy as np",
                    "from multiprocessing import shared_memory, resource_tracker",
                    "shm = shared_memory.SharedMemory(name=sys.argv[1])",
                    "try:",
                    "    resource_tracker.unregister(shm._name, 'shared_memory')  # Python < 3.13: do not unlink at exit",
                    "except Exception:",
                    "    pass",
                    "a = np.ndarray((2, 3), dtype=np.float64, buffer=shm.buf, offset=int(sys.argv[2]))",
                    "a *= 10",
                    "print('PY-SUM', float(a.sum()))",
                    "del a",
                    "shm.close()");
            TestSupport.Run r = TestSupport.run(List.of("python3", "-c", script, a.name(), "" + a.segmentOffset()),
                    Map.of(), 60);
            assertEquals(0, r.exitCode, r.toString());
            assertTrue(r.output.contains("PY-SUM 150.0"), r.toString());
            for (int i = 0; i < 6; i++) assertEquals(i * 10.0, a.get(i));
            Thread.sleep(200);
            assertTrue(exists(a.name()), "Python's resource tracker did not remove the Java-owned segment");
        }
    }

    /** A correct create/close loop, however fast, prints nothing (the reaper used to complain). */
    @Test
    @Timeout(180)
    void aFastCreateCloseLoopIsSilent() throws Exception {
        TestSupport.Run r = TestSupport.runChild(List.of("-D" + io.shmarray.internal.Attachments.SWEEP_PROPERTY + "=false"),
                LifetimeProbe.class.getName(), List.of("create-close-loop", "3000"), 150);
        assertEquals(0, r.exitCode, r.toString());
        assertEquals("LOOPED 3000", r.output.strip(), "nothing but the probe's own line on stdout and stderr");
    }

    /**
     * Released memory kept reachable (a window on a closed 100 MiB array) does not make the
     * process collect again and again: a create/close loop asks for about one collection per
     * {@code SOFT_LIMIT} mappings plus a few backed-off looks (it asked every 100 ms before), and
     * the pages come back soon after the window is let go.
     */
    @Test
    @Timeout(120)
    void memoryKeptReachableAfterCloseCausesNoCollectionStorm() throws Exception {
        TestSupport.Run r = TestSupport.runChild(List.of(), LifetimeProbe.class.getName(),
                List.of("held-window-loop", "4000"), 90);
        assertEquals(0, r.exitCode, r.toString());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "LOOP collections=(\\d+) created=(\\d+) softLimit=(\\d+) window=7.0\\s+PENDING (\\d+)").matcher(r.output);
        assertTrue(m.find(), r.toString());
        int collections = Integer.parseInt(m.group(1));
        int created = Integer.parseInt(m.group(2));
        int maxMapCount = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/vm/max_map_count")).get(0).trim());
        assertEquals(Math.max(256, Math.min(8192, maxMapCount / 8)), Integer.parseInt(m.group(3)),
                "the soft limit is an eighth of vm.max_map_count (" + maxMapCount + "), at most 8192");
        int allowed = created / Integer.parseInt(m.group(3)) + 5;
        assertTrue(collections <= allowed, collections + " explicit collections in 4 s for " + created
                + " create/close; at most " + allowed);
        assertTrue(Long.parseLong(m.group(4)) < (100L << 20), "the 100 MiB came back once the window was let go: " + r);
    }

    /** R11: a generated name that turns out to be squatted is replaced by a fresh one, never adopted. */
    @Test
    void aSquattedGeneratedNameIsReplacedNotAdopted() throws Exception {
        String squatted = io.shmarray.internal.Names.generate();
        Path planted = Path.of("/dev/shm", squatted);
        Files.write(planted, new byte[4096]); // someone planted the name we are about to use
        try {
            io.shmarray.internal.Attachment a = io.shmarray.internal.Attachments.create(squatted, true, DType.LONG,
                    new long[] {8}, Lifetime.OWNER_SCOPED);
            try {
                assertTrue(!a.name().equals(squatted) && a.name().startsWith("shmarray-"), a.name());
                assertEquals(4096, Files.size(planted), "the planted file is left as it was");
            } finally {
                io.shmarray.internal.Attachments.release(a);
            }
            assertTrue(!Files.exists(Path.of("/dev/shm", a.name())), "the fresh segment went with its owner");
            SegmentExistsException named = org.junit.jupiter.api.Assertions.assertThrows(SegmentExistsException.class,
                    () -> SharedLongArray.createNamed(squatted, 8));
            assertTrue(named.getMessage().contains(squatted), "a name the user chose is never replaced: " + named);
        } finally {
            Files.deleteIfExists(planted);
        }
    }
}
