package io.shmarray.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shmarray.testing.NoLeaks;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Start-up hygiene of worker JVMs: a socket grabbed by another process first, AOT training leftovers. */
@ExtendWith(NoLeaks.class)
class WorkerLaunchTest {

    @TempDir
    Path tmp;

    private static Set<Path> sockets(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            Set<Path> out = new HashSet<>();
            s.filter(p -> p.getFileName().toString().endsWith(".sock")).forEach(out::add);
            return out;
        }
    }

    /**
     * Another process of this user connects to a starting worker's socket before the worker does
     * and sends garbage: the parent challenges it (it receives bytes), closes it, and still accepts
     * the real worker, which then serves tasks.
     */
    @Test
    @Timeout(120)
    void aConnectionThatGrabsTheSocketFirstIsClosedAndTheWorkerStillStarts() throws Exception {
        Path dir = WorkerLauncher.socketDir();
        Set<Path> before = sockets(dir);
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<String> impostor = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                while (!stop.get()) {
                    for (Path s : sockets(dir)) {
                        if (before.contains(s)) continue;
                        try (SocketChannel sc = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                            try {
                                sc.connect(UnixDomainSocketAddress.of(s));
                            } catch (java.net.ConnectException notListeningYet) { // bound, not yet listening
                                continue;
                            }
                            sc.write(ByteBuffer.wrap(new byte[] {0x7f, 0x7f, 0x7f, 0x7f, 1, 2, 3, 4}));
                            ByteBuffer in = ByteBuffer.allocate(4096);
                            long received = 0;
                            try {
                                for (int n; (n = sc.read(in)) >= 0; in.clear()) received += n;
                            } catch (java.io.IOException reset) {
                                // closed with our garbage unread: a reset, also a close
                            }
                            impostor.complete("challenged with " + (received > 0) + ", then closed");
                            return;
                        }
                    }
                    Thread.sleep(1);
                }
                impostor.complete("never connected");
            } catch (Exception e) {
                impostor.complete("failed: " + e);
            }
        }, "impostor");
        t.setDaemon(true);
        t.start();
        Worker w = WorkerLauncher.launch(WorkerOptions.defaults());
        try {
            stop.set(true);
            assertEquals("challenged with true, then closed", impostor.get(30, TimeUnit.SECONDS),
                    "the impostor connected first and was taken for a worker, then refused");
            assertTrue(w.process.isAlive(), "the real worker connected and authenticated after the impostor");
        } finally {
            w.close();
        }
        try (WorkerProcess<Integer> p = WorkerProcess.start(() -> 6 * 7)) {
            assertEquals(42, p.result());
        }
    }

    @Test
    void trainingLeftoversOfDeadJvmsAreRemoved() throws Exception {
        String key = "0123456789abcdef0123456789abcdef";
        long dead = deadPid();
        long live = ProcessHandle.current().pid();
        Path deadTmp = Files.createFile(tmp.resolve(key + ".aot." + dead + ".tmp"));
        Path deadConfig = Files.createFile(tmp.resolve(key + ".aot." + dead + ".tmp.config"));
        Path liveTmp = Files.createFile(tmp.resolve(key + ".aot." + live + ".tmp"));
        Path cache = Files.createFile(tmp.resolve(key + ".aot"));
        Path unrelated = Files.createFile(tmp.resolve("notes.tmp"));
        AotCache.removeStaleTrainingFiles(tmp);
        assertFalse(Files.exists(deadTmp));
        assertFalse(Files.exists(deadConfig));
        assertTrue(Files.exists(liveTmp), "a training run still going is left alone");
        assertTrue(Files.exists(cache));
        assertTrue(Files.exists(unrelated), "only files named like training output are touched");
    }

    /** A pid that is not running: a child that has exited and been waited for. */
    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }
}
