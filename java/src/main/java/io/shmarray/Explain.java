package io.shmarray;

import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.lang.invoke.SerializedLambda;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What sending a task or object to another process copies, and what it shares — the Java answer
 * to {@code pickletools.dis(pickle.dumps(f))}.
 *
 * <pre>{@code
 * System.out.println(Explain.explain(task));
 * // task: serializable lambda
 * //   code        travels by reference: com.example.Main::lambda$main$0 (class + method, not copied)
 * //   captured #1 io.shmarray.SharedDoubleArray: SHARED, handle 231 B; 800,000,000 B not copied (shmarray-... float64[100000000])
 * //   captured #2 java.lang.Integer: copied, 81 B
 * //   on the wire 498 B; shared without copying 800,000,000 B
 * }</pre>
 *
 * Code always travels by reference: the receiving JVM loads the class from the same class path.
 * Everything reachable from captured values or fields is copied by serialization, except shared
 * arrays, which write only their handle.
 */
public final class Explain {

    /**
     * One copied or shared part of a task.
     *
     * @param label "object", "captured #N" or "captured 'this'"
     * @param type the part's class name, or "null"
     * @param copiedBytes bytes the part takes when serialized on its own (handles included)
     * @param shared the handles of the shared arrays reachable from the part: their data is not copied
     */
    public record Part(String label, String type, long copiedBytes, List<ArrayHandle> shared) {
        /** {@return the bytes of shared array data reachable from this part, which are not copied} */
        public long sharedBytes() {
            long n = 0;
            for (ArrayHandle h : shared) n += h.length() * h.dtype().byteSize();
            return n;
        }
    }

    /**
     * The explanation of one task or object.
     *
     * @param kind "serializable lambda", "object" ...
     * @param code where the code comes from (class + method for lambdas), never copied
     * @param parts each captured value (lambdas) or the object itself
     * @param wireBytes bytes the whole task takes when serialized
     */
    public record Report(String kind, String code, List<Part> parts, long wireBytes) {
        /** {@return the bytes of shared array data the task reaches without copying them} */
        public long sharedBytes() {
            long n = 0;
            for (Part p : parts) n += p.sharedBytes();
            return n;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            sb.append("task: ").append(kind).append('\n');
            sb.append("  code        ").append(code).append('\n');
            for (Part p : parts) {
                sb.append(String.format(Locale.ROOT, "  %-11s %s: ", p.label(), p.type()));
                if (p.shared().isEmpty()) {
                    sb.append(String.format(Locale.ROOT, "copied, %,d B%n", p.copiedBytes()));
                } else {
                    sb.append(String.format(Locale.ROOT, "SHARED, %,d B on the wire; %,d B not copied (", p.copiedBytes(),
                            p.sharedBytes()));
                    for (int i = 0; i < p.shared().size(); i++) {
                        ArrayHandle h = p.shared().get(i);
                        if (i > 0) sb.append(", ");
                        sb.append(h.name()).append(' ').append(h.dtype().numpyName())
                                .append(java.util.Arrays.toString(h.shape()));
                    }
                    sb.append(")\n");
                }
            }
            sb.append(String.format(Locale.ROOT, "  on the wire %,d B; shared without copying %,d B", wireBytes,
                    sharedBytes()));
            return sb.toString();
        }
    }

    private Explain() {}

    /**
     * Explains {@code task}: a serializable lambda or method reference, or any serializable object.
     *
     * @param task what would be sent to another process
     * @return what it copies and shares; its {@code toString()} is the printable report
     * @throws io.shmarray.NotSerializableTaskException when it cannot travel at all
     */
    public static Report explain(Object task) {
        long wire = io.shmarray.internal.Serialization.encode(task, "task").length;
        SerializedLambda lambda = io.shmarray.internal.Lambdas.serializedForm(task);
        List<Part> parts = new ArrayList<>();
        if (lambda != null) {
            String impl = lambda.getImplClass().replace('/', '.') + "::" + lambda.getImplMethodName();
            for (int i = 0; i < lambda.getCapturedArgCount(); i++) {
                Object arg = lambda.getCapturedArg(i);
                boolean isThis = arg != null && arg.getClass().getName().equals(lambda.getCapturingClass().replace('/', '.'));
                parts.add(measure(isThis ? "captured 'this'" : "captured #" + (i + 1), arg));
            }
            String iface = lambda.getFunctionalInterfaceClass().replace('/', '.');
            return new Report("serializable lambda or method reference (" + iface + ")",
                    "travels by reference: " + impl + " (class + method, not copied)", parts, wire);
        }
        parts.add(measure("object", task));
        return new Report("object of " + task.getClass().getName(),
                "travels by reference: class " + task.getClass().getName() + " (its fields are copied)", parts, wire);
    }

    private static Part measure(String label, Object o) {
        List<ArrayHandle> shared = new ArrayList<>();
        CountingStream counter = new CountingStream();
        try (ObjectOutputStream out = new ObjectOutputStream(counter) {
            {
                enableReplaceObject(true);
            }

            @Override
            protected Object replaceObject(Object obj) {
                if (obj instanceof SharedArray.SerializedArray) shared.add(((SharedArray.SerializedArray) obj).handle());
                return obj;
            }
        }) {
            out.writeObject(o);
        } catch (IOException e) {
            throw new IllegalStateException("cannot measure " + label + ": " + e, e);
        }
        return new Part(label, o == null ? "null" : o.getClass().getName(), counter.count, shared);
    }

    private static final class CountingStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
