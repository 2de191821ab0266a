package io.shmarray.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaks what shmarray must never leak, and cleans up so that one leak does not
 * fail every later test:
 * <ul>
 *   <li>a new {@code shmarray-*} entry in /dev/shm (removed);
 *   <li>a new open descriptor of a /dev/shm segment, or a new socket (one is allowed while a warm
 *       standby worker lives: its channel);
 *   <li>a new child process that is not one the library keeps on purpose (killed): the reaper
 *       ({@code Reaper.pid()}), at most one warm standby worker, and a JDK 25+ AOT-cache training
 *       run ({@code -XX:AOTCacheOutput}).
 * </ul>
 * Descriptors and processes get up to 5 s to go (workers exit asynchronously after a close).
 */
public final class NoLeaks implements BeforeEachCallback, AfterEachCallback {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(NoLeaks.class);

    public static Set<String> current() {
        try (Stream<Path> s = Files.list(Path.of("/dev/shm"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("shmarray-"))
                    .collect(Collectors.toCollection(HashSet::new));
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /dev/shm", e);
        }
    }

    /** This process's open descriptors: target (as {@code ls -l /proc/self/fd} shows it) to count. */
    static Map<String, Integer> descriptors() {
        Map<String, Integer> out = new HashMap<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) s::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:")) target = "socket:"; // one bucket: the inode differs
                    out.merge(target, 1, Integer::sum);
                } catch (IOException closedMeanwhile) {
                    // the listing's own descriptor, or one closed concurrently
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc/self/fd", e);
        }
        return out;
    }

    /** This process's socket descriptors with what /proc/net/unix says of them (for the failure message). */
    static List<String> sockets() {
        Map<String, String> unix = new HashMap<>();
        try {
            for (String l : Files.readAllLines(Path.of("/proc/net/unix"))) {
                String[] f = l.trim().split("\\s+");
                if (f.length >= 7) unix.put(f[6], f.length > 7 ? f[7] : "(unnamed, state " + f[5] + ")");
            }
        } catch (IOException | RuntimeException e) {
            // best effort
        }
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) s::iterator) {
                try {
                    String t = Files.readSymbolicLink(fd).toString();
                    if (!t.startsWith("socket:[")) continue;
                    String inode = t.substring(8, t.length() - 1);
                    out.add(fd.getFileName() + "=" + inode + " " + unix.getOrDefault(inode, "(not unix)"));
                } catch (IOException ignored) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            // best effort
        }
        return out;
    }

    static Set<Long> children() {
        return ProcessHandle.current().children().filter(p -> TestSupport.alive(p.pid())).map(ProcessHandle::pid)
                .collect(Collectors.toCollection(HashSet::new));
    }

    private static volatile boolean warm;

    /**
     * Once per JVM, before the first snapshot: the library's first array and first worker start what
     * lives as long as the JVM (the reaper and its channel, the loaded library, a socket of the first
     * launch), which is no test's leak.
     */
    private static void warmUp() {
        if (warm) return;
        warm = true;
        try (io.shmarray.SharedByteArray a = io.shmarray.SharedByteArray.create(1)) {
            a.set(0, (byte) 1);
        }
        // the first worker launch of a JVM leaves one socket for the JVM's life (seen on JDK 17 and
        // 25 alike, also with nothing else running): launch one here, outside every snapshot
        try (io.shmarray.runtime.WorkerProcess<Integer> w = io.shmarray.runtime.WorkerProcess.start(() -> 1)) {
            w.result();
        } catch (Exception e) {
            throw new IllegalStateException("warm-up worker failed", e);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        warmUp();
        ExtensionContext.Store store = context.getStore(NS);
        store.put("segments", current());
        store.put("fds", descriptors());
        store.put("children", children());
    }

    @Override
    @SuppressWarnings("unchecked")
    public void afterEach(ExtensionContext context) throws Exception {
        ExtensionContext.Store store = context.getStore(NS);
        Set<String> leaked = current();
        leaked.removeAll((Set<String>) store.get("segments"));
        if (!leaked.isEmpty()) {
            List<String> sorted = leaked.stream().sorted().collect(Collectors.toList());
            for (String n : sorted) Files.deleteIfExists(Path.of("/dev/shm", n));
            throw new AssertionError("test left segments in /dev/shm: " + sorted);
        }
        Map<String, Integer> fdsBefore = (Map<String, Integer>) store.get("fds");
        Set<Long> childrenBefore = (Set<Long>) store.get("children");
        List<String> problems = List.of();
        List<ProcessHandle> strays = List.of();
        long end = System.nanoTime() + 5_000_000_000L;
        do {
            strays = new ArrayList<>();
            int standbys = 0;
            for (long pid : children()) {
                if (childrenBefore.contains(pid) || pid == io.shmarray.internal.Reaper.pid()) continue;
                ProcessHandle p = ProcessHandle.of(pid).orElse(null);
                if (p == null) continue;
                String cmd = p.info().commandLine().orElse("");
                if (cmd.contains("AOTCacheOutput") || cmd.contains("aot")) continue; // background training
                if (cmd.contains("io.shmarray.runtime.WorkerMain") && standbys++ == 0) continue; // the warm standby
                strays.add(p);
            }
            problems = new ArrayList<>();
            Map<String, Integer> fds = descriptors();
            boolean standbyAlive = children().stream().map(ProcessHandle::of).flatMap(java.util.Optional::stream)
                    .anyMatch(p -> p.info().commandLine().orElse("").contains("io.shmarray.runtime.WorkerMain"));
            int newSockets = fds.getOrDefault("socket:", 0) - fdsBefore.getOrDefault("socket:", 0);
            if (newSockets > (standbyAlive ? 1 : 0)) {
                problems.add(newSockets + " new socket(s)" + (standbyAlive ? " (one is a standby worker's)" : "")
                        + "; sockets now: " + sockets());
            }
            for (Map.Entry<String, Integer> e : fds.entrySet()) {
                int before = fdsBefore.getOrDefault(e.getKey(), 0);
                if (e.getKey().startsWith("/dev/shm/") && e.getValue() > before) {
                    problems.add((e.getValue() - before) + " new descriptor(s) of " + e.getKey());
                }
            }
            for (ProcessHandle p : strays) problems.add("child process " + p.pid() + ": " + p.info().commandLine().orElse("?"));
            if (problems.isEmpty()) return;
            Thread.sleep(50);
        } while (System.nanoTime() < end);
        for (ProcessHandle p : strays) p.destroyForcibly();
        throw new AssertionError("test leaked: " + problems);
    }
}
