package io.shmarray.internal;

import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What a shared array writes in place of its handle while one thread serializes under
 * {@link #during}: a transport that cannot attach by name at the other end (another machine's
 * {@code /dev/shm}) writes its own reference instead. Outside {@code during}, and where the
 * substitute function returns null, arrays serialize as their handles.
 */
public final class ArraySubstitution {

    private static final ThreadLocal<Function<Object, Object>> CURRENT = new ThreadLocal<>();

    private ArraySubstitution() {}

    /**
     * Runs {@code body} with {@code substitute} in force on this thread (nested calls restore the outer one).
     *
     * @param <T> what the body returns
     * @param substitute called with each array serialized; returns what to write instead, or null for its handle
     * @param body the serialization
     * @return what the body returned
     */
    public static <T> T during(Function<Object, Object> substitute, Supplier<T> body) {
        Function<Object, Object> outer = CURRENT.get();
        CURRENT.set(substitute);
        try {
            return body.get();
        } finally {
            if (outer == null) CURRENT.remove();
            else CURRENT.set(outer);
        }
    }

    /**
     * What {@code array} writes instead of its handle now.
     *
     * @param array the array being serialized
     * @return its substitute, or null for its handle
     */
    public static Object substitute(Object array) {
        Function<Object, Object> f = CURRENT.get();
        return f == null ? null : f.apply(array);
    }
}
