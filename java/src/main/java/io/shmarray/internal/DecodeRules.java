package io.shmarray.internal;

import io.shmarray.ProtocolException;
import java.io.ObjectInputFilter;

/**
 * What one decode accepts: the frame cap, and the user's filter pattern and mode — this JVM's
 * properties ({@link #fromProperties}), or a pool's own settings ({@code WorkerOptions.decodeRules()}).
 * The filter is built once per rules, not per decode.
 */
public final class DecodeRules {
    public final long maxBytes;
    public final String pattern;
    public final boolean allowlist;
    private final ObjectInputFilter filter;

    private DecodeRules(long maxBytes, String pattern, boolean allowlist) {
        this.maxBytes = maxBytes;
        this.pattern = pattern;
        this.allowlist = allowlist;
        ObjectInputFilter user = pattern == null || pattern.isBlank() ? null : ObjectInputFilter.Config.createFilter(pattern);
        this.filter = info -> {
            if (info.depth() > Serialization.MAX_DEPTH || info.references() > Serialization.MAX_REFS || info.streamBytes() > maxBytes
                    || info.arrayLength() * Serialization.arrayElementBytes(info.serialClass())
                            > Math.min(maxBytes, Serialization.MAX_FRAME_BYTES)) {
                return ObjectInputFilter.Status.REJECTED;
            }
            Class<?> c = info.serialClass();
            if (c == null) return ObjectInputFilter.Status.UNDECIDED;
            if (user != null) {
                ObjectInputFilter.Status s = user.checkInput(info);
                if (s != ObjectInputFilter.Status.UNDECIDED) return s;
            }
            boolean allowed = allowlist ? Serialization.inProtocolCore(c) : Serialization.allowedByDefault(c);
            return allowed ? ObjectInputFilter.Status.ALLOWED : ObjectInputFilter.Status.REJECTED;
        };
    }

    /**
     * Rules for a frame cap, a JDK filter pattern (or null) and a mode ({@code default} or
     * {@code allowlist}; anything else is refused with a {@link ProtocolException}).
     */
    public static DecodeRules of(long maxBytes, String pattern, String mode) {
        return new DecodeRules(maxBytes, pattern, allowlist(mode));
    }

    /** The last rules built from the properties: decoding is a hot path (every queue item). */
    private static volatile DecodeRules lastFromProperties;

    /** This JVM's {@value Serialization#FILTER_PROPERTY} and {@value Serialization#FILTER_MODE_PROPERTY}, with a frame cap. */
    public static DecodeRules fromProperties(long maxBytes) {
        String pattern = System.getProperty(Serialization.FILTER_PROPERTY);
        boolean allowlist = allowlist(System.getProperty(Serialization.FILTER_MODE_PROPERTY)); // a bad mode is refused here
        DecodeRules last = lastFromProperties;
        if (last != null && last.maxBytes == maxBytes && last.allowlist == allowlist
                && java.util.Objects.equals(last.pattern, pattern)) {
            return last;
        }
        DecodeRules r = new DecodeRules(maxBytes, pattern, allowlist);
        lastFromProperties = r;
        return r;
    }

    ObjectInputFilter filter() {
        return filter;
    }

    private static boolean allowlist(String mode) {
        String m = mode == null ? "default" : mode.trim();
        switch (m) {
            case "default":
                return false;
            case "allowlist":
                return true;
            default:
                throw new ProtocolException("-D" + Serialization.FILTER_MODE_PROPERTY + "='" + m + "' is not a filter mode: use"
                        + " 'default' or 'allowlist'; nothing was decoded");
        }
    }
}
