package io.shmarray.internal;

import java.io.Serializable;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Method;

/** Looks inside serializable lambdas and method references (for error messages and explain). */
public final class Lambdas {
    private Lambdas() {}

    /** The SerializedLambda of a serializable lambda or method reference, or null for anything else. */
    public static SerializedLambda serializedForm(Object o) {
        Class<?> c = o.getClass();
        if (!c.isSynthetic() || !(o instanceof Serializable)) return null;
        try {
            Method m = c.getDeclaredMethod("writeReplace");
            m.setAccessible(true);
            Object r = m.invoke(o);
            return r instanceof SerializedLambda ? (SerializedLambda) r : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
