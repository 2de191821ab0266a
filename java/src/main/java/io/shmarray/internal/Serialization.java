package io.shmarray.internal;

import io.shmarray.NotSerializableTaskException;
import io.shmarray.ProtocolException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The codec's core, below the public packages (queues, {@code Explain} and the runtime all use
 * it): how values become bytes — compactly ({@link CompactValues}) or by Java serialization, in
 * which shared arrays write only their handles — and how bytes are read back, through an
 * {@link ObjectInputFilter} that decides on every class before any of its code runs, within the
 * frame's limits. {@code io.shmarray.runtime.Codec} is its public face.
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
public final class Serialization {

    /** System property: a JDK-syntax pattern consulted before the defaults. */
    public static final String FILTER_PROPERTY = "io.shmarray.serialFilter";

    /**
     * System property: {@code allowlist} makes the filter deny by default: only what the user
     * pattern ({@value #FILTER_PROPERTY}) allows decodes, besides the protocol's own core
     * ({@link #inProtocolCore}); {@code default} (the default) also allows {@code java.lang},
     * {@code java.util}, {@code java.time}, {@code java.math}, JDK exceptions and the application's
     * own classes.
     */
    public static final String FILTER_MODE_PROPERTY = "io.shmarray.serialFilter.mode";

    /** Deepest object graph a decode accepts. */
    public static final int MAX_DEPTH = 200;
    /** Most objects (values) a decode accepts. */
    public static final int MAX_REFS = 2_000_000;

    private Serialization() {}

    /**
     * Serializes {@code o}, or explains which part cannot be.
     *
     * @param o the object graph to serialize; may be null
     * @return its Java serialization bytes (shared arrays inside as their handles)
     * @throws NotSerializableTaskException naming the path to the first value that cannot be serialized
     */
    public static byte[] encode(Object o) {
        return encode(o, "value");
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
        return encode(o, label, null);
    }

    /**
     * As {@link #encode(Object, String)}, showing every class written to {@code classCheck}
     * (null: none) first, which may refuse it by throwing (the runtime checks that its workers can
     * load it).
     *
     * @param o the object graph to serialize; may be null
     * @param label what {@code o} is, for the error message
     * @param classCheck sees each class before it is written; may throw
     * @return its Java serialization bytes (shared arrays inside as their handles)
     * @throws NotSerializableTaskException naming the path to the first value that cannot be serialized
     */
    public static byte[] encode(Object o, String label, java.util.function.Consumer<Class<?>> classCheck) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = classCheck == null ? new ObjectOutputStream(bytes)
                : new ObjectOutputStream(bytes) {
                    @Override
                    protected void annotateClass(Class<?> cl) {
                        classCheck.accept(cl);
                    }
                }) {
            out.writeObject(o);
        } catch (NotSerializableException | InvalidClassException e) {
            throw new NotSerializableTaskException(describeFailure(o, label, e), e);
        } catch (IOException e) {
            throw new NotSerializableTaskException("cannot serialize " + o.getClass().getName() + ": " + e, e);
        }
        return bytes.toByteArray();
    }

    /**
     * Encodes a value that crosses a process boundary (a result, a chunk's items, a queue item):
     * compactly when it is made of boxed primitives, strings, primitive arrays and
     * {@code ArrayList}s ({@link CompactValues}), else by Java serialization. Read it back with
     * {@link #decodeValue}.
     *
     * @param o the value; may be null
     * @param label what {@code o} is, for the error message
     * @return the encoded bytes, compact or Java serialization
     * @throws NotSerializableTaskException naming the path to the first value that cannot be serialized
     */
    public static byte[] encodeValue(Object o, String label) {
        byte[] compact = CompactValues.encode(o);
        return compact != null ? compact : encode(o, label);
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
        return decodeValue(b, 0, b.length, maxBytes, null);
    }

    /** As {@link #decodeValue(byte[], long)}, for {@code len} bytes from {@code off}; a resolver as in {@link #decode}. */
    public static Object decodeValue(byte[] b, int off, int len, long maxBytes,
            java.util.function.UnaryOperator<Object> resolver) throws ClassNotFoundException {
        return decodeValue(b, off, len, DecodeRules.fromProperties(maxBytes), resolver);
    }

    /** As {@link #decodeValue(byte[], int, int, long, java.util.function.UnaryOperator)}, under {@code rules}. */
    public static Object decodeValue(byte[] b, int off, int len, DecodeRules rules,
            java.util.function.UnaryOperator<Object> resolver) throws ClassNotFoundException {
        if (CompactValues.isCompact(b, off, len)) {
            if (len > rules.maxBytes) throw new ProtocolException("the codec's filter rejected a class or a limit: " + len
                    + " bytes, more than " + rules.maxBytes);
            return CompactValues.decode(b, off, len, rules.filter());
        }
        return decode(b, off, len, rules, resolver);
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
        return decode(b, maxBytes, null);
    }

    /**
     * As {@link #decode(byte[], long)}, passing every decoded object through {@code resolver}
     * (after the filter accepted its class), e.g. to turn a transport's own array references back
     * into arrays ({@code io.shmarray.runtime.Codec.encodeReplacingArrays}).
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
        return decode(b, 0, b.length, DecodeRules.fromProperties(maxBytes), resolver);
    }

    /** As {@link #decode(byte[], long)}, under {@code rules}. */
    public static Object decode(byte[] b, DecodeRules rules) throws ClassNotFoundException {
        return decode(b, 0, b.length, rules, null);
    }

    public static Object decode(byte[] b, int off, int len, DecodeRules rules,
            java.util.function.UnaryOperator<Object> resolver) throws ClassNotFoundException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(b, off, len)) {
            {
                if (resolver != null) enableResolveObject(true);
            }

            @Override
            protected Object resolveObject(Object obj) {
                return resolver == null ? obj : resolver.apply(obj);
            }

            @Override
            protected Class<?> resolveClass(java.io.ObjectStreamClass desc) throws IOException, ClassNotFoundException {
                try {
                    return Class.forName(desc.getName(), false, loader());
                } catch (ClassNotFoundException e) {
                    return super.resolveClass(desc);
                }
            }
        }) {
            in.setObjectInputFilter(rules.filter());
            return in.readObject();
        } catch (InvalidClassException e) {
            throw new ProtocolException("the codec's filter rejected a class or a limit: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ProtocolException("undecodable payload: " + e, e);
        }
    }

    private static ClassLoader loader() {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        return cl != null ? cl : Serialization.class.getClassLoader();
    }

    /** The filter this JVM's properties give, for payloads of at most {@code maxBytes}. */
    public static ObjectInputFilter filter(long maxBytes) {
        return DecodeRules.fromProperties(maxBytes).filter();
    }

    /**
     * What the protocol itself needs in allowlist mode: primitives and their arrays, boxed
     * primitives, {@code String}, {@code Enum}, {@code StackTraceElement} (a failure's trace),
     * {@code SerializedLambda} (a lambda names its code; its captured values pass the filter on their
     * own), {@code Object[]}, {@code ArrayList} (a map's chunk and results) and shmarray's own types
     * (messages, array handles).
     */
    public static boolean inProtocolCore(Class<?> c) {
        while (c.isArray()) c = c.getComponentType();
        if (c.isPrimitive()) return true;
        switch (c.getName()) {
            case "java.lang.String": case "java.lang.Boolean": case "java.lang.Byte": case "java.lang.Short":
            case "java.lang.Character": case "java.lang.Integer": case "java.lang.Long": case "java.lang.Float":
            case "java.lang.Double": case "java.lang.Number": case "java.lang.Enum": case "java.lang.StackTraceElement":
            case "java.lang.invoke.SerializedLambda": case "java.util.ArrayList":
            case "java.lang.Object": // only as Object[] (a lambda's captured values, ArrayList's check): not Serializable
                return true;
            default:
                return c.getName().startsWith("io.shmarray.");
        }
    }

    /** No frame is larger than the largest byte[] (so neither is any array read from one). */
    public static final long MAX_FRAME_BYTES = Integer.MAX_VALUE - 8;

    /**
     * The fewest stream bytes one element of an array of class {@code arrayClass} takes: its size
     * for primitives, 1 for references (a null marker). A declared length beyond what the frame
     * could carry is rejected before the JDK allocates it. (A 200 MB {@code byte[]} result inside
     * a 256 MiB frame passes; a forged length of 2^31 does not.)
     */
    public static long arrayElementBytes(Class<?> arrayClass) {
        Class<?> c = arrayClass == null ? null : arrayClass.getComponentType();
        if (c == long.class || c == double.class) return 8;
        if (c == int.class || c == float.class) return 4;
        if (c == short.class || c == char.class) return 2;
        return 1;
    }

    public static boolean allowedByDefault(Class<?> c) {
        while (c.isArray()) c = c.getComponentType();
        if (c.isPrimitive()) return true;
        String n = c.getName();
        if (n.startsWith("java.lang.") && !n.startsWith("java.lang.invoke.") && !n.startsWith("java.lang.reflect.")) {
            return true;
        }
        if (n.equals("java.lang.invoke.SerializedLambda")) return true;
        if (n.startsWith("java.util.") || n.startsWith("java.time.") || n.startsWith("java.math.")) return true;
        if (n.startsWith("io.shmarray.")) return true;
        // exceptions of the JDK (java.io.IOException & co.) travel back as task failures
        if (n.startsWith("java.") && Throwable.class.isAssignableFrom(c)) return true;
        ClassLoader l = c.getClassLoader();
        // the user's code: loaded from the application class path, not the JDK's modules
        return l != null && l != ClassLoader.getPlatformClassLoader();
    }

    // ------------------------------------------------------------------ naming what cannot travel

    /** A human path to the first non-serializable value inside {@code root}. */
    public static String describeFailure(Object root, String label, Exception e) {
        String path = findNonSerializable(root, label, new IdentityHashMap<>(), 0);
        return path != null ? path : "cannot serialize " + root.getClass().getName() + ": " + e.getMessage();
    }

    private static String findNonSerializable(Object o, String where, Map<Object, Boolean> seen, int depth) {
        if (o == null || depth > 20 || seen.put(o, Boolean.TRUE) != null) return null;
        Class<?> c = o.getClass();
        if (!(o instanceof Serializable)) {
            return where + " of type " + typeName(c) + " is not Serializable";
        }
        SerializedLambda lambda = Lambdas.serializedForm(o);
        if (lambda != null) {
            for (int i = 0; i < lambda.getCapturedArgCount(); i++) {
                Object arg = lambda.getCapturedArg(i);
                String label = arg != null && arg.getClass().getName().equals(lambda.getCapturingClass().replace('/', '.'))
                        ? "captured value 'this'" : "captured value #" + (i + 1);
                String found = findNonSerializable(arg, label + " of lambda " + implName(lambda), seen, depth + 1);
                if (found != null) return found;
            }
            return null;
        }
        if (c.isArray()) {
            if (c.getComponentType().isPrimitive()) return null;
            Object[] a = (Object[]) o;
            for (int i = 0; i < a.length; i++) {
                String found = findNonSerializable(a[i], where + "[" + i + "]", seen, depth + 1);
                if (found != null) return found;
            }
            return null;
        }
        if (o instanceof Iterable && c.getName().startsWith("java.util.")) {
            int i = 0;
            for (Object e : (Iterable<?>) o) {
                String found = findNonSerializable(e, where + " element " + i++, seen, depth + 1);
                if (found != null) return found;
            }
            return null;
        }
        if (o instanceof Map && c.getName().startsWith("java.util.")) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) o).entrySet()) {
                String found = findNonSerializable(e.getValue(), where + " value for key " + e.getKey(), seen, depth + 1);
                if (found != null) return found;
            }
            return null;
        }
        if (c.getName().startsWith("java.")) return null;
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                int m = f.getModifiers();
                if (Modifier.isStatic(m) || Modifier.isTransient(m) || f.getType().isPrimitive()) continue;
                try {
                    f.setAccessible(true);
                    String found = findNonSerializable(f.get(o), "field '" + f.getName() + "' of " + typeName(k), seen,
                            depth + 1);
                    if (found != null) return found;
                } catch (RuntimeException | IllegalAccessException ignored) {
                    // inaccessible (module rules): cannot look inside
                }
            }
        }
        return null;
    }

    public static String implName(SerializedLambda l) {
        return l.getImplClass().replace('/', '.') + "::" + l.getImplMethodName();
    }

    public static String typeName(Class<?> c) {
        return c.isAnonymousClass() || c.isSynthetic() ? c.getName() : c.getTypeName();
    }
}
