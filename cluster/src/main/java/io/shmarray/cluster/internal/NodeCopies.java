package io.shmarray.cluster.internal;

import io.shmarray.AccessMode;
import io.shmarray.ArrayLock;
import io.shmarray.DType;
import io.shmarray.Lifetime;
import io.shmarray.LockOwnerDiedException;
import io.shmarray.LockTimeoutException;
import io.shmarray.SegmentExistsException;
import io.shmarray.SegmentNotFoundException;
import io.shmarray.SegmentNotReadyException;
import io.shmarray.SharedArray;
import io.shmarray.SharedLongArray;
import io.shmarray.ShmException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

/**
 * The node copy of an array from another node: made once per node, by whichever JVM of the node
 * needs it first, and attached by every other JVM of the node.
 *
 * <ol>
 *   <li>A small state segment ({@code <name>s}: state, data segment id and generation) is created
 *       exclusively: its creator is the filler, which holds the state's robust lock while it
 *       fills; the others attach it and wait.
 *   <li>The filler creates the data segment, pulls the origin's bytes into it in
 *       {@value #CHUNK_BYTES}-byte chunks ({@value #WINDOW} in flight, on the origin's fetch
 *       executor), records the data segment's identity, publishes {@code READY}, then unlocks.
 *   <li>Everyone, the filler included, uses the data read-only (a snapshot; in-place writes stay
 *       on the origin node); a waiter checks that the name still denotes the recorded segment.
 *   <li>A filler that fails removes its names (it owns them). One that dies is seen by a waiter
 *       as the robust lock's owner-died (which works across PID namespaces, unlike a pid check):
 *       the one waiter that moves the state from FILLING to ABANDONED removes the names, after
 *       checking they are still the dead filler's, and everyone starts over.
 * </ol>
 * Both segments are owner-scoped by the filler: they go when its pool releases them, or with the
 * filler's process (reaper).
 */
final class NodeCopies {

    static final int CHUNK_BYTES = 1 << 20;
    static final int WINDOW = 4;
    private static final long FILLING = 1;
    private static final long READY = 2;
    private static final long FAILED = 3;
    private static final long ABANDONED = 4;
    private static final long WAIT_LIMIT_NANOS = 600_000_000_000L;

    /** Reads one chunk of the origin's bytes: (offset, length) → bytes. */
    interface ChunkSource {
        CompletableFuture<byte[]> read(long offset, int length);
    }

    /**
     * What obtaining a copy did here: created (pulled) it, or attached one another JVM made.
     *
     * @param view what tasks use: read-only, or the filler's own writable array when asked for
     * @param owner the filler's writable array (it owns the names), or null
     * @param state the state segment, kept as long as the copy (its name marks the copy taken), or null
     */
    record Copy(SharedArray view, SharedArray owner, SharedLongArray state, boolean created, long bytesPulled) {}

    private NodeCopies() {}

    /** The node copy's segment name for this pool, node and array: the same in every JVM of the node. */
    static String name(long poolId, String node, String key) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256")
                    .digest((poolId + "\n" + node + "\n" + key).getBytes(StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder("shmarray-nc-"); // random names have no second dash
            for (int i = 0; i < 8; i++) sb.append(String.format("%02x", d[i]));
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * This node's copy of {@code ref}: created and filled from {@code source} when this JVM is the
     * first of the node to need it, else attached. {@code readOnly}: tasks get a read-only view
     * (else the filler's own writable array, for a copy nobody else shares).
     */
    static Copy obtain(String name, NodeArrayRef ref, ChunkSource source, boolean readOnly) {
        long deadline = System.nanoTime() + WAIT_LIMIT_NANOS;
        String stateName = name + "s";
        while (true) {
            if (System.nanoTime() > deadline) {
                throw new ShmException("waited 10 minutes for this node's copy of " + ref.handle().name(), 0, name);
            }
            SharedLongArray state;
            try {
                state = (SharedLongArray) SharedArray.createNamed(stateName, Lifetime.OWNER_SCOPED, DType.LONG, 4);
            } catch (SegmentExistsException taken) {
                Copy c = awaitOther(name, stateName, deadline);
                if (c != null) return c;
                LockSupport.parkNanos(1_000_000); // a failed filler is removing its names; then try again
                continue;
            }
            return fill(name, state, ref, source, readOnly);
        }
    }

    private static Copy fill(String name, SharedLongArray state, NodeArrayRef ref, ChunkSource source, boolean readOnly) {
        SharedArray data = null;
        boolean ok = false;
        ArrayLock held = null;
        boolean interrupted = Thread.interrupted(); // set aside: the protocol must not stop half-way (restored below)
        try {
            held = state.lock();
            state.setVolatile(0, FILLING);
            DType dtype = ref.handle().dtype();
            long[] shape = ref.handle().shape();
            try {
                data = SharedArray.createNamed(name, Lifetime.OWNER_SCOPED, dtype, shape);
            } catch (SegmentExistsException stale) { // left by a filler that died before its state went
                unlinkIf(name, 0, 0);
                data = SharedArray.createNamed(name, Lifetime.OWNER_SCOPED, dtype, shape);
            }
            pull(data.byteBuffers(), ref.byteSize(), source);
            // the filler's read-only view is made from its own segment's handle, never by name
            SharedArray view = readOnly ? SharedArray.attach(data.handle().withMode(AccessMode.READ_ONLY)) : data;
            state.setVolatile(2, data.handle().segmentId());
            state.setVolatile(3, data.handle().generation());
            state.setVolatile(0, READY);
            ok = true;
            return new Copy(view, data, state, true, ref.byteSize());
        } finally {
            if (!ok) state.setVolatile(0, FAILED);
            if (held != null) held.close();
            if (!ok) {
                if (data != null) data.close();
                state.close();
            }
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    private static void pull(List<ByteBuffer> windows, long size, ChunkSource source) {
        Deque<long[]> offsets = new ArrayDeque<>();
        Deque<CompletableFuture<byte[]>> inFlight = new ArrayDeque<>();
        long next = 0;
        try {
            while (next < size || !inFlight.isEmpty()) {
                while (next < size && inFlight.size() < WINDOW) {
                    int len = (int) Math.min(CHUNK_BYTES, size - next);
                    inFlight.add(source.read(next, len));
                    offsets.add(new long[] {next, len});
                    next += len;
                }
                byte[] bytes = inFlight.remove().join();
                long[] at = offsets.remove();
                if (bytes.length != at[1]) {
                    throw new IllegalStateException("the origin sent " + bytes.length + " bytes for [" + at[0] + ", +" + at[1] + ")");
                }
                ByteBuffer w = windows.get((int) (at[0] >>> 30)).duplicate();
                w.position((int) (at[0] & ((1L << 30) - 1)));
                w.put(bytes);
            }
        } finally {
            for (CompletableFuture<byte[]> f : inFlight) f.cancel(true);
        }
    }

    /** Waits for the filler of another JVM; null when it failed or died (the caller starts over). */
    private static Copy awaitOther(String name, String stateName, long deadline) {
        SharedLongArray state;
        try {
            state = (SharedLongArray) SharedArray.attach(stateName);
        } catch (SegmentNotFoundException | SegmentNotReadyException | io.shmarray.PoisonedArrayException gone) {
            return null; // removed (a failed filler), still being created, or its filler just died: try again
        }
        boolean interrupted = Thread.interrupted(); // the lock probes below refuse an interrupted thread
        try {
            long idleSince = 0;
            while (true) {
                if (System.nanoTime() > deadline) {
                    throw new ShmException("waited 10 minutes for this node's copy " + name + " to be filled", 0, name);
                }
                long s = state.getVolatile(0);
                if (s == READY) return attachReady(name, state);
                if (s == FAILED || s == ABANDONED) return null;
                try (ArrayLock probe = state.lock(Duration.ofMillis(20))) {
                    // the filler holds the lock while it fills: got it, so it is done, or gone without a word
                    long now = state.getVolatile(0);
                    if (now == READY) return attachReady(name, state);
                    if (now == FILLING) {
                        abandon(name, stateName, state);
                    } else if (idleSince == 0) {
                        idleSince = System.nanoTime(); // created, not locked yet: give its filler a moment
                    } else if (System.nanoTime() - idleSince > 5_000_000_000L) {
                        abandon(name, stateName, state, 0);
                    }
                } catch (LockTimeoutException filling) {
                    // the filler is at work
                } catch (LockOwnerDiedException died) {
                    state.recover();
                    abandon(name, stateName, state);
                    return null;
                } catch (io.shmarray.PoisonedArrayException diedJustNow) {
                    return null; // another waiter saw the owner die first and is cleaning up
                }
            }
        } finally {
            state.close();
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    private static Copy attachReady(String name, SharedLongArray state) {
        SharedArray view;
        try {
            view = SharedArray.attach(name, AccessMode.READ_ONLY);
        } catch (SegmentNotFoundException gone) {
            return null; // the filler's process died since and the reaper removed its names: start over
        }
        if (view.handle().segmentId() != state.getVolatile(2) || view.handle().generation() != state.getVolatile(3)) {
            view.close(); // the name denotes another segment now: start over
            return null;
        }
        return new Copy(view, null, null, false, 0);
    }

    /** The filler died: the one waiter that marks the state ABANDONED removes what it left. */
    private static void abandon(String name, String stateName, SharedLongArray state) {
        abandon(name, stateName, state, FILLING);
    }

    private static void abandon(String name, String stateName, SharedLongArray state, long from) {
        if (!state.compareAndSet(0, from, ABANDONED)) return;
        unlinkIf(name, state.getVolatile(2), state.getVolatile(3));
        unlinkIf(stateName, state.handle().segmentId(), state.handle().generation());
    }

    /** Removes {@code name} if it still denotes the segment (id, generation), or any segment when id is 0. */
    private static void unlinkIf(String name, long segmentId, long generation) {
        try (SharedArray a = SharedArray.attach(name)) {
            if (segmentId == 0 || (a.handle().segmentId() == segmentId && a.handle().generation() == generation)) a.unlink();
        } catch (SegmentNotFoundException | SegmentNotReadyException gone) {
            // already removed
        } catch (RuntimeException e) {
            System.getLogger("io.shmarray.cluster").log(System.Logger.Level.WARNING, "could not remove stale node copy " + name, e);
        }
    }
}
