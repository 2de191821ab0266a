package io.shmarray.runtime;

import io.shmarray.internal.ChildJvm;
import io.shmarray.internal.DecodeRules;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Starts worker JVMs: the private socket directory, the command line, the process with its
 * stderr pump, and the authenticated connection — then hands both to a {@link Worker}, the
 * parent's side of the running worker. Launching waits for the worker to connect and
 * authenticate, and fails in bounded time with the worker's exit code and stderr tail.
 */
final class WorkerLauncher {

    private WorkerLauncher() {}

    private static final AtomicLong SEQ = new AtomicLong();
    private static Path socketDir;
    /**
     * A private 0700 directory for this JVM's sockets, {@code shmarray-rt-<pid>-<random>} in
     * {@code java.io.tmpdir}; removed at exit. A JVM killed with {@code kill -9} cannot remove its
     * own, so creating one first removes those of this user whose pid is no longer running.
     */
    static synchronized Path socketDir() throws IOException {
        if (socketDir == null) {
            Path d = Files.createTempDirectory(SOCKET_DIR_PREFIX + ProcessHandle.current().pid() + "-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> removeSocketDir(d), "shmarray-socket-dir-cleanup"));
            socketDir = d;
            removeStaleSocketDirs(d.getParent(), Files.getOwner(d));
        }
        return socketDir;
    }

    static final String SOCKET_DIR_PREFIX = "shmarray-rt-";
    private static final java.util.regex.Pattern SOCKET_DIR = java.util.regex.Pattern.compile(
            java.util.regex.Pattern.quote(SOCKET_DIR_PREFIX) + "([0-9]+)-[^/]+");

    /** Removes socket directories of dead JVMs: ours (same owner), real directories only; best effort. */
    static void removeStaleSocketDirs(Path parent, UserPrincipal me) {
        try (java.nio.file.DirectoryStream<Path> dirs = Files.newDirectoryStream(parent, SOCKET_DIR_PREFIX + "*")) {
            for (Path dir : dirs) {
                java.util.regex.Matcher m = SOCKET_DIR.matcher(dir.getFileName().toString());
                if (!m.matches()) continue;
                long pid;
                try {
                    pid = Long.parseLong(m.group(1));
                } catch (NumberFormatException tooLong) {
                    continue;
                }
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) continue; // its JVM runs
                if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                        || !me.equals(Files.getOwner(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS))) {
                    continue;
                }
                removeSocketDir(dir);
            }
        } catch (IOException | RuntimeException ignored) {
            // best effort: a leftover empty directory is harmless
        }
    }

    private static void removeSocketDir(Path d) {
        try (java.util.stream.Stream<Path> s = Files.list(d)) {
            s.forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
        d.toFile().delete();
    }

    /** Starts a worker JVM and waits until it connected and authenticated. */
    static Worker launch(WorkerOptions options) {
        return launch(options, new Channel.Traffic());
    }

    /** {@link #launch(WorkerOptions)}, counting the channel's bytes in {@code traffic}. */
    static Worker launch(WorkerOptions options, Channel.Traffic traffic) {
        WorkerClassCheck.checkShmarrayReachable(classPath(options)); // before a JVM that could not start
        Object startEvent = FlightEvents.workerStartBegun();
        long t0 = System.nanoTime();
        Path dir;
        try {
            dir = socketDir();
        } catch (IOException e) {
            throw new WorkerStartException("cannot create a private socket directory: " + e, -1, "");
        }
        Path socketPath = dir.resolve("w" + SEQ.incrementAndGet() + ".sock");
        int pathBytes = socketPath.toString().getBytes(StandardCharsets.UTF_8).length;
        if (pathBytes > MAX_SOCKET_PATH_BYTES) {
            throw new WorkerStartException("the worker's socket path " + socketPath + " is " + pathBytes
                    + " bytes, longer than a Unix socket path may be (" + MAX_SOCKET_PATH_BYTES + "): start this JVM"
                    + " with a shorter -Djava.io.tmpdir (e.g. /tmp)", -1, "");
        }
        byte[] secret = Channel.newSecret();
        DecodeRules rules = options.decodeRules();
        long maxFrame = rules.maxBytes;
        Deque<String> tail = new ArrayDeque<>();
        Process p = null;
        Thread pump = null;
        boolean success = false;
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socketPath));
            UserPrincipal me = Files.getOwner(dir);
            List<String> cmd = command(options, socketPath);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.INHERIT);
            pb.environment().putAll(options.environment());
            if (options.workingDirectory() != null) pb.directory(options.workingDirectory().toFile());
            p = pb.start();
            pump = pumpStderr(p, tail, options.stderrPrefix());
            OutputStream in = p.getOutputStream();
            in.write((HexFormat.of().formatHex(secret) + "\n").getBytes(StandardCharsets.US_ASCII));
            in.flush();

            Channel ch = acceptAuthenticated(server, p, pump, options.startTimeout().toMillis(), tail, secret, me,
                    maxFrame, traffic);
            Files.deleteIfExists(socketPath); // authenticated: nobody else may connect
            Worker w = new Worker(p, ch, in, tail, pump, rules, options.heartbeatTimeout().toMillis());
            success = true;
            FlightEvents.workerStarted(startEvent, p.pid(), cmd.get(0));
            System.getLogger("io.shmarray").log(System.Logger.Level.DEBUG, () -> "shmarray: worker pid " + w.pid()
                    + " started and authenticated in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            return w;
        } catch (IOException e) {
            if (p != null) { // e.g. a broken pipe: the JVM exited at once; report how
                int code = Worker.waitExitForTail(p, pump);
                throw new WorkerStartException("worker JVM exited with code " + code + " during start-up (" + e + ")",
                        code, Worker.tailOf(tail));
            }
            throw new WorkerStartException("worker start failed: " + e, -1, Worker.tailOf(tail));
        } finally {
            try {
                Files.deleteIfExists(socketPath);
            } catch (IOException ignored) {
                // best effort
            }
            if (!success && p != null) {
                p.destroyForcibly();
                try {
                    p.waitFor(); // no zombie
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /**
     * The worker's command line: {@code java} (this JVM's or the options'), the parent's own JVM
     * options when asked for (first, so that what shmarray sets wins), shmarray's child options,
     * the AOT cache (only for this JVM's own launcher and class path: a cache is keyed to both),
     * the options' JVM options, then the channel settings in effect as properties (so a pool's
     * frame cap, heartbeat and filter reach its workers) and the options' properties.
     */
    static List<String> command(WorkerOptions options, Path socketPath) {
        String java = options.javaExecutable() != null ? options.javaExecutable().toString() : ChildJvm.javaExecutable();
        String cp = classPath(options);
        List<String> extra = new ArrayList<>();
        if (options.parentJvmOptions()) extra.addAll(ChildJvm.parentJvmOptions());
        extra.addAll(ChildJvm.jvmOptions());
        boolean ownLaunch = java.equals(ChildJvm.javaExecutable())
                && (options.classPath() == null || cp.equals(ChildJvm.classPath()));
        if (ownLaunch) extra.addAll(AotCache.jvmOptions());
        extra.addAll(options.jvmOptions());
        extra.add("-D" + WorkerOptions.MAX_FRAME_PROPERTY + "=" + options.maxFrameBytes());
        extra.add("-D" + WorkerOptions.HEARTBEAT_PROPERTY + "=" + options.heartbeat().toMillis());
        String filter = options.serialFilter();
        if (filter != null) extra.add("-D" + Codec.FILTER_PROPERTY + "=" + filter);
        extra.add("-D" + Codec.FILTER_MODE_PROPERTY + "=" + options.serialFilterMode());
        options.properties().forEach((k, v) -> extra.add("-D" + k + "=" + v));
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(extra);
        cmd.addAll(List.of("-cp", cp, WorkerMain.class.getName(), socketPath.toString()));
        return cmd;
    }

    /** The workers' class path under these options: theirs, else this JVM's ({@link ChildJvm#classPath}). */
    static String classPath(WorkerOptions options) {
        return options.classPath() != null ? options.classPath() : ChildJvm.classPath();
    }

    /** Longest wait for one connection's authentication: a real worker answers in milliseconds. */
    static final long AUTH_ATTEMPT_MILLIS = 5_000;

    /**
     * Accepts connections until one proves it knows the secret. A connection that fails (another
     * process of this user that connected first, by mistake or not) is closed and the next one is
     * taken, within the start-up deadline; the worker's own connection waits in the backlog
     * meanwhile. Only this user can reach the socket (its directory is 0700, and the peer's uid is
     * checked before anything is read).
     */
    private static Channel acceptAuthenticated(ServerSocketChannel server, Process p, Thread pump, long timeoutMillis,
            Deque<String> tail, byte[] secret, UserPrincipal me, long maxFrame, Channel.Traffic traffic)
            throws IOException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        List<String> refused = new ArrayList<>();
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            SocketChannel sc;
            try {
                sc = accept(server, p, pump, left, timeoutMillis, tail);
            } catch (WorkerStartException e) {
                if (refused.isEmpty()) throw e;
                throw new WorkerStartException(e.getMessage() + "; meanwhile " + refused.size()
                        + " other connection(s) to its socket failed authentication and were closed: " + refused,
                        e.exitCode(), Worker.tailOf(tail));
            }
            Channel ch = null;
            try {
                ch = new Channel(sc, maxFrame, traffic);
                long now = (deadline - System.nanoTime()) / 1_000_000L;
                ch.authenticateWorker(secret, me, Math.max(1, Math.min(AUTH_ATTEMPT_MILLIS, now)));
                return ch;
            } catch (IOException | RuntimeException e) {
                if (ch != null) ch.close();
                else sc.close();
                refused.add(String.valueOf(e.getMessage()));
                System.getLogger("io.shmarray").log(System.Logger.Level.WARNING, "shmarray: a connection to the socket"
                        + " of starting worker " + p.pid() + " failed authentication and was closed (" + e + ")");
            }
        }
    }

    private static SocketChannel accept(ServerSocketChannel server, Process p, Thread pump, long timeoutMillis,
            long startTimeoutMillis, Deque<String> tail) throws IOException {
        server.configureBlocking(false);
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        try (Selector sel = Selector.open()) {
            server.register(sel, SelectionKey.OP_ACCEPT);
            while (true) {
                SocketChannel sc = server.accept();
                if (sc != null) return sc;
                if (!p.isAlive()) {
                    int code = Worker.waitExitForTail(p, pump);
                    throw new WorkerStartException("worker JVM exited with code " + code + " before connecting",
                            code, Worker.tailOf(tail));
                }
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    throw new WorkerStartException("worker JVM did not connect within " + startTimeoutMillis
                            + " ms (killed)", -1, Worker.tailOf(tail));
                }
                sel.select(Math.min(left, 100));
                sel.selectedKeys().clear();
            }
        }
    }

    /** Longest line kept in a worker's stderr tail; a longer one is cut (the output itself is not). */
    static final int TAIL_LINE_CHARS = 2000;
    /** Longest Unix socket path (sun_path holds 108 bytes with its NUL). */
    static final int MAX_SOCKET_PATH_BYTES = 107;

    /**
     * Copies the worker's stderr to ours as it comes (bytes, not lines: output without newlines is
     * never buffered whole), each line prefixed with {@code [worker <pid>] } unless the options say
     * not to, and keeps its last 40 lines (unprefixed), each cut at {@value #TAIL_LINE_CHARS}.
     */
    private static Thread pumpStderr(Process p, Deque<String> tail, boolean prefixLines) {
        byte[] prefix = ("[worker " + p.pid() + "] ").getBytes(StandardCharsets.UTF_8);
        Thread t = new Thread(() -> {
            PrintStream err = System.err;
            StringBuilder line = new StringBuilder();
            byte[] buf = new byte[8192];
            boolean atLineStart = true;
            try (java.io.InputStream in = p.getErrorStream()) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    if (!prefixLines) {
                        err.write(buf, 0, n);
                    } else {
                        synchronized (err) { // whole pieces, not interleaved with another worker's prefix
                            int from = 0;
                            for (int i = 0; i < n; i++) {
                                if (atLineStart) {
                                    err.write(buf, from, i - from);
                                    err.write(prefix, 0, prefix.length);
                                    from = i;
                                    atLineStart = false;
                                }
                                if (buf[i] == '\n') atLineStart = true;
                            }
                            err.write(buf, from, n - from);
                        }
                    }
                    err.flush();
                    String chunk = new String(buf, 0, n, StandardCharsets.UTF_8);
                    for (int i = 0; i < chunk.length(); i++) {
                        char c = chunk.charAt(i);
                        if (c == '\n') {
                            addTailLine(tail, line);
                        } else if (line.length() < TAIL_LINE_CHARS) {
                            line.append(c);
                        }
                    }
                }
            } catch (IOException ignored) {
                // the worker is gone
            }
            if (line.length() > 0) addTailLine(tail, line);
        }, "shmarray-worker-stderr-" + p.pid());
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void addTailLine(Deque<String> tail, StringBuilder line) {
        synchronized (tail) {
            tail.addLast(line.toString());
            if (tail.size() > 40) tail.removeFirst();
        }
        line.setLength(0);
    }
}
