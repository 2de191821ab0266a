package io.shmarray.runtime;

import java.io.ObjectInputFilter;

/**
 * What one decode accepts: the frame cap, and the user's filter pattern and mode — this JVM's
 * properties ({@link #fromProperties}), or a pool's own settings ({@link WorkerOptions#decodeRules}).
 * The filter is built once per rules, not per decode.
 */
final class DecodeRules {
    final long maxBytes;
    final String pattern;
    final boolean allowlist;
    private final ObjectInputFilter filter;

    private DecodeRules(long maxBytes, String pattern, boolean allowlist) {
        this.maxBytes = maxBytes;
        this.pattern = pattern;
        this.allowlist = allowlist;
        ObjectInputFilter user = pattern == null || pattern.isBlank() ? null : ObjectInputFilter.Config.createFilter(pattern);
        this.filter = info -> {
            if (info.depth() > Codec.MAX_DEPTH || info.references() > Codec.MAX_REFS || info.streamBytes() > maxBytes
                    || info.arrayLength() * Codec.arrayElementBytes(info.serialClass())
                            > Math.min(maxBytes, Codec.MAX_FRAME_BYTES)) {
                return ObjectInputFilter.Status.REJECTED;
            }
            Class<?> c = info.serialClass();
            if (c == null) return ObjectInputFilter.Status.UNDECIDED;
            if (user != null) {
                ObjectInputFilter.Status s = user.checkInput(info);
                if (s != ObjectInputFilter.Status.UNDECIDED) return s;
            }
            boolean allowed = allowlist ? Codec.inProtocolCore(c) : Codec.allowedByDefault(c);
            return allowed ? ObjectInputFilter.Status.ALLOWED : ObjectInputFilter.Status.REJECTED;
        };
    }

    /**
     * Rules for a frame cap, a JDK filter pattern (or null) and a mode ({@code default} or
     * {@code allowlist}; anything else is refused with a {@link ProtocolException}).
     */
    static DecodeRules of(long maxBytes, String pattern, String mode) {
        return new DecodeRules(maxBytes, pattern, allowlist(mode));
    }

    /** The last rules built from the properties: decoding is a hot path (every queue item). */
    private static volatile DecodeRules lastFromProperties;

    /** This JVM's {@value Codec#FILTER_PROPERTY} and {@value Codec#FILTER_MODE_PROPERTY}, with a frame cap. */
    static DecodeRules fromProperties(long maxBytes) {
        String pattern = System.getProperty(Codec.FILTER_PROPERTY);
        boolean allowlist = allowlist(System.getProperty(Codec.FILTER_MODE_PROPERTY)); // a bad mode is refused here
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
                throw new ProtocolException("-D" + Codec.FILTER_MODE_PROPERTY + "='" + m + "' is not a filter mode: use"
                        + " 'default' or 'allowlist'; nothing was decoded");
        }
    }
}
