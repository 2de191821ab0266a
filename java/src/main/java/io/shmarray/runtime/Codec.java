package io.shmarray.runtime;

import io.shmarray.NotSerializableTaskException;
import io.shmarray.ProtocolException;
import io.shmarray.SharedArray;
import io.shmarray.internal.DecodeRules;
import io.shmarray.internal.Serialization;

/**
 * How task payloads become bytes: Java serialization (shared arrays inside write only their
 * handles), read back through an {@link java.io.ObjectInputFilter} that decides on every class before any
 * of its code runs. Queues, pipes and the runtime all encode this way; the core lives in the
 * library's internals, below its public packages.
 *
 * <p>The default filter, in order:
 * <ol>
 *   <li>limits: depth {@value #MAX_DEPTH}, references {@value #MAX_REFS}, stream bytes (the
 *       frame limit), and arrays no larger than the frame could carry (length x element size, one
 *       byte per element of an object array), checked before the array is allocated;
 *   <li>the user's pattern in {@value #FILTER_PROPERTY} (JDK filter syntax, e.g.
 *       {@code com.example.**;!com.example.Evil}), when it decides;
 *   <li>allowed: primitives and arrays of allowed types, {@code java.lang}, {@code java.util}
 *       and subpackages, {@code java.time}, {@code java.math}, {@code java.lang.invoke.SerializedLambda},
 *       {@code io.shmarray}, and classes loaded from the application class path (the user's code);
 *   <li>everything else (JDK internals, {@code javax.*}, platform modules): rejected.
 * </ol>
 */
public final class Codec {

    /** System property: a JDK-syntax pattern consulted before the defaults. */
    public static final String FILTER_PROPERTY = Serialization.FILTER_PROPERTY;

    /**
     * System property: {@code allowlist} makes the filter deny by default: only what the user
     * pattern ({@value #FILTER_PROPERTY}) allows decodes, besides the protocol's own core
     * (primitives, boxes, strings, lambdas' serialized form, {@code ArrayList}, shmarray's own
     * types); {@code default} (the default) also allows {@code java.lang}, {@code java.util},
     * {@code java.time}, {@code java.math}, JDK exceptions and the application's own classes.
     */
    public static final String FILTER_MODE_PROPERTY = Serialization.FILTER_MODE_PROPERTY;

    static final int MAX_DEPTH = Serialization.MAX_DEPTH;
    static final int MAX_REFS = Serialization.MAX_REFS;
    /** No frame is larger than the largest byte[] (so neither is any array read from one). */
    static final long MAX_FRAME_BYTES = Serialization.MAX_FRAME_BYTES;

    private Codec() {}

    /**
     * Serializes {@code o}, or explains which part cannot be.
     *
     * @param o the object graph to serialize; may be null
     * @return its Java serialization bytes (shared arrays inside as their handles)
     * @throws NotSerializableTaskException naming the path to the first value that cannot be serialized
     */
    public static byte[] encode(Object o) {
        return Serialization.encode(o, "value");
    }

    /**
     * As {@link #encode(Object)}; {@code label} names {@code o} in the error ("task", "result").
     *
     * @param o the object graph to serialize; may be null
     * @param label what {@code o} is, for the error message
     * @return its Java serialization bytes (shared arrays inside as their handles)
     * @throws NotSerializableTaskException naming the path to the first value that cannot be serialized
     */
    public static byte[] encode(Object o, String label) {
        return Serialization.encode(o, label);
    }

    /**
     * As {@link #encode(Object, String)}, for a control frame: what would exceed {@code limit} is
     * refused here, before anything is sent, with a {@link FrameTooLargeException}.
     */
    static byte[] encodeFrame(Object o, String label, long limit) {
        return encodeFrame(o, label, limit, null);
    }

    /** As {@link #encodeFrame(Object, String, long)}, checking classes against {@code workerClassPath} (null: not). */
    static byte[] encodeFrame(Object o, String label, long limit, String workerClassPath) {
        byte[] b = encode(o, label, workerClassPath);
        if (b.length + 1L > limit) throw new FrameTooLargeException("the " + label, b.length, limit);
        return b;
    }

    /**
     * As {@link #encode(Object, String)}, writing each shared array reached from {@code o} as
     * {@code arrays.apply(array)} instead of its handle (where that returns null: its handle). A
     * transport whose other end cannot attach by name (another machine) writes its own reference
     * this way, and resolves it when decoding ({@link #decode(byte[], long, java.util.function.UnaryOperator)}).
     *
     * @param o the object graph to serialize; may be null
     * @param label what {@code o} is, for the error message
     * @param arrays what to write for each shared array: a serializable substitute, or null
     * @return its Java serialization bytes
     * @throws NotSerializableTaskException naming the path to the first value that cannot be serialized
     */
    public static byte[] encodeReplacingArrays(Object o, String label, java.util.function.Function<? super SharedArray, ?> arrays) {
        java.util.Objects.requireNonNull(arrays, "arrays");
        return io.shmarray.internal.ArraySubstitution.during(a -> arrays.apply((SharedArray) a), () -> encode(o, label));
    }

    /**
     * As {@link #encode(Object, String)}, for what a worker with {@code workerClassPath} (null: no
     * check) will decode: a class the workers could not load is refused here, naming the fix
     * ({@link WorkerClassCheck}).
     */
    static byte[] encode(Object o, String label, String workerClassPath) {
        return Serialization.encode(o, label,
                workerClassPath == null ? null : c -> WorkerClassCheck.check(c, workerClassPath, label));
    }

    /**
     * Encodes a value that crosses a process boundary (a result, a chunk's items, a queue item):
     * compactly when it is made of boxed primitives, strings, primitive arrays and
     * {@code ArrayList}s, else by Java serialization. Read it back with {@link #decodeValue}.
     *
     * @param o the value; may be null
     * @param label what {@code o} is, for the error message
     * @return the encoded bytes, compact or Java serialization
     * @throws NotSerializableTaskException naming the path to the first value that cannot be serialized
     */
    public static byte[] encodeValue(Object o, String label) {
        return Serialization.encodeValue(o, label);
    }

    /**
     * Decodes what {@link #encodeValue} wrote, through the same filter and limits as {@link #decode}.
     *
     * @param b the encoded bytes
     * @param maxBytes the largest payload accepted, in bytes (the filter's stream and array limits)
     * @return the decoded value
     * @throws ProtocolException when the filter rejects a class or a limit, or the bytes are garbled
     * @throws ClassNotFoundException when a class named in the stream is not found here
     */
    public static Object decodeValue(byte[] b, long maxBytes) throws ClassNotFoundException {
        return Serialization.decodeValue(b, maxBytes);
    }

    /** As {@link #decodeValue(byte[], long)}, for {@code len} bytes from {@code off}; a resolver as in {@link #decode}. */
    static Object decodeValue(byte[] b, int off, int len, long maxBytes,
            java.util.function.UnaryOperator<Object> resolver) throws ClassNotFoundException {
        return Serialization.decodeValue(b, off, len, maxBytes, resolver);
    }

    /** As {@link #decodeValue(byte[], int, int, long, java.util.function.UnaryOperator)}, under {@code rules}. */
    static Object decodeValue(byte[] b, int off, int len, DecodeRules rules,
            java.util.function.UnaryOperator<Object> resolver) throws ClassNotFoundException {
        return Serialization.decodeValue(b, off, len, rules, resolver);
    }

    /**
     * Deserializes through the filter; a rejected class or exceeded limit is a ProtocolException.
     *
     * @param b Java serialization bytes, e.g. from {@link #encode(Object)}
     * @param maxBytes the largest payload accepted, in bytes (the filter's stream and array limits)
     * @return the decoded object (a shared array inside is attached)
     * @throws ProtocolException when the filter rejects a class or a limit, or the bytes are garbled
     * @throws ClassNotFoundException when a class named in the stream is not found here
     */
    public static Object decode(byte[] b, long maxBytes) throws ClassNotFoundException {
        return Serialization.decode(b, maxBytes);
    }

    /**
     * As {@link #decode(byte[], long)}, passing every decoded object through {@code resolver}
     * (after the filter accepted its class), e.g. to turn a transport's own array references back
     * into arrays ({@link #encodeReplacingArrays}).
     *
     * @param b the serialized bytes
     * @param maxBytes the largest payload accepted
     * @param resolver returns what to use for each decoded object (itself, or a replacement)
     * @return the decoded object graph
     * @throws ProtocolException when the filter rejects a class or a limit, or the bytes are garbled
     * @throws ClassNotFoundException when a class named in the stream is not found here
     */
    public static Object decode(byte[] b, long maxBytes, java.util.function.UnaryOperator<Object> resolver)
            throws ClassNotFoundException {
        return Serialization.decode(b, maxBytes, resolver);
    }

    /** As {@link #decode(byte[], long)}, under {@code rules}. */
    static Object decode(byte[] b, DecodeRules rules) throws ClassNotFoundException {
        return Serialization.decode(b, rules);
    }

    static String typeName(Class<?> c) {
        return Serialization.typeName(c);
    }
}
