package io.shmarray.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shmarray.Explain;
import io.shmarray.NotSerializableTaskException;
import io.shmarray.ProtocolException;
import io.shmarray.SharedDoubleArray;
import io.shmarray.SharedIntArray;
import io.shmarray.testing.NoLeaks;
import io.shmarray.testing.TestSupport;
import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The process runtime: worker JVMs, results, failures, the channel and the codec. */
@ExtendWith(NoLeaks.class)
class WorkerProcessTest {

    @TempDir
    Path tmp;

    static int square(int x) {
        return x * x;
    }

    @Test
    @Timeout(120)
    void aTaskCapturingASharedArrayMutatesItInPlace() throws Exception {
        try (SharedDoubleArray a = SharedDoubleArray.create(1000)) {
            for (int i = 0; i < 1000; i++) a.set(i, i);
            WorkerProcess<Double> p = WorkerProcess.start(() -> {
                double s = 0;
                for (long i = 0; i < a.length(); i++) s += a.get(i);
                a.set(0, -1);
                return s;
            });
            assertEquals(499_500.0, p.result());
            assertEquals(-1.0, a.get(0), "the worker wrote into the parent's memory");
            assertTrue(p.join(Duration.ofSeconds(30)));
            assertEquals(0, p.exitCode().orElse(-1));
        }
    }

    @Test
    @Timeout(120)
    void methodReferencesWithArgumentsAndOptions() throws Exception {
        try (WorkerProcess<Integer> p = WorkerProcess.start(WorkerProcessTest::square, 12)) {
            assertEquals(144, p.result());
        }
        WorkerOptions opts = WorkerOptions.defaults().withJvmOptions("-Xmx64m").withProperty("app.mode", "batch")
                .withEnvironment("APP_COLOR", "green").withWorkingDirectory(tmp);
        try (WorkerProcess<String> p = WorkerProcess.start(opts, () -> System.getProperty("app.mode") + ","
                + System.getenv("APP_COLOR") + "," + Path.of("").toAbsolutePath() + ","
                + (Runtime.getRuntime().maxMemory() <= 64L << 20))) {
            assertEquals("batch,green," + tmp.toRealPath() + ",true", p.result());
        }
    }

    @Test
    @Timeout(120)
    void aTaskExceptionArrivesWithItsClassAndRemoteStackTrace() throws Exception {
        WorkerProcess<Object> p = WorkerProcess.start(() -> {
            throw new IllegalStateException("boom in the worker");
        });
        RemoteException e = assertThrows(RemoteException.class, p::result);
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertEquals("boom in the worker", e.getCause().getMessage());
        assertTrue(Arrays.stream(e.getCause().getStackTrace()).anyMatch(f -> f.getClassName().contains("WorkerProcessTest")),
                "the remote stack trace names the task's code");
    }

    static final class NotSerializableThing {
        final int x = 1;
    }

    @Test
    void aNonSerializableCaptureFailsBeforeAnythingStarts() {
        NotSerializableThing thing = new NotSerializableThing();
        long t0 = System.nanoTime();
        NotSerializableTaskException e = assertThrows(NotSerializableTaskException.class,
                () -> WorkerProcess.start(() -> thing.x));
        assertTrue((System.nanoTime() - t0) < 2_000_000_000L, "no JVM was started");
        assertTrue(e.getMessage().contains("captured value #1") && e.getMessage().contains("NotSerializableThing")
                && e.getMessage().contains("is not Serializable"), e.getMessage());
    }

    @Test
    @Timeout(120)
    void aNonSerializableResultFailsThatTaskWithItsOwnError() throws Exception {
        WorkerProcess<Object> p = WorkerProcess.start(() -> new NotSerializableThing());
        RemoteException e = assertThrows(RemoteException.class, p::result);
        assertInstanceOf(NotSerializableTaskException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("result"), e.getCause().getMessage());
    }

    @Test
    @Timeout(120)
    void workerDeathIsTypedWithTheExitCode() throws Exception {
        WorkerProcess<Object> exiting = WorkerProcess.start(() -> {
            System.err.println("about to exit 3");
            System.exit(3);
            return null;
        });
        WorkerDiedException e = assertThrows(WorkerDiedException.class, exiting::result);
        assertEquals(3, e.exitCode());
        assertTrue(e.stderrTail().contains("about to exit 3"), e.getMessage());

        WorkerProcess<Void> sleeper = WorkerProcess.start(() -> Thread.sleep(600_000));
        assertTrue(sleeper.isAlive());
        assertFalse(sleeper.join(Duration.ofMillis(200)));
        sleeper.kill();
        WorkerDiedException killed = assertThrows(WorkerDiedException.class, sleeper::result);
        assertEquals(128 + 9, killed.exitCode(), killed.getMessage());
        assertTrue(killed.getMessage().contains("signal 9"), killed.getMessage());
    }

    @Test
    @Timeout(120)
    void aWorkerThatCannotStartFailsInBoundedTime() {
        WorkerStartException bad = assertThrows(WorkerStartException.class, () ->
                WorkerProcess.start(WorkerOptions.defaults().withJvmOptions("-XX:+NoSuchShmarrayFlag"), () -> 1));
        assertEquals(1, bad.exitCode(), bad.getMessage());
        assertTrue(bad.stderrTail().contains("NoSuchShmarrayFlag"), bad.getMessage());
        WorkerStartException slow = assertThrows(WorkerStartException.class, () ->
                WorkerProcess.start(WorkerOptions.defaults().withStartTimeout(Duration.ofMillis(1)), () -> 1));
        assertTrue(slow.getMessage().contains("did not connect within 1 ms"), slow.getMessage());
    }

    @Test
    @Timeout(180)
    void tenMegabytesOfOutputDoNotDeadlock() throws Exception {
        TestSupport.Run r = TestSupport.runChild(List.of(), RuntimeProbe.class.getName(), List.of("print-10mb"), 170);
        assertEquals(0, r.exitCode, r.output.length() > 2000 ? r.output.substring(r.output.length() - 2000) : r.output);
        assertTrue(r.output.contains("RESULT 42"));
        assertTrue(r.output.length() > 20_000_000, "the worker's 10 MB on stdout and 10 MB on stderr reached the"
                + " parent: " + r.output.length());
        assertTrue(r.output.contains("err 99999 x"), "the last pumped stderr line arrived");
        assertTrue(r.output.contains("err 999"));
    }

    @Test
    @Timeout(120)
    void socketDirectoriesOfKilledJvmsAreRemovedByTheNextOne() throws Exception {
        // a JVM killed with kill -9 cannot remove its socket directory: the next one does
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path stale = Files.createDirectory(tmp.resolve(WorkerLauncher.SOCKET_DIR_PREFIX + gone.pid() + "-x1"));
        Files.writeString(stale.resolve("w1.sock"), "");
        Path running = Files.createDirectory(tmp.resolve(WorkerLauncher.SOCKET_DIR_PREFIX + ProcessHandle.current().pid() + "-x2"));
        Path foreign = Files.createDirectory(tmp.resolve(WorkerLauncher.SOCKET_DIR_PREFIX + "x3"));
        TestSupport.Run r = TestSupport.runChild(List.of("-Djava.io.tmpdir=" + tmp), RuntimeProbe.class.getName(),
                List.of("hello"), 90);
        assertEquals(0, r.exitCode, r.toString());
        assertTrue(r.output.contains("RESULT 42"), r.toString());
        assertFalse(Files.exists(stale), "the dead JVM's directory was removed");
        assertTrue(Files.exists(running), "a running JVM's directory stays");
        assertTrue(Files.exists(foreign), "a name without a pid stays");
        try (java.util.stream.Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith(WorkerLauncher.SOCKET_DIR_PREFIX))
                    .filter(p -> !p.equals(running) && !p.equals(foreign)).collect(java.util.stream.Collectors.toList()),
                    "the child removed its own directory at exit");
        }
    }

    @Test
    @Timeout(150)
    void aTwoHundredMegabyteCopyTravelsIntactBothWays() throws Exception {
        // Large frames once cost O(size^2) copying inside NIO (~40 s for this one), the stall limit
        // was a deadline for the whole frame, and a 200 MB byte[] inside a result exceeded a fixed
        // array cap. With a 1.5 s stall limit the frames must keep moving to arrive at all.
        TestSupport.Run r = TestSupport.runChild(List.of("-Dio.shmarray.frameStallMillis=1500"),
                RuntimeProbe.class.getName(), List.of("big-frame"), 120);
        assertEquals(0, r.exitCode, r.toString());
        assertTrue(r.output.contains("BACK 25000000 intact"), r.toString());
        System.out.println(r.output.lines().filter(l -> l.startsWith("BACK")).findFirst().orElse(""));
    }

    @Test
    @Timeout(120)
    void killingTheParentOfAPoolLeavesNoOrphanWorker() throws Exception {
        List<String> cmd = io.shmarray.internal.ChildJvm.command(RuntimeProbe.class.getName(), List.of("orphan-pool"));
        Process driver = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(driver.getInputStream()));
            String line;
            List<Long> workers = new java.util.ArrayList<>();
            while ((line = r.readLine()) != null) {
                if (line.startsWith("WORKERS")) {
                    for (String p : line.substring(7).trim().split(" ")) workers.add(Long.parseLong(p));
                    break;
                }
            }
            assertEquals(3, workers.size(), "the driver started a pool of 3");
            io.shmarray.internal.Backend b = io.shmarray.internal.Backends.get();
            long[] starts = workers.stream().mapToLong(w -> b.processStartTime(w.intValue())).toArray();
            driver.destroyForcibly();
            long t0 = System.nanoTime();
            for (int i = 0; i < workers.size(); i++) awaitDead(b, workers.get(i).intValue(), starts[i], t0);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("a pool's 3 orphaned workers exited within " + ms + " ms of their parent's kill -9");
            assertTrue(ms < 2000, "workers outlived their parent by " + ms + " ms");
        } finally {
            driver.destroyForcibly();
        }
    }

    /**
     * Waits (until 10 s after {@code t0}) for {@code pid} to be dead as shmarray defines it: an
     * exited process awaiting its reaping (a zombie, re-parented to init) is dead, where
     * {@code ProcessHandle.isAlive()} would count it until reaped.
     */
    static void awaitDead(io.shmarray.internal.Backend b, int pid, long start, long t0) throws InterruptedException {
        while (b.processAlive(pid, start) == 1 && System.nanoTime() - t0 < 10_000_000_000L) Thread.sleep(5);
    }

    @Test
    @Timeout(60)
    void killingTheParentLeavesNoOrphanWorker() throws Exception {
        List<String> cmd = io.shmarray.internal.ChildJvm.command(RuntimeProbe.class.getName(), List.of("orphan"));
        Process driver = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(driver.getInputStream()));
            String line;
            long worker = -1;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("WORKER ")) {
                    worker = Long.parseLong(line.substring(7).trim());
                    break;
                }
            }
            assertTrue(worker > 0, "the driver started a worker");
            io.shmarray.internal.Backend b = io.shmarray.internal.Backends.get();
            long start = b.processStartTime((int) worker);
            assertEquals(1, b.processAlive((int) worker, start));
            driver.destroyForcibly();
            long t0 = System.nanoTime();
            awaitDead(b, (int) worker, start, t0);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("orphaned worker exited " + ms + " ms after its parent's kill -9");
            assertTrue(ms < 2000, "worker outlived its parent by " + ms + " ms");
        } finally {
            driver.destroyForcibly();
        }
    }

    @Test
    void explainSaysWhatIsCopiedAndWhatIsShared() {
        try (SharedDoubleArray big = SharedDoubleArray.create(1_000_000)) {
            Integer factor = 3;
            SerializableCallable<Double> task = () -> big.get(0) * factor;
            Explain.Report r = Explain.explain(task);
            assertTrue(r.code().contains("travels by reference") && r.code().contains("WorkerProcessTest::lambda$"), r.code());
            assertEquals(2, r.parts().size());
            assertEquals(8_000_000, r.sharedBytes());
            assertTrue(r.wireBytes() < 3000, r.toString());
            assertTrue(r.parts().get(1).shared().isEmpty() && r.parts().get(1).type().equals("java.lang.Integer"));
            assertTrue(r.toString().contains("SHARED") && r.toString().contains(big.name()), r.toString());
        }
    }

    // ------------------------------------------------------------------ codec

    static byte[] serialize(Object o) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(b)) {
            out.writeObject(o);
        }
        return b.toByteArray();
    }

    @Test
    void theCodecBoundsArraysByWhatTheFrameCouldCarry() throws Exception {
        byte[] bytes = serialize(new byte[1000]);
        byte[] longs = serialize(new long[1000]);
        assertEquals(1000, ((byte[]) Codec.decode(bytes, 1100)).length, "a byte[] that fits the frame");
        assertEquals(1000, ((long[]) Codec.decode(longs, 9000)).length, "a long[] that fits the frame");
        // 8,000 bytes of longs cannot come in 1,100: refused when the length is read, before allocating
        ProtocolException e = assertThrows(ProtocolException.class, () -> Codec.decode(longs, 1100));
        assertTrue(e.getMessage().contains("rejected"), e.getMessage());
    }

    @Test
    void theCodecRejectsForbiddenClassesBeforeTheirCodeRuns() throws Exception {
        Path marker = tmp.resolve("marker");
        byte[] evil = serialize(new Evil(marker.toString()));
        System.setProperty(Codec.FILTER_PROPERTY, "!io.shmarray.runtime.Evil");
        try {
            assertThrows(ProtocolException.class, () -> Codec.decode(evil, 1 << 20));
            assertFalse(Files.exists(marker), "Evil.readObject must not have run");
        } finally {
            System.clearProperty(Codec.FILTER_PROPERTY);
        }
        // a JDK class outside the default allowlist
        byte[] jmx = serialize(new javax.management.BadAttributeValueExpException("x"));
        assertThrows(ProtocolException.class, () -> Codec.decode(jmx, 1 << 20));
        // limits: a stream claiming a 2^31-1 element array is refused before allocating it
        byte[] small = serialize(new byte[] {7});
        ByteBuffer.wrap(small).putInt(small.length - 5, Integer.MAX_VALUE);
        ProtocolException big = assertThrows(ProtocolException.class, () -> Codec.decode(small, 1L << 40));
        assertTrue(big.getMessage().contains("rejected"), big.getMessage());
        // stream bytes: an object after 10 kB of data in a stream limited to 1000 bytes
        assertThrows(ProtocolException.class, () -> Codec.decode(serialize(new Object[] {new byte[10_000], new int[1]}), 1000));
        // allowed types round-trip
        Object ok = Codec.decode(serialize(Map.of("k", List.of(1, 2.5, "s", new int[] {3}))), 1 << 20);
        assertEquals("s", ((List<?>) ((Map<?, ?>) ok).get("k")).get(2));
        assertThrows(ProtocolException.class, () -> Codec.decode(new byte[] {1, 2, 3, 4}, 1 << 20));
        // R16, deep graph: nesting past MAX_DEPTH is refused, just under it round-trips
        ProtocolException deep = assertThrows(ProtocolException.class,
                () -> Codec.decode(serialize(nested(Codec.MAX_DEPTH + 50)), 1 << 24));
        assertTrue(deep.getMessage().contains("rejected"), deep.getMessage());
        assertTrue(Codec.decode(serialize(nested(Codec.MAX_DEPTH - 10)), 1 << 24) instanceof List);
        // R16, references: more than MAX_REFS objects in one stream is refused
        Object[] many = new Object[Codec.MAX_REFS + 10];
        for (int i = 0; i < many.length; i++) many[i] = Long.valueOf(1000L + i); // all distinct objects
        assertThrows(ProtocolException.class, () -> Codec.decode(serialize(many), 1L << 31));
    }

    /** Lists nested {@code depth} levels deep. */
    private static List<Object> nested(int depth) {
        List<Object> l = new java.util.ArrayList<>();
        for (int i = 0; i < depth; i++) {
            List<Object> outer = new java.util.ArrayList<>();
            outer.add(l);
            l = outer;
        }
        return l;
    }

    // ------------------------------------------------------------------ channel

    /** A connected pair: server side channel and raw client socket. */
    private Channel[] serverFor(SocketChannel[] clientOut) throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("s" + System.nanoTime()));
        Path sock = dir.resolve("c.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX);
            client.connect(UnixDomainSocketAddress.of(sock));
            clientOut[0] = client;
            return new Channel[] {new Channel(server.accept(), 1 << 20)};
        }
    }

    @Test
    @Timeout(60)
    void unauthenticatedOrGarbledPeersAreDropped() throws Exception {
        byte[] secret = Channel.newSecret();
        java.nio.file.attribute.UserPrincipal me = Files.getOwner(tmp);

        // a 2 GiB frame length before authentication: refused, nothing allocated
        SocketChannel[] c = new SocketChannel[1];
        Channel s = serverFor(c)[0];
        c[0].write(ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).flip());
        ProtocolException huge = assertThrows(ProtocolException.class, () -> s.authenticateWorker(secret, me, 5000));
        assertTrue(huge.getMessage().contains("before authentication"), huge.getMessage());
        s.close();
        c[0].close();

        // a peer that does not know the secret
        Channel s2 = serverFor(c)[0];
        Channel forged = new Channel(c[0], 1 << 20);
        CompletableFuture<Throwable> client = CompletableFuture.supplyAsync(() -> {
            try {
                forged.authenticateParent(Channel.newSecret(), me, 5000);
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        ProtocolException wrong = assertThrows(ProtocolException.class, () -> s2.authenticateWorker(secret, me, 5000));
        assertTrue(wrong.getMessage().contains("does not know the secret"), wrong.getMessage());
        s2.close();
        forged.close();
        client.get(10, TimeUnit.SECONDS);

        // the right secret, then a truncated frame
        Channel s3 = serverFor(c)[0];
        Channel good = new Channel(c[0], 1 << 20);
        CompletableFuture<Void> ok = CompletableFuture.runAsync(() -> {
            try {
                good.authenticateParent(secret, me, 5000);
                c[0].configureBlocking(false);
                c[0].write(ByteBuffer.allocate(6).putInt(100).put((byte) 3).put((byte) 0).flip());
                c[0].close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        s3.authenticateWorker(secret, me, 5000);
        ok.get(10, TimeUnit.SECONDS);
        ProtocolException cut = assertThrows(ProtocolException.class, () -> s3.receive(5000));
        assertTrue(cut.getMessage().contains("truncated"), cut.getMessage());
        s3.close();
        good.close(); // its selector holds the closed client until it is closed too

        // silence: no frame within the timeout
        Channel s4 = serverFor(c)[0];
        ProtocolException quiet = assertThrows(ProtocolException.class, () -> s4.receive(100));
        assertTrue(quiet.getMessage().contains("no frame within"), quiet.getMessage());
        s4.close();
        c[0].close();
    }

    @Test
    @Timeout(180)
    void aWarmStandbyTakesTheNextTaskAtOnce() throws Exception {
        long cold0 = System.nanoTime();
        try (WorkerProcess<Long> cold = WorkerProcess.start(() -> ProcessHandle.current().pid())) {
            cold.result();
        }
        long coldMs = (System.nanoTime() - cold0) / 1_000_000;
        WorkerProcess.prestart();
        try {
            Thread.sleep(3000); // let the standby finish starting
            long warm0 = System.nanoTime();
            long standbyPid;
            try (WorkerProcess<Long> warm = WorkerProcess.start(() -> ProcessHandle.current().pid())) {
                standbyPid = warm.result();
            }
            long warmMs = (System.nanoTime() - warm0) / 1_000_000;
            System.out.printf("start to first result: cold %d ms, warm standby %d ms%n", coldMs, warmMs);
            try (WorkerProcess<Long> again = WorkerProcess.start(() -> ProcessHandle.current().pid())) {
                assertTrue(again.result() != standbyPid, "a new standby replaced the used one");
            }
        } finally {
            WorkerProcess.shutdownStandby();
        }
    }

    @Test
    @Timeout(120)
    void aPeerOfAnotherUserIsRefusedBeforeAnythingIsRead() throws Exception {
        if (!"0".equals(String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid")))) {
            TestSupport.skip("needs root to run a client as another uid (setpriv)");
        }
        if (!Files.isExecutable(Path.of("/usr/bin/setpriv"))) TestSupport.skip("setpriv is not installed");
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "shmarray-peer");
        try {
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
            Path sock = dir.resolve("x.sock");
            Path client = dir.resolve("Client.java");
            Files.writeString(client, "import java.net.*; import java.nio.*; import java.nio.channels.*;\n"
                    + "public class Client { public static void main(String[] a) throws Exception {\n"
                    + "  SocketChannel s = SocketChannel.open(StandardProtocolFamily.UNIX);\n"
                    + "  s.connect(UnixDomainSocketAddress.of(a[0]));\n"
                    + "  s.write(ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).flip());\n"
                    + "  Thread.sleep(20000); } }\n");
            Files.setPosixFilePermissions(client, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(UnixDomainSocketAddress.of(sock));
                Files.setPosixFilePermissions(sock, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
                Process nobody = new ProcessBuilder("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                        javaBin, "-Djava.io.tmpdir=" + dir, client.toString(), sock.toString())
                        .redirectErrorStream(true).start();
                try {
                    server.configureBlocking(false);
                    SocketChannel sc = null;
                    long end = System.nanoTime() + 60_000_000_000L;
                    while (sc == null && System.nanoTime() < end && nobody.isAlive()) {
                        sc = server.accept();
                        if (sc == null) Thread.sleep(20);
                    }
                    assertTrue(sc != null, "the client never connected: " + new String(nobody.getInputStream().readNBytes(
                            nobody.getInputStream().available())));
                    Channel c = new Channel(sc, 1 << 20);
                    ProtocolException e = assertThrows(ProtocolException.class,
                            () -> c.authenticateWorker(Channel.newSecret(), Files.getOwner(Path.of("/proc/self")), 5000));
                    assertTrue(e.getMessage().contains("peer runs as") && e.getMessage().contains("refused"), e.getMessage());
                    c.close();
                } finally {
                    nobody.destroyForcibly();
                }
            }
        } finally {
            try (java.util.stream.Stream<Path> st = Files.list(dir)) {
                st.forEach(p -> p.toFile().delete());
            }
            Files.deleteIfExists(dir);
        }
    }

    @Test
    @Timeout(180)
    void anArrayAWorkerCreatesAndReturnsOutlivesTheWorker() throws Exception {
        WorkerProcess<SharedDoubleArray> p = WorkerProcess.start(() -> {
            SharedDoubleArray made = SharedDoubleArray.create(10);
            made.set(3, 33);
            return made; // not closed: it is the result
        });
        try (SharedDoubleArray got = p.result()) {
            assertTrue(p.join(Duration.ofSeconds(30)));
            Thread.sleep(300); // the worker and its reaper are gone
            assertTrue(got.isOwner(), "ownership passed to the receiver");
            assertTrue(Files.exists(Path.of("/dev/shm", got.name())), "the name outlived the worker");
            assertEquals(33.0, got.get(3));
            try (SharedDoubleArray again = SharedDoubleArray.attach(got.name())) {
                assertEquals(33.0, again.get(3));
            }
            String name = got.name();
            got.close();
            assertFalse(Files.exists(Path.of("/dev/shm", name)), "and goes when the receiver is done");
        }
        try (Pool pool = Pool.builder().workers(1).maxTasksPerWorker(1).build()) {
            SharedIntArray fromPool = pool.submit(() -> {
                SharedIntArray a = SharedIntArray.create(4);
                a.set(0, 7);
                return a;
            }).get(60, TimeUnit.SECONDS);
            assertEquals(8, pool.submit(() -> 8).get(60, TimeUnit.SECONDS)); // the first worker was recycled
            assertEquals(7, fromPool.get(0));
            assertTrue(fromPool.isOwner());
            fromPool.close();
        }
    }

    @Test
    @Timeout(240)
    void workersStartFromAnAotCacheOrCdsArchiveCreatedAutomatically() throws Exception {
        String ext = Runtime.version().feature() >= 25 ? ".aot" : ".jsa"; // JDK 17-24: a dynamic CDS archive
        // a jar class path (AOT caches and CDS archives refuse directories): the probe packed into a jar
        Path probeJar = tmp.resolve("probe.jar");
        Path classes = Path.of(RuntimeProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (java.util.jar.JarOutputStream out = new java.util.jar.JarOutputStream(Files.newOutputStream(probeJar));
             java.util.stream.Stream<Path> files = Files.walk(classes.resolve("io/shmarray/runtime"))) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                out.putNextEntry(new java.util.jar.JarEntry(classes.relativize(f).toString()));
                out.write(Files.readAllBytes(f));
                out.closeEntry();
            }
        }
        String cp = String.join(java.io.File.pathSeparator, probeJar.toString(),
                Path.of(io.shmarray.SharedArray.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString(),
                Path.of(com.sun.jna.Native.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        Path extract = Files.createDirectory(tmp.resolve("extract"));
        Files.setPosixFilePermissions(extract, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        TestSupport.Run r = TestSupport.run(List.of(io.shmarray.internal.ChildJvm.javaExecutable(),
                "--enable-native-access=ALL-UNNAMED", "-Dio.shmarray.extract.dir=" + extract, "-cp", cp,
                RuntimeProbe.class.getName(), "aot"), Map.of(), 200);
        assertEquals(0, r.exitCode, r.toString());
        assertTrue(r.output.contains("AOT-USED true"), r.toString());
        assertTrue(r.output.contains("WORKER-CLASSES-FROM-ARCHIVE true"), "the archive was not used: " + r);
        assertFalse(r.output.contains("AOTConfiguration") || r.output.contains("[cds]"),
                "the training run's output is not shown: " + r);
        List<String> left = List.of();
        for (long end = System.nanoTime() + 10_000_000_000L; System.nanoTime() < end; Thread.sleep(100)) {
            try (java.util.stream.Stream<Path> s = Files.list(extract.resolve("aot"))) {
                left = s.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(ext)).toList();
            }
            if (left.isEmpty()) break;
        }
        assertEquals(List.of(), left, "the training run leaves nothing but the cache behind");
    }
}
