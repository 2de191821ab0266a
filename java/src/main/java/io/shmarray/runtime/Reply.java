package io.shmarray.runtime;

import io.shmarray.ProtocolException;
import io.shmarray.internal.DecodeRules;

/**
 * A result as the parent receives it: a value frame ({@code RESULT_OK}: the task's id, then the
 * value as {@link Codec#encodeValue} wrote it, decoded only by whoever takes the result), or a
 * {@link Messages.Result} that carries a failure.
 */
final class Reply {
    /** Bytes before the value in a {@code RESULT_OK} payload: the task's id. */
    static final int VALUE_OFFSET = Long.BYTES;

    final long id;
    final boolean ok;
    /** The {@code RESULT_OK} payload (id, then value), or null. */
    private final byte[] frame;
    /** The failure (or, from older paths, an encoded value), or null. */
    final Messages.Result result;

    private Reply(long id, boolean ok, byte[] frame, Messages.Result result) {
        this.id = id;
        this.ok = ok;
        this.frame = frame;
        this.result = result;
    }

    static Reply ok(byte[] payload) {
        if (payload.length < VALUE_OFFSET + 1) throw new ProtocolException("a result frame of " + payload.length + " bytes");
        return new Reply(java.nio.ByteBuffer.wrap(payload).getLong(), true, payload, null);
    }

    static Reply of(Messages.Result r) {
        return new Reply(r.id(), r.ok(), null, r);
    }

    /** The {@code RESULT_OK} payload for a value already encoded. */
    static byte[] okFrame(long id, byte[] value) {
        return java.nio.ByteBuffer.allocate(VALUE_OFFSET + value.length).putLong(id).put(value).array();
    }

    /** Decodes the value from {@code w}, under its rules (see {@link #decodeResult}). */
    Object value(Worker w) throws ClassNotFoundException {
        if (frame != null) {
            return decodeResult(frame, VALUE_OFFSET, frame.length - VALUE_OFFSET, w.pid(), w.rules);
        }
        byte[] v = result.value();
        return decodeResult(v, 0, v.length, w.pid(), w.rules);
    }

    /** The failure from {@code w} as a {@link RemoteException}. */
    RemoteException failure(Worker w) {
        return remote(result, w.rules);
    }

    /**
     * Decodes a result. Owner-scoped arrays the worker created and returns pass to this process
     * ({@link io.shmarray.SharedArray#adopt()}) while the worker still runs, so they outlive the
     * worker's exit or recycling; their name then goes when this process is done with them.
     */
    private static Object decodeResult(byte[] value, int off, int len, long workerPid, DecodeRules rules)
            throws ClassNotFoundException {
        return Codec.decodeValue(value, off, len, rules, o -> {
            if (o instanceof io.shmarray.SharedArray) {
                io.shmarray.SharedArray a = (io.shmarray.SharedArray) o;
                if (!a.isOwner() && a.mode() == io.shmarray.AccessMode.READ_WRITE && !a.handle().raw()
                        && a.handle().creatorPid() == workerPid && a.lifetime() == io.shmarray.Lifetime.OWNER_SCOPED) {
                    a.adopt();
                }
            }
            return o;
        });
    }

    /** The remote exception, with its own class where it deserializes, else its data. */
    private static RemoteException remote(Messages.Result r, DecodeRules rules) {
        Throwable cause = null;
        if (r.error() != null) {
            try {
                Object o = Codec.decode(r.error(), rules);
                if (o instanceof Throwable) cause = (Throwable) o;
            } catch (RuntimeException | ClassNotFoundException ignored) {
                // fall back to the plain data
            }
        }
        if (cause == null) cause = new RemoteThrowable(r.errorClass(), r.errorMessage(), r.errorTrace());
        return new RemoteException("the task failed in its worker: " + r.errorClass()
                + (r.errorMessage() == null ? "" : ": " + r.errorMessage()), cause);
    }
}
