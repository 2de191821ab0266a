import io.shmarray.AccessMode;
import io.shmarray.ArrayLock;
import io.shmarray.CorruptSegmentException;
import io.shmarray.DType;
import io.shmarray.Lifetime;
import io.shmarray.SharedArray;
import io.shmarray.SharedByteArray;
import io.shmarray.SharedDoubleArray;
import io.shmarray.SharedFloatArray;
import io.shmarray.SharedIntArray;
import io.shmarray.SharedLongArray;
import io.shmarray.SharedShortArray;
import io.shmarray.Shmarray;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The Java side of the Python interop tests, run in single-file source mode:
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp shmarray.jar python/tests/JavaSide.java serve
 * </pre>
 *
 * {@code serve} reads one command per line on stdin and answers each with one line on stdout:
 * {@code ok<TAB>result...} or {@code err<TAB>ExceptionClass<TAB>field or -<TAB>message}. Arrays
 * are kept open by name until {@code close NAME} or {@code quit}. Commands (DTYPE is numpy's
 * name, e.g. float64; MODE is rw, r or cow; values are decimal integers, or for float32 and
 * float64 the raw IEEE bits in hex, so that every value, -0.0 and NaN included, crosses exactly):
 *
 * <pre>
 * info                                   backend and JDK
 * create NAME DTYPE owner|persistent D.. SharedArray.createNamed; answers segmentOffset()
 * attach NAME MODE                       SharedArray.attach(name, mode); answers a description
 * attachtyped NAME DTYPE                 SharedDoubleArray.attach(name) etc. for that DTYPE
 * dump NAME                              every element, row-major, with the typed get(i)
 * getat NAME I J ..                      the typed getAt(i, j, ..)
 * setall NAME V0 V1 ..                   the typed set(i, Vi) for every i
 * lock NAME                              takes and releases lock() (5 s limit)
 * poisoned NAME                          isPoisoned()
 * close NAME                             close() (an owner-scoped creator removes the name)
 * quit
 * </pre>
 */
public class JavaSide {

    private static final Map<String, SharedArray> OPEN = new HashMap<>();

    public static void main(String[] args) throws Exception {
        if (args.length != 1 || !args[0].equals("serve")) {
            System.err.println("usage: JavaSide serve   (then one command per line on stdin)");
            System.exit(2);
        }
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            String[] w = line.trim().split("\\s+");
            if (w[0].equals("quit")) break;
            String reply;
            try {
                reply = "ok\t" + run(w);
            } catch (Exception e) {
                String field = e instanceof CorruptSegmentException c ? c.field() : "-";
                reply = "err\t" + e.getClass().getSimpleName() + "\t" + field + "\t"
                        + String.valueOf(e.getMessage()).replace('\n', ' ').replace('\t', ' ');
            }
            out.println(reply);
        }
        for (SharedArray a : OPEN.values()) a.close();
    }

    private static String run(String[] w) {
        switch (w[0]) {
            case "info":
                return Shmarray.backendName() + "\t" + Runtime.version();
            case "create": {
                Lifetime lifetime = w[3].equals("persistent") ? Lifetime.PERSISTENT : Lifetime.OWNER_SCOPED;
                SharedArray a = keep(w[1], SharedArray.createNamed(w[1], lifetime, dtype(w[2]), longs(w, 4)));
                return Long.toString(a.segmentOffset());
            }
            case "attach":
                return describe(keep(w[1], SharedArray.attach(w[1], mode(w[2]))));
            case "attachtyped":
                return describe(keep(w[1], attachTyped(w[1], dtype(w[2]))));
            case "dump": {
                SharedArray a = get(w[1]);
                StringBuilder sb = new StringBuilder();
                for (long i = 0; i < a.length(); i++) sb.append(i == 0 ? "" : " ").append(element(a, i));
                return sb.toString();
            }
            case "getat":
                return elementAt(get(w[1]), longs(w, 2));
            case "setall": {
                SharedArray a = get(w[1]);
                if (w.length - 2 != a.length()) {
                    throw new IllegalArgumentException((w.length - 2) + " values for " + a.length() + " elements");
                }
                for (int i = 0; i < a.length(); i++) set(a, i, w[i + 2]);
                return Long.toString(a.length());
            }
            case "lock":
                try (ArrayLock held = get(w[1]).lock(Duration.ofSeconds(5))) {
                    return "locked";
                }
            case "poisoned":
                return Boolean.toString(get(w[1]).isPoisoned());
            case "close": {
                SharedArray a = OPEN.remove(w[1]);
                if (a == null) throw new IllegalArgumentException("no open array named " + w[1]);
                a.close();
                return "closed";
            }
            default:
                throw new IllegalArgumentException("unknown command " + w[0]);
        }
    }

    private static SharedArray keep(String name, SharedArray a) {
        SharedArray old = OPEN.put(name, a);
        if (old != null) old.close();
        return a;
    }

    private static SharedArray get(String name) {
        SharedArray a = OPEN.get(name);
        if (a == null) throw new IllegalArgumentException("no open array named " + name);
        return a;
    }

    private static String describe(SharedArray a) {
        String shape = Arrays.stream(a.shape()).mapToObj(Long::toString).collect(Collectors.joining(","));
        return a.dtype().numpyName() + "\t" + shape + "\t" + a.segmentOffset() + "\t" + a.mode() + "\t"
                + a.lifetime() + "\t" + a.isOwner();
    }

    private static DType dtype(String numpyName) {
        for (DType t : DType.values()) if (t.numpyName().equals(numpyName)) return t;
        throw new IllegalArgumentException("dtype " + numpyName);
    }

    private static AccessMode mode(String m) {
        switch (m) {
            case "rw": return AccessMode.READ_WRITE;
            case "r": return AccessMode.READ_ONLY;
            case "cow": return AccessMode.COPY_ON_WRITE;
            default: throw new IllegalArgumentException("mode " + m);
        }
    }

    private static long[] longs(String[] w, int from) {
        long[] r = new long[w.length - from];
        for (int i = 0; i < r.length; i++) r[i] = Long.parseLong(w[from + i]);
        return r;
    }

    private static SharedArray attachTyped(String name, DType t) {
        switch (t) {
            case BYTE: return SharedByteArray.attach(name);
            case SHORT: return SharedShortArray.attach(name);
            case INT: return SharedIntArray.attach(name);
            case LONG: return SharedLongArray.attach(name);
            case FLOAT: return SharedFloatArray.attach(name);
            default: return SharedDoubleArray.attach(name);
        }
    }

    private static String element(SharedArray a, long i) {
        if (a instanceof SharedByteArray b) return Byte.toString(b.get(i));
        if (a instanceof SharedShortArray s) return Short.toString(s.get(i));
        if (a instanceof SharedIntArray n) return Integer.toString(n.get(i));
        if (a instanceof SharedLongArray l) return Long.toString(l.get(i));
        if (a instanceof SharedFloatArray f) return Integer.toHexString(Float.floatToRawIntBits(f.get(i)));
        return Long.toHexString(Double.doubleToRawLongBits(((SharedDoubleArray) a).get(i)));
    }

    private static String elementAt(SharedArray a, long[] ix) {
        if (a instanceof SharedByteArray b) return Byte.toString(b.getAt(ix));
        if (a instanceof SharedShortArray s) return Short.toString(s.getAt(ix));
        if (a instanceof SharedIntArray n) return Integer.toString(n.getAt(ix));
        if (a instanceof SharedLongArray l) return Long.toString(l.getAt(ix));
        if (a instanceof SharedFloatArray f) return Integer.toHexString(Float.floatToRawIntBits(f.getAt(ix)));
        return Long.toHexString(Double.doubleToRawLongBits(((SharedDoubleArray) a).getAt(ix)));
    }

    private static void set(SharedArray a, long i, String v) {
        if (a instanceof SharedByteArray b) b.set(i, Byte.parseByte(v));
        else if (a instanceof SharedShortArray s) s.set(i, Short.parseShort(v));
        else if (a instanceof SharedIntArray n) n.set(i, Integer.parseInt(v));
        else if (a instanceof SharedLongArray l) l.set(i, Long.parseLong(v));
        else if (a instanceof SharedFloatArray f) f.set(i, Float.intBitsToFloat(Integer.parseUnsignedInt(v, 16)));
        else ((SharedDoubleArray) a).set(i, Double.longBitsToDouble(Long.parseUnsignedLong(v, 16)));
    }
}
