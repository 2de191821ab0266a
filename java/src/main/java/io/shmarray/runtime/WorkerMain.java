package io.shmarray.runtime;

import io.shmarray.ProtocolException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * Entry point of a worker JVM: {@code java ... io.shmarray.runtime.WorkerMain SOCKET}. Reads the
 * start-up secret from stdin, connects to the parent's socket, authenticates, then runs tasks
 * until told to stop. Stdin stays open: end of file there means the parent is gone, and the
 * worker halts at once (parent killed with -9 included). Stdout and stderr belong to the task
 * (and the JVM): they never carry control messages.
 */
public final class WorkerMain {

    /** Set once the parent said goodbye: the end of stdin is then expected, not an orphaning. */
    private static volatile boolean finished;

    private WorkerMain() {}

    /** Argument of the AOT training run: exercise the start-up path once, then exit. */
    static final String TRAIN = "--aot-training";

    /**
     * Runs a worker: started by a pool or {@link WorkerProcess}, never by hand. Exits with status 0
     * when the parent says goodbye, 2 on a usage error, and halts with 70 when the parent is gone.
     *
     * @param args the parent's socket path (the secret comes on stdin)
     * @throws Exception when the connection or the authentication fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals(TRAIN)) {
            warmUp(WorkerOptions.DEFAULT_MAX_FRAME);
            Hmac.hmacSha256(new byte[32], new byte[16]);
            java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX).close();
            Class.forName(Channel.class.getName());
            System.exit(0);
        }
        if (args.length != 1) {
            System.err.println("usage: WorkerMain SOCKET (started by shmarray, secret on stdin)");
            System.exit(2);
        }
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            if (e instanceof OutOfMemoryError) outOfMemory((OutOfMemoryError) e);
            System.err.print("Exception in thread \"" + t.getName() + "\" ");
            e.printStackTrace();
        });
        java.io.InputStream in = System.in; // bytes, not a Reader: no charset machinery on the start-up path
        byte[] line = new byte[65];
        int got = 0;
        for (int n; got < line.length && (n = in.read(line, got, line.length - got)) > 0; ) got += n;
        if (got != line.length || line[64] != '\n') {
            System.err.println("shmarray worker: no start-up secret on stdin");
            System.exit(2);
        }
        byte[] secret = HexFormat.of().parseHex(new String(line, 0, 64, StandardCharsets.US_ASCII));
        // An interruptible channel: at the goodbye the main thread interrupts the watchdog out of its
        // read. A thread left blocked in native code holds a JVM's exit back 300 ms (HotSpot's
        // VM_Exit waits for threads in native), which every worker stop would pay.
        java.nio.channels.FileChannel stdin = new java.io.FileInputStream(java.io.FileDescriptor.in).getChannel();
        Thread watchdog = new Thread(() -> {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(64);
            try {
                while (stdin.read(b.clear()) >= 0) {
                    // nothing else is sent on stdin; wait for end of file
                }
            } catch (java.nio.channels.ClosedByInterruptException goodbye) {
                if (finished) return; // the main thread exits with 0
            } catch (java.io.IOException ignored) {
                // treated like end of file
            }
            Runtime.getRuntime().halt(finished ? 0 : 70); // the parent is gone: no orphan
        }, "shmarray-parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();

        Path socketPath = Path.of(args[0]);
        long maxFrame = Long.getLong(WorkerOptions.MAX_FRAME_PROPERTY, WorkerOptions.DEFAULT_MAX_FRAME);
        try (SocketChannel sc = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            sc.connect(UnixDomainSocketAddress.of(socketPath));
            Channel channel = new Channel(sc, maxFrame);
            channel.authenticateParent(secret, Files.getOwner(socketPath.getParent()), 30_000);
            // warm serialization up beside the first task, not before it: it is only an optimisation
            Thread warm = new Thread(() -> warmUp(maxFrame), "shmarray-warm-up");
            warm.setDaemon(true);
            warm.start();
            serve(channel, maxFrame);
        }
        if (finished) watchdog.interrupt(); // out of its read, so that the JVM exits at once
        System.exit(0);
    }

    /** Heartbeat period ({@code io.shmarray.heartbeatMillis}, default 500 ms). */
    static final long HEARTBEAT_MILLIS = Long.getLong(WorkerOptions.HEARTBEAT_PROPERTY, WorkerOptions.DEFAULT_HEARTBEAT_MILLIS);

    private static void serve(Channel channel, long maxFrame) throws Exception {
        Thread heartbeat = new Thread(() -> {
            try {
                while (channel.isOpen()) {
                    Thread.sleep(HEARTBEAT_MILLIS);
                    channel.trySendHeartbeat(); // never blocks on a parent that is not reading
                }
            } catch (Exception ignored) {
                // the channel closed: the main loop ends too
            }
        }, "shmarray-heartbeat");
        heartbeat.setDaemon(true);
        heartbeat.start();
        Definitions functions = new Definitions();
        while (true) {
            Channel.Frame f = channel.receive(-1);
            if (f == null || f.type == Channel.BYE) {
                finished = true;
                return;
            }
            Messages.Result result = handle(f, functions, maxFrame);
            f = null; // nothing of a finished task stays reachable from this frame while we wait
            if (result == null) continue;
            System.out.flush();
            System.err.flush();
            if (result.ok()) { // the value, encoded once, after the id
                byte[] frame = Reply.okFrame(result.id(), result.value());
                if (frame.length + 1L <= maxFrame) {
                    channel.send(Channel.RESULT_OK, frame);
                    continue;
                }
                result = failure(result.id(), new FrameTooLargeException("the task's result", frame.length, maxFrame));
            }
            byte[] frame = Codec.encode(result);
            if (frame.length + 1L > maxFrame) { // fails this task only: the channel stays healthy
                frame = Codec.encode(failure(result.id(), new FrameTooLargeException("the task's result", frame.length,
                        maxFrame)));
            }
            channel.send(Channel.RESULT, frame);
        }
    }

    /** The functions of the maps in progress, and the decode failures of those that could not be defined. */
    static final class Definitions {
        final java.util.Map<Long, SerializableFunction<Object, Object>> defined = new java.util.HashMap<>();
        final java.util.Map<Long, RuntimeException> broken = new java.util.HashMap<>();

        void forget(long fnId) {
            defined.remove(fnId);
            broken.remove(fnId);
        }

        /**
         * Tasks that capture nothing (a function reference, a lambda without captured values) have
         * no state: the same bytes decode once per worker, as a function travels by reference.
         * Anything that captures a value is decoded afresh every time (copy semantics).
         */
        final java.util.Map<java.nio.ByteBuffer, SerializableCallable<?>> stateless = new java.util.LinkedHashMap<>(
                16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(java.util.Map.Entry<java.nio.ByteBuffer, SerializableCallable<?>> e) {
                return size() > 64;
            }
        };

        /** A TASK frame's task: its id, then the callable. */
        Messages.Task task(byte[] payload, long maxFrame) throws ClassNotFoundException {
            if (payload.length < Long.BYTES + 1) throw new ProtocolException("a TASK frame of " + payload.length + " bytes");
            long id = java.nio.ByteBuffer.wrap(payload).getLong();
            java.nio.ByteBuffer key = java.nio.ByteBuffer.wrap(payload, Long.BYTES, payload.length - Long.BYTES);
            SerializableCallable<?> c = stateless.get(key);
            if (c == null) {
                Object o = Codec.decodeValue(payload, Long.BYTES, payload.length - Long.BYTES, maxFrame, null);
                if (!(o instanceof SerializableCallable)) {
                    throw new ProtocolException("not a task: " + (o == null ? null : o.getClass().getName()));
                }
                c = (SerializableCallable<?>) o;
                java.lang.invoke.SerializedLambda l = io.shmarray.internal.Lambdas.serializedForm(c);
                if (l != null && l.getCapturedArgCount() == 0) stateless.put(key.slice(), c);
            }
            return new Messages.Task(id, c);
        }
    }

    /**
     * Decodes and runs one frame; returns the result to send, or null (DEFINE, FORGET). In a method
     * of its own so that the decoded task, its captured values and any shared array received with
     * it are unreachable once it returns: a received array is then released (see
     * {@code SharedArray}), not kept by a stack slot while the worker waits for the next frame.
     * A task that cannot be decoded (its array was removed by its owner, a class is missing) fails
     * alone, with that error; the worker lives on.
     */
    @SuppressWarnings("unchecked")
    private static Messages.Result handle(Channel.Frame f, Definitions functions, long maxFrame) throws Exception {
        if (f.type == Channel.FORGET) {
            if (f.payload.length != Long.BYTES) throw new ProtocolException("FORGET of " + f.payload.length + " bytes");
            functions.forget(java.nio.ByteBuffer.wrap(f.payload).getLong());
            return null;
        }
        if (f.type != Channel.TASK && f.type != Channel.DEFINE && f.type != Channel.INIT && f.type != Channel.APPLY) {
            throw new ProtocolException("unexpected frame type " + f.type);
        }
        Object message;
        try {
            message = f.type == Channel.APPLY ? apply(f.payload, maxFrame)
                    : f.type == Channel.TASK ? functions.task(f.payload, maxFrame) : Codec.decode(f.payload, maxFrame);
        } catch (ClassNotFoundException | RuntimeException e) {
            long id = (f.type == Channel.APPLY || f.type == Channel.TASK) && f.payload.length >= 8
                    ? java.nio.ByteBuffer.wrap(f.payload).getLong() : -1;
            return f.type == Channel.DEFINE ? null : failure(id, e);
        }
        if (message instanceof Messages.Define) {
            Messages.Define d = (Messages.Define) message;
            try {
                functions.defined.put(d.fnId(), (SerializableFunction<Object, Object>) Codec.decode(d.fn(), maxFrame));
            } catch (ClassNotFoundException | RuntimeException e) {
                functions.broken.put(d.fnId(), e instanceof RuntimeException ? (RuntimeException) e
                        : new IllegalStateException("the map's function could not be decoded here: " + e, e));
            }
            return null;
        }
        long id = message instanceof Messages.Task ? ((Messages.Task) message).id()
                : message instanceof Messages.Apply ? ((Messages.Apply) message).id() : 0;
        try {
            Object value;
            if (message instanceof Messages.Task) {
                value = ((Messages.Task) message).callable().call();
            } else if (message instanceof Messages.Apply) {
                Messages.Apply a = (Messages.Apply) message;
                SerializableFunction<Object, Object> fn = functions.defined.get(a.fnId());
                if (fn == null) {
                    RuntimeException broken = functions.broken.get(a.fnId());
                    if (broken != null) throw broken;
                    throw new ProtocolException("function " + a.fnId() + " was never defined here");
                }
                java.util.List<Object> out = new java.util.ArrayList<>(a.items().size());
                for (Object item : a.items()) out.add(fn.apply(item));
                value = out;
            } else if (message instanceof Messages.Init) {
                ((Messages.Init) message).initializer().run();
                value = null;
            } else {
                throw new ProtocolException("unexpected message " + message.getClass().getName());
            }
            return new Messages.Result(id, true, Codec.encodeValue(value, "the task's result"), null, null, null, null);
        } catch (OutOfMemoryError e) {
            throw outOfMemory(e);
        } catch (Throwable t) {
            return failure(id, t);
        }
    }

    /** An APPLY frame's chunk: its id and function id, then the items (a list) as a value. */
    static Messages.Apply apply(byte[] payload, long maxFrame) throws ClassNotFoundException {
        if (payload.length < 2 * Long.BYTES + 1) throw new ProtocolException("an APPLY frame of " + payload.length + " bytes");
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(payload);
        long id = b.getLong();
        long fnId = b.getLong();
        Object items = Codec.decodeValue(payload, 2 * Long.BYTES, payload.length - 2 * Long.BYTES, maxFrame, null);
        if (!(items instanceof java.util.List)) {
            throw new ProtocolException("a chunk's items are not a list: " + (items == null ? null : items.getClass().getName()));
        }
        return new Messages.Apply(id, fnId, (java.util.List<?>) items);
    }

    /** The APPLY payload of a chunk: {@code id}, {@code fnId}, then the items as a value. */
    static byte[] applyFrame(long id, long fnId, java.util.List<?> items) {
        byte[] v = Codec.encodeValue(items, "chunk");
        return java.nio.ByteBuffer.allocate(2 * Long.BYTES + v.length).putLong(id).putLong(fnId).put(v).array();
    }

    /**
     * A worker that ran out of memory is damaged (any of its threads may have died of it, its
     * heartbeat included): it says so on stderr — which the parent keeps and puts in the task's
     * {@link WorkerDiedException} — and exits at once with status 3, like
     * {@code -XX:+ExitOnOutOfMemoryError} (whose message would go to stdout, the task's).
     */
    static Error outOfMemory(OutOfMemoryError e) {
        System.err.println("shmarray worker pid " + ProcessHandle.current().pid() + ": " + e + "; exiting");
        System.err.flush();
        Runtime.getRuntime().halt(3);
        return e; // not reached
    }

    /**
     * Runs the first-task machinery once (serialization, the filter, lambda deserialization and
     * linking) before any task arrives, so a waiting (standby) worker answers its first task fast.
     */
    private static void warmUp(long maxFrame) {
        try {
            SerializableCallable<Object> probe = () -> java.util.List.of(1, "x", 2.0);
            byte[] b = Messages.taskFrame(0, probe, maxFrame, null);
            Messages.Task t = new Definitions().task(b, maxFrame);
            Object v = t.callable().call();
            Codec.decode(Codec.encode(new Messages.Result(0, true, Codec.encode(v), null, null, null, null)), maxFrame);
            byte[] chunk = applyFrame(0, 0, new java.util.ArrayList<>(java.util.List.of(1, 2L, "x")));
            apply(chunk, maxFrame);
            Codec.encodeValue(new java.util.ArrayList<>(java.util.List.of(1, 2.0)), "warm-up");
            Codec.encode(failure(0, new IllegalStateException("warm-up")));
        } catch (Exception ignored) {
            // only an optimisation
        }
    }

    static Messages.Result failure(long id, Throwable t) {
        byte[] error;
        try {
            error = Codec.encode(t);
        } catch (RuntimeException e) {
            error = null; // the exception itself does not serialize: plain data below
        }
        return new Messages.Result(id, false, null, error, t.getClass().getName(), t.getMessage(), t.getStackTrace());
    }
}
