package io.shmarray.cluster.internal;

import io.shmarray.ArrayHandle;
import io.shmarray.SharedArray;
import io.shmarray.cluster.ClusterAuthenticationException;
import io.shmarray.runtime.Codec;
import io.shmarray.NotSerializableTaskException;
import io.shmarray.runtime.RemoteThrowable;
import io.shmarray.runtime.SerializableCallable;
import io.shmarray.runtime.SerializableFunction;
import io.shmarray.runtime.SerializableRunnable;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * shmarray's side of one cluster member (the driver's lite member included): it checks and runs
 * the frames sent to this member, and moves shared arrays between nodes.
 * <ul>
 *   <li>Encoding ({@link #encode}): each shared array reached becomes a {@link NodeArrayRef}, and
 *       the array is <i>served</i> under its pool until the pool is released, so that other nodes
 *       can pull its bytes ({@code READ}).
 *   <li>Decoding ({@link #decode}, through the local pool's deserialization filter): a reference
 *       from this node attaches the array by its handle; one from another node becomes this
 *       node's read-only copy ({@link NodeCopies}), made once per node.
 *   <li>Per pool: its initializer runs once in this member before its first task (fetched from
 *       the driver), and everything kept for it goes at {@code RELEASE}, or when its driver leaves
 *       the cluster.
 * </ul>
 */
public final class NodeAgent {

    private static final System.Logger LOG = System.getLogger("io.shmarray.cluster");
    private static final ThreadLocal<NodeAgent> CURRENT = new ThreadLocal<>();
    private static final long MAX_PAYLOAD = Integer.MAX_VALUE - 8;

    private final ClusterSecret secret;
    private final String node;
    private volatile Engine engine;
    /** This member's id, fixed once it joined (read for every frame). */
    private volatile String memberId;
    private final java.util.concurrent.CountDownLatch bound = new java.util.concurrent.CountDownLatch(1);
    private final Frame.ReplayGuard replays = new Frame.ReplayGuard();
    private final Object poolLock = new Object();
    private final Map<Long, PoolState> pools = new ConcurrentHashMap<>();
    /** Initializer bytes of the pools this member drives. */
    private final Map<Long, byte[]> driven = new ConcurrentHashMap<>();
    /** Recently released pools: a late frame for one of them starts nothing. */
    private final Set<Long> released = Collections.newSetFromMap(Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Boolean> e) {
            return size() > 4096;
        }
    }));

    final AtomicLong copiesCreated = new AtomicLong();
    final AtomicLong copiesAttached = new AtomicLong();
    final AtomicLong bytesPulled = new AtomicLong();
    final AtomicLong bytesServed = new AtomicLong();
    final AtomicLong localAttaches = new AtomicLong();
    final AtomicLong tasksRun = new AtomicLong();
    final AtomicLong initializersRun = new AtomicLong();

    /**
     * @param secret the cluster secret
     * @param node this member's node id
     */
    public NodeAgent(ClusterSecret secret, String node) {
        this.secret = secret;
        this.node = node;
    }

    /**
     * Connects the agent to its started engine.
     *
     * @param e the engine of this member
     */
    public void bind(Engine e) {
        this.engine = e;
        this.memberId = e.local().id();
        e.onMemberLeft(this::memberLeft);
        bound.countDown();
    }

    /** {@return the agent of the member running the current task, or null outside a task} */
    public static NodeAgent current() {
        return CURRENT.get();
    }

    /** {@return this member's node id} */
    public String node() {
        return node;
    }

    /** {@return this member's id} */
    public String memberId() {
        return memberId;
    }

    /** {@return the engine} */
    public Engine engine() {
        return engine;
    }

    ClusterSecret secret() {
        return secret;
    }

    /** {@return this member's counters: copies created and attached, bytes pulled and served, ...} */
    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("copiesCreated", copiesCreated.get());
        m.put("copiesAttached", copiesAttached.get());
        m.put("bytesPulled", bytesPulled.get());
        m.put("bytesServed", bytesServed.get());
        m.put("localAttaches", localAttaches.get());
        m.put("tasksRun", tasksRun.get());
        m.put("initializersRun", initializersRun.get());
        m.put("poolsHeld", (long) pools.size());
        return m;
    }

    // ---------------------------------------------------------------- pools

    /** What this member keeps for one pool. */
    private static final class PoolState {
        final long id;
        final String driver;
        final Map<String, SharedArray> served = new ConcurrentHashMap<>();
        /** Versions of arrays this member sends, bumped by {@link NodeAgent#refresh}: a new version is a new copy. */
        final Map<String, Integer> versions = new ConcurrentHashMap<>();
        private final List<AutoCloseable> kept = new ArrayList<>();
        /** The pool's arrays received here, one per origin array: node copies and arrays of this node. */
        final Map<String, SharedArray> views = new ConcurrentHashMap<>();
        private boolean released;
        volatile boolean initialized;
        /** One node copy filled at a time per pool and member (other JVMs of the node wait in NodeCopies). */
        final Object copyLock = new Object();
        RuntimeException initFailure;

        PoolState(long id, String driver) {
            this.id = id;
            this.driver = driver;
        }

        /** Keeps {@code c} until the release; after it (a task that outlived its pool), closes it now. */
        void keep(AutoCloseable c) {
            synchronized (kept) {
                if (!released) {
                    kept.add(c);
                    return;
                }
            }
            closeQuietly(c, id);
        }

        List<AutoCloseable> releaseAll() {
            synchronized (kept) {
                released = true;
                List<AutoCloseable> out = new ArrayList<>(kept);
                kept.clear();
                return out;
            }
        }
    }

    private static void closeQuietly(AutoCloseable c, long poolId) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "closing " + c + " of pool " + Long.toHexString(poolId), e);
        }
    }

    private PoolState pool(long poolId, String driver) {
        synchronized (poolLock) {
            if (released.contains(poolId)) throw new IllegalStateException("pool " + Long.toHexString(poolId) + " was closed");
            return pools.computeIfAbsent(poolId, id -> new PoolState(id, driver));
        }
    }

    /**
     * Registers a pool this member drives.
     *
     * @param poolId the pool
     * @param initializer its encoded initializer, or an empty array
     */
    public void drive(long poolId, byte[] initializer) {
        driven.put(poolId, initializer);
        pool(poolId, memberId());
    }

    /**
     * Drops what this member keeps for a pool: served arrays, node copies (their names go with
     * the last JVM of the node that used them).
     *
     * @param poolId the pool
     */
    public void release(long poolId) {
        PoolState ps;
        synchronized (poolLock) {
            released.add(poolId);
            driven.remove(poolId);
            ps = pools.remove(poolId);
        }
        if (ps == null) return;
        ps.served.clear();
        ps.views.clear();
        for (AutoCloseable c : ps.releaseAll()) closeQuietly(c, poolId);
    }

    /** Releases every pool held here (this member is leaving). */
    public void releaseAll() {
        for (Long id : List.copyOf(pools.keySet())) release(id);
    }

    /**
     * Asks a member to release what it keeps for a pool.
     *
     * @param member the member
     * @param poolId the pool
     * @return completes when the member confirmed
     */
    public CompletableFuture<?> releaseOn(String member, long poolId) {
        return call(member, Engine.Lane.FETCH, Frame.Kind.RELEASE, poolId, memberId(), new byte[0]);
    }

    private void memberLeft(String id) {
        for (PoolState ps : List.copyOf(pools.values())) {
            if (ps.driver.equals(id)) {
                LOG.log(Level.INFO, "the driver of pool " + Long.toHexString(ps.id) + " left: releasing its arrays here");
                release(ps.id);
            }
        }
    }

    // ---------------------------------------------------------------- encoding and decoding

    /**
     * Serializes {@code value} for another member: shared arrays as node references, served here
     * under {@code poolId} until the pool is released.
     *
     * @param value the value
     * @param label what it is, for errors
     * @param poolId its pool
     * @return the bytes
     */
    public byte[] encode(Object value, String label, long poolId) {
        PoolState ps = pool(poolId, memberId());
        return Codec.encodeReplacingArrays(value, label, a -> export(ps, a, false));
    }

    /** The segment under {@code a}: a refresh re-versions every view and slice of it. */
    private static String segmentKey(SharedArray a) {
        return a.handle().name() + "|" + a.handle().generation();
    }

    /** The array itself: its segment, and where and how it lies there. */
    private static String baseKey(SharedArray a) {
        ArrayHandle h = a.handle();
        return segmentKey(a) + "|" + h.byteOffset() + "|" + h.dtype() + "|" + Arrays.toString(h.shape());
    }

    /**
     * From now on, {@code a} travels as a new version: other nodes make a new copy the next time a
     * task of the pool needs it (the earlier copies stay until the pool is released).
     *
     * @param poolId the pool
     * @param a the array, as sent from this member
     */
    public void refresh(long poolId, SharedArray a) {
        pool(poolId, memberId()).versions.merge(segmentKey(a), 1, Integer::sum);
    }

    /**
     * A node reference to {@code a}, served here until the pool is released. An array a task of
     * the pool created here and returned ({@code result}) belongs to the pool from then on: it is
     * closed (and, owned here, removed) at the release, after the receiver made its copy or
     * attached it.
     */
    private NodeArrayRef export(PoolState ps, SharedArray a, boolean result) {
        if (!a.isContiguous()) {
            throw new NotSerializableTaskException("a strided view cannot travel to other nodes (" + a + "): copy it into a"
                    + " contiguous array, or send the whole array and index it there", null);
        }
        String key = baseKey(a) + "|v" + ps.versions.getOrDefault(segmentKey(a), 0);
        ArrayHandle h = a.handle();
        if (ps.served.putIfAbsent(key, a) == null && result && a.isOwner()) ps.keep(a);
        return new NodeArrayRef(node, memberId(), key, h, a.byteSize());
    }

    /**
     * Deserializes what {@link #encode} wrote, through shmarray's deserialization filter. Arrays
     * from this node are attached; arrays from other nodes become this node's read-only copies.
     *
     * @param bytes the bytes
     * @param poolId the pool
     * @param keep whether attached arrays belong to the pool (closed at its release) rather than to the caller
     * @return the value
     * @throws ClassNotFoundException when a class of the value is not on this member's class path
     */
    public Object decode(byte[] bytes, long poolId, boolean keep) throws ClassNotFoundException {
        // the pool's state only when an array comes: plain values still decode after the pool was released
        return Codec.decode(bytes, MAX_PAYLOAD, o -> o instanceof NodeArrayRef
                ? resolve(pool(poolId, memberId()), (NodeArrayRef) o, keep) : o);
    }

    private Object decode(byte[] bytes, PoolState ps, boolean keep) throws ClassNotFoundException {
        return Codec.decode(bytes, MAX_PAYLOAD, o -> o instanceof NodeArrayRef ? resolve(ps, (NodeArrayRef) o, keep) : o);
    }

    /**
     * The array a reference names, here. For the pool ({@code keep}): one array per origin array
     * and pool, shared by the pool's tasks on this member and closed at the release (tasks must not
     * close it). For the caller (a result on the driver): its own array.
     */
    private SharedArray resolve(PoolState ps, NodeArrayRef r, boolean keep) {
        String key = r.node() + "|" + r.key();
        if (keep) {
            SharedArray have = ps.views.get(key);
            if (have != null && !have.isClosed()) return have;
        }
        if (r.node().equals(node)) {
            SharedArray a = SharedArray.attach(r.handle());
            localAttaches.incrementAndGet();
            if (keep) {
                SharedArray raced = ps.views.putIfAbsent(key, a);
                if (raced != null && !raced.isClosed()) {
                    a.close();
                    return raced;
                }
                ps.keep(a);
            }
            return a;
        }
        synchronized (ps.copyLock) { // one fill per pool and member at a time; other JVMs of the node wait in NodeCopies
            if (keep) {
                SharedArray have = ps.views.get(key);
                if (have != null && !have.isClosed()) return have;
            }
            // the pool's copy is shared by the node; the caller's own copy (a result) has a name nobody else derives
            String name = NodeCopies.name(ps.id, node, keep ? key : key + "|" + java.util.UUID.randomUUID());
            NodeCopies.Copy c = NodeCopies.obtain(name, r, (off, len) -> read(ps, r, off, len), keep);
            if (c.created()) {
                copiesCreated.incrementAndGet();
                bytesPulled.addAndGet(c.bytesPulled());
            } else {
                copiesAttached.incrementAndGet();
            }
            if (c.state() != null) ps.keep(c.state());
            if (keep) { // the pool's: closed at its release (the owner last, which removes the name)
                ps.keep(c.view());
                if (c.owner() != null && c.owner() != c.view()) ps.keep(c.owner());
                ps.views.put(key, c.view());
            }
            return c.view();
        }
    }

    private CompletableFuture<byte[]> read(PoolState ps, NodeArrayRef r, long off, int len) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(b);
            out.writeUTF(r.key());
            out.writeLong(off);
            out.writeInt(len);
            out.flush();
            return call(r.member(), Engine.Lane.FETCH, Frame.Kind.READ, ps.id, ps.driver, b.toByteArray())
                    .thenApply(reply -> {
                        if (reply.status() != Frame.OK) {
                            throw new IllegalStateException("member " + r.member() + " (node " + r.node() + ") could not serve"
                                    + " bytes of " + r.handle().name() + ": " + new String(reply.body(), StandardCharsets.UTF_8));
                        }
                        return reply.body();
                    });
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Sends a request and checks its reply.
     *
     * @param member the target
     * @param lane its executor
     * @param kind the request
     * @param poolId the pool
     * @param driver the pool's driver
     * @param payload the request's bytes
     * @return the checked reply
     */
    CompletableFuture<Frame.Reply> call(String member, Engine.Lane lane, Frame.Kind kind, long poolId, String driver,
            byte[] payload) {
        byte[] request = Frame.request(secret, kind, poolId, driver, member, payload);
        byte[] tag = Frame.tagOf(request);
        CompletableFuture<byte[]> sent = engine.send(member, lane, request);
        CompletableFuture<Frame.Reply> out = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                sent.cancel(mayInterruptIfRunning);
                return super.cancel(mayInterruptIfRunning);
            }
        };
        sent.whenComplete((reply, e) -> {
            if (e != null) {
                out.completeExceptionally(e);
                return;
            }
            try {
                out.complete(Frame.readReply(secret, tag, reply, "member " + member));
            } catch (RuntimeException bad) {
                out.completeExceptionally(bad);
            }
        });
        return out;
    }

    // ---------------------------------------------------------------- running frames

    /**
     * Checks and runs one frame sent to this member; never throws (a failure is the reply).
     *
     * @param frameBytes the signed request
     * @return the signed reply
     */
    public byte[] handle(byte[] frameBytes) {
        Frame f;
        try {
            if (!bound.await(60, java.util.concurrent.TimeUnit.SECONDS)) return Frame.refused("this member is still starting");
            f = Frame.read(secret, frameBytes, memberId(), replays);
        } catch (ClusterAuthenticationException e) {
            LOG.log(Level.WARNING, "refused a frame: " + e.getMessage());
            return Frame.refused(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Frame.refused("interrupted");
        }
        NodeAgent outer = CURRENT.get();
        CURRENT.set(this);
        try {
            return Frame.reply(secret, f.tag, Frame.OK, run(f));
        } catch (Throwable t) {
            if (t instanceof Error && !(t instanceof StackOverflowError) && !(t instanceof OutOfMemoryError)
                    && !(t instanceof LinkageError) && !(t instanceof AssertionError)) {
                throw (Error) t;
            }
            return Frame.reply(secret, f.tag, Frame.FAILED, encodeFailure(t));
        } finally {
            if (outer == null) CURRENT.remove();
            else CURRENT.set(outer);
        }
    }

    private byte[] run(Frame f) throws Exception {
        switch (f.kind) {
            case TASK: {
                PoolState ps = initialized(f);
                Object task = decode(f.payload, ps, true);
                if (!(task instanceof SerializableCallable)) throw new IllegalArgumentException("a TASK frame without a task");
                tasksRun.incrementAndGet();
                Object result = ((SerializableCallable<?>) task).call();
                return Codec.encodeReplacingArrays(result, "result", a -> export(ps, a, true));
            }
            case CHUNK: {
                PoolState ps = initialized(f);
                DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(f.payload));
                byte[] fn = new byte[in.readInt()];
                in.readFully(fn);
                Object function = decode(fn, ps, true);
                Object items = decode(in.readAllBytes(), ps, true);
                if (!(function instanceof SerializableFunction) || !(items instanceof List)) {
                    throw new IllegalArgumentException("a CHUNK frame without a function and a list of items");
                }
                @SuppressWarnings("unchecked")
                SerializableFunction<Object, Object> fun = (SerializableFunction<Object, Object>) function;
                List<?> list = (List<?>) items;
                ArrayList<Object> results = new ArrayList<>(list.size());
                for (Object item : list) results.add(fun.apply(item));
                tasksRun.incrementAndGet();
                return Codec.encodeReplacingArrays(results, "results", a -> export(ps, a, true));
            }
            case READ: {
                PoolState ps = pools.get(f.poolId);
                DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(f.payload));
                String key = in.readUTF();
                long off = in.readLong();
                int len = in.readInt();
                SharedArray a = ps == null ? null : ps.served.get(key);
                if (a == null) throw new IllegalStateException("no array " + key + " is served for pool " + Long.toHexString(f.poolId) + " here (closed?)");
                if (off < 0 || len < 0 || off + len > a.byteSize()) {
                    throw new IllegalArgumentException("bytes [" + off + ", +" + len + ") outside " + a.byteSize());
                }
                byte[] out = new byte[len];
                ByteBuffer w = a.byteBuffers().get((int) (off >>> 30)).duplicate();
                w.position((int) (off & ((1L << 30) - 1)));
                w.get(out);
                bytesServed.addAndGet(len);
                return out;
            }
            case INIT: {
                byte[] init = driven.get(f.poolId);
                if (init == null) throw new IllegalStateException("pool " + Long.toHexString(f.poolId) + " is not driven here (closed?)");
                return init;
            }
            case RELEASE:
                release(f.poolId);
                return new byte[0];
            default:
                throw new IllegalArgumentException("unknown frame " + f.kind);
        }
    }

    /**
     * The frame's pool state, its initializer run here first (once). A failure of the initializer
     * itself sticks (every job of the pool fails here, naming it); failing to fetch it (the driver
     * busy or gone) does not: the next job tries again.
     */
    private PoolState initialized(Frame f) throws Exception {
        PoolState ps = pool(f.poolId, f.driver);
        if (ps.initialized) return ps; // volatile: no lock once initialized
        synchronized (ps) {
            if (ps.initFailure != null) throw ps.initFailure;
            if (ps.initialized) return ps;
            Frame.Reply r = call(f.driver, Engine.Lane.FETCH, Frame.Kind.INIT, f.poolId, f.driver, new byte[0]).join();
            if (r.status() != Frame.OK) throw new IllegalStateException("the driver sent no initializer: " + failureText(r.body()));
            if (r.body().length > 0) {
                try {
                    Object init = decode(r.body(), ps, true);
                    if (!(init instanceof SerializableRunnable)) throw new IllegalArgumentException("the initializer is not a SerializableRunnable");
                    ((SerializableRunnable) init).run();
                    initializersRun.incrementAndGet();
                } catch (Throwable e) {
                    ps.initFailure = new IllegalStateException("the pool's initializer failed on member " + memberId() + " (node "
                            + node + "): " + e, e);
                    throw ps.initFailure;
                }
            }
            ps.initialized = true;
            return ps;
        }
    }

    private String failureText(byte[] body) {
        try {
            Object t = Codec.decode(body, MAX_PAYLOAD);
            return String.valueOf(t);
        } catch (Exception e) {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** A failure as bytes: the exception itself when it serializes, else its class, message and trace. */
    static byte[] encodeFailure(Throwable t) {
        try {
            return Codec.encode(t, "failure");
        } catch (RuntimeException notSerializable) {
            RemoteThrowable r = new RemoteThrowable(t.getClass().getName(), t.getMessage(), t.getStackTrace());
            return Codec.encode(r, "failure");
        }
    }
}
