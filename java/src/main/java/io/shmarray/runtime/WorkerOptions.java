package io.shmarray.runtime;

import io.shmarray.internal.DecodeRules;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How worker JVMs are started and talked to: the {@code java} binary and class path, JVM options
 * (heap, GC, agents, or this JVM's own), system properties, environment, working directory, the
 * start timeout, and the channel's settings — frame cap, heartbeat and deserialization filter —
 * which apply on both sides (the parent enforces them on what it receives from these workers, and
 * passes them on to the workers for what they receive). Immutable; each {@code with...} returns a
 * copy.
 *
 * <pre>{@code
 * WorkerOptions opts = WorkerOptions.defaults()
 *         .withJvmOptions("-Xmx2g").withProperty("app.mode", "batch")
 *         .withParentJvmOptions()                      // also the -D, -X, -ea, agents this JVM started with
 *         .withSerialFilter("com.example.model.*;!*"); // what may be decoded, in and from the workers
 * }</pre>
 *
 * <p>Unless set here, every worker gets this JVM's {@code java}, its class path, and the
 * JVM-wide properties ({@value #MAX_FRAME_PROPERTY}, {@value #HEARTBEAT_PROPERTY},
 * {@value #HEARTBEAT_TIMEOUT_PROPERTY}, {@value Codec#FILTER_PROPERTY},
 * {@value Codec#FILTER_MODE_PROPERTY}); always {@code --enable-native-access}, the backend choice
 * and the already-verified native library.
 */
public final class WorkerOptions {

    /** System property: the largest control frame in bytes (default 256 MiB). */
    public static final String MAX_FRAME_PROPERTY = "io.shmarray.maxFrameBytes";
    /** System property: a worker's heartbeat period in ms (default 500). */
    public static final String HEARTBEAT_PROPERTY = "io.shmarray.heartbeatMillis";
    /** System property: the silence in ms after which the parent declares a worker hung (default 10,000). */
    public static final String HEARTBEAT_TIMEOUT_PROPERTY = "io.shmarray.heartbeatTimeoutMillis";
    static final long DEFAULT_MAX_FRAME = 256L << 20;
    static final long DEFAULT_HEARTBEAT_MILLIS = 500;
    static final long DEFAULT_HEARTBEAT_TIMEOUT_MILLIS = 10_000;

    /** Everything an instance holds; copied on every {@code with...}, never changed once published. */
    private static final class Values implements Cloneable {
        List<String> jvmOptions = List.of();
        Map<String, String> properties = Map.of();
        Map<String, String> environment = Map.of();
        Path workingDirectory;
        Duration startTimeout = Duration.ofSeconds(60);
        Path javaExecutable;
        String classPath;
        boolean parentJvmOptions;
        boolean stderrPrefix = true;
        long maxFrameBytes; // 0: the property, or the default
        Duration heartbeat;
        Duration heartbeatTimeout;
        String serialFilter;
        String serialFilterMode;

        @Override
        protected Values clone() {
            try {
                return (Values) super.clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }

        List<Object> all() {
            return java.util.Arrays.asList(jvmOptions, properties, environment, workingDirectory, startTimeout,
                    javaExecutable, classPath, parentJvmOptions, stderrPrefix, maxFrameBytes, heartbeat,
                    heartbeatTimeout, serialFilter, serialFilterMode);
        }
    }

    private final Values v;

    private WorkerOptions(Values v) {
        this.v = v;
    }

    /** {@return options with no extras: a 60 s start timeout and the JVM-wide settings} */
    public static WorkerOptions defaults() {
        return new WorkerOptions(new Values());
    }

    private WorkerOptions with(java.util.function.Consumer<Values> change) {
        Values c = v.clone();
        change.accept(c);
        return new WorkerOptions(c);
    }

    /**
     * Adds JVM options (e.g. {@code "-Xmx2g"}, {@code "-XX:+UseZGC"}), after any already given.
     *
     * @param options the options, one per array element, as on a {@code java} command line
     * @return a copy with the options added
     * @throws NullPointerException when an option is null
     */
    public WorkerOptions withJvmOptions(String... options) {
        List<String> o = new ArrayList<>(v.jvmOptions);
        for (String s : options) o.add(Objects.requireNonNull(s, "a JVM option"));
        return with(c -> c.jvmOptions = List.copyOf(o));
    }

    /**
     * Starts workers with this JVM's own JVM options too — its {@code -D}, {@code -X},
     * {@code -XX}, {@code -ea}, {@code --add-opens}, {@code -javaagent} and {@code -agentpath} — as
     * {@code RuntimeMXBean.getInputArguments()} reports them, before the ones given with
     * {@link #withJvmOptions}. Left out, because a second JVM would collide with the first or
     * the worker sets its own: a JDWP debugger agent and JMX remote ports (they listen on a
     * port), {@code -XX:StartFlightRecording} and {@code -XX:FlightRecorderOptions} (one file),
     * class-data or AOT cache options (the worker picks its own), and the settings shmarray itself
     * passes on. Without this, a worker does not see this JVM's {@code -D}, {@code -Xmx} or
     * {@code -ea}.
     *
     * @return a copy that passes this JVM's options on
     */
    public WorkerOptions withParentJvmOptions() {
        return with(c -> c.parentJvmOptions = true);
    }

    /**
     * Sets a system property in the workers ({@code -Dkey=value}); a later call with the same key
     * replaces the value.
     *
     * @param key the property name
     * @param value its value
     * @return a copy with the property set
     * @throws NullPointerException when {@code key} or {@code value} is null
     */
    public WorkerOptions withProperty(String key, String value) {
        Map<String, String> p = new LinkedHashMap<>(v.properties);
        p.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return with(c -> c.properties = Collections.unmodifiableMap(p));
    }

    /**
     * Sets an environment variable in the workers, on top of this JVM's environment; a later call
     * with the same key replaces the value.
     *
     * @param key the variable's name
     * @param value its value
     * @return a copy with the variable set
     * @throws NullPointerException when {@code key} or {@code value} is null
     */
    public WorkerOptions withEnvironment(String key, String value) {
        Map<String, String> e = new LinkedHashMap<>(v.environment);
        e.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return with(c -> c.environment = Collections.unmodifiableMap(e));
    }

    /**
     * The workers' working directory (default: this JVM's).
     *
     * @param dir the directory, or {@code null} for this JVM's
     * @return a copy with the directory set
     */
    public WorkerOptions withWorkingDirectory(Path dir) {
        return with(c -> c.workingDirectory = dir);
    }

    /**
     * How long a worker may take to start and connect before it is killed and reported
     * ({@link WorkerStartException}); default 60 s.
     *
     * @param timeout the time limit, positive
     * @return a copy with the timeout set
     * @throws IllegalArgumentException when {@code timeout} is zero or negative
     * @throws NullPointerException when {@code timeout} is null
     */
    public WorkerOptions withStartTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("startTimeout=" + timeout + ", must be > 0");
        return with(c -> c.startTimeout = timeout);
    }

    /**
     * The {@code java} launcher for the workers (default: this JVM's), e.g. another JDK's
     * {@code bin/java}. It must be a JDK 17+ launcher; a file that is not executable is refused here.
     *
     * @param java the launcher's path; made absolute here
     * @return a copy with the launcher set
     * @throws IllegalArgumentException when {@code java} is not an executable regular file
     * @throws NullPointerException when {@code java} is null
     */
    public WorkerOptions withJavaExecutable(Path java) {
        Objects.requireNonNull(java, "java");
        if (!Files.isRegularFile(java) || !Files.isExecutable(java)) {
            throw new IllegalArgumentException(java + " is not an executable file: give the path of a JDK 17+ bin/java");
        }
        return with(c -> c.javaExecutable = java.toAbsolutePath());
    }

    /**
     * The workers' class path (default: this JVM's {@code java.class.path}), in the platform's
     * {@code File.pathSeparator} form. It must hold shmarray itself and the classes of every task
     * sent to these workers; relative entries are made absolute here.
     *
     * @param classPath the entries, separated by {@code File.pathSeparator}
     * @return a copy with the class path set
     * @throws IllegalArgumentException when {@code classPath} has no entry
     * @throws NullPointerException when {@code classPath} is null
     */
    public WorkerOptions withClassPath(String classPath) {
        Objects.requireNonNull(classPath, "classPath");
        List<String> entries = new ArrayList<>();
        for (String e : classPath.split(java.io.File.pathSeparator)) {
            if (!e.isEmpty()) entries.add(Path.of(e).toAbsolutePath().toString());
        }
        if (entries.isEmpty()) throw new IllegalArgumentException("an empty class path: workers need shmarray's jar at least");
        String cp = String.join(java.io.File.pathSeparator, entries);
        return with(c -> c.classPath = cp);
    }

    /**
     * Whether each line a worker writes to stderr is copied to this JVM's stderr prefixed with
     * {@code [worker <pid>] } (default true).
     *
     * @param prefix true to prefix each line, false to copy the worker's stderr unchanged
     * @return a copy with the setting
     */
    public WorkerOptions withStderrPrefix(boolean prefix) {
        return with(c -> c.stderrPrefix = prefix);
    }

    /**
     * The largest control frame, each way (default {@value #MAX_FRAME_PROPERTY}, else 256 MiB): a
     * task, chunk or result over it is refused with {@link FrameTooLargeException} before it is
     * sent, and a peer announcing a larger one is cut off.
     *
     * @param bytes the frame cap in bytes, at least 1024 and at most {@code Integer.MAX_VALUE - 8}
     * @return a copy with the cap set
     * @throws IllegalArgumentException when {@code bytes} is out of range
     */
    public WorkerOptions withMaxFrameBytes(long bytes) {
        if (bytes < 1024 || bytes > Codec.MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("maxFrameBytes=" + bytes + ", must be in [1024, " + Codec.MAX_FRAME_BYTES + "]");
        }
        return with(c -> c.maxFrameBytes = bytes);
    }

    /**
     * The workers' heartbeat period and the silence after which the parent declares a worker
     * hung (or stopped) and kills it (defaults 500 ms and 10 s, or the
     * {@value #HEARTBEAT_PROPERTY} and {@value #HEARTBEAT_TIMEOUT_PROPERTY} properties). The
     * timeout must be at least twice the period.
     *
     * @param period how often a worker reports it is alive, at least 1 ms
     * @param timeout the silence after which a worker is killed, at least twice {@code period}
     * @return a copy with both set
     * @throws IllegalArgumentException when {@code period} is under 1 ms or {@code timeout} under twice it
     * @throws NullPointerException when either is null
     */
    public WorkerOptions withHeartbeat(Duration period, Duration timeout) {
        Objects.requireNonNull(period, "period");
        Objects.requireNonNull(timeout, "timeout");
        if (period.toMillis() < 1) throw new IllegalArgumentException("heartbeat period " + period + ", must be >= 1 ms");
        if (timeout.compareTo(period.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("heartbeat timeout " + timeout + " is less than twice its period " + period
                    + ": a busy but healthy worker would be killed");
        }
        return with(c -> {
            c.heartbeat = period;
            c.heartbeatTimeout = timeout;
        });
    }

    /**
     * A JDK filter pattern ({@code ObjectInputFilter.Config.createFilter} syntax) consulted before
     * the codec's defaults, for everything these workers decode (tasks, items) and everything this
     * JVM decodes from them (results, errors). Replaces {@value Codec#FILTER_PROPERTY} for them.
     * A malformed pattern is refused here.
     *
     * @param pattern the filter pattern, e.g. {@code "com.example.model.*;!*"}
     * @return a copy with the pattern set
     * @throws IllegalArgumentException when the pattern is malformed
     * @throws NullPointerException when {@code pattern} is null
     */
    public WorkerOptions withSerialFilter(String pattern) {
        Objects.requireNonNull(pattern, "pattern");
        java.io.ObjectInputFilter.Config.createFilter(pattern); // IllegalArgumentException names the bad part
        return with(c -> c.serialFilter = pattern);
    }

    /**
     * With {@code true}, only what {@link #withSerialFilter} allows decodes, besides the
     * protocol's own core (the {@code allowlist} mode of {@value Codec#FILTER_MODE_PROPERTY}).
     *
     * @param allowlistOnly true for the {@code allowlist} mode, false for the {@code default} mode
     * @return a copy with the mode set (it then overrides the property)
     */
    public WorkerOptions withSerialFilterAllowlistOnly(boolean allowlistOnly) {
        return with(c -> c.serialFilterMode = allowlistOnly ? "allowlist" : "default");
    }

    /** {@return the JVM options given with {@link #withJvmOptions}, in order (unmodifiable)} */
    public List<String> jvmOptions() {
        return v.jvmOptions;
    }

    /** {@return the system properties set with {@link #withProperty}, in order (unmodifiable)} */
    public Map<String, String> properties() {
        return v.properties;
    }

    /** {@return the environment variables set with {@link #withEnvironment}, in order (unmodifiable)} */
    public Map<String, String> environment() {
        return v.environment;
    }

    /** {@return the working directory set with {@link #withWorkingDirectory}, or null (this JVM's)} */
    public Path workingDirectory() {
        return v.workingDirectory;
    }

    /** {@return the start timeout (default 60 s)} */
    public Duration startTimeout() {
        return v.startTimeout;
    }

    /** {@return the {@code java} launcher set with {@link #withJavaExecutable}, or null (this JVM's)} */
    public Path javaExecutable() {
        return v.javaExecutable;
    }

    /** {@return the class path set with {@link #withClassPath}, or null (this JVM's)} */
    public String classPath() {
        return v.classPath;
    }

    /** {@return whether {@link #withParentJvmOptions} was asked for} */
    public boolean parentJvmOptions() {
        return v.parentJvmOptions;
    }

    /** {@return whether worker stderr lines are prefixed (see {@link #withStderrPrefix})} */
    public boolean stderrPrefix() {
        return v.stderrPrefix;
    }

    /** {@return the frame cap in effect, in bytes: as set, else {@value #MAX_FRAME_PROPERTY}, else 256 MiB} */
    public long maxFrameBytes() {
        return v.maxFrameBytes > 0 ? v.maxFrameBytes : Long.getLong(MAX_FRAME_PROPERTY, DEFAULT_MAX_FRAME);
    }

    /** {@return the heartbeat period in effect: as set, else {@value #HEARTBEAT_PROPERTY}, else 500 ms} */
    public Duration heartbeat() {
        return v.heartbeat != null ? v.heartbeat : Duration.ofMillis(Long.getLong(HEARTBEAT_PROPERTY, DEFAULT_HEARTBEAT_MILLIS));
    }

    /**
     * {@return the silence after which a worker counts as hung, in effect: as set, else
     * {@value #HEARTBEAT_TIMEOUT_PROPERTY}, else 10 s}
     */
    public Duration heartbeatTimeout() {
        return v.heartbeatTimeout != null ? v.heartbeatTimeout
                : Duration.ofMillis(Long.getLong(HEARTBEAT_TIMEOUT_PROPERTY, DEFAULT_HEARTBEAT_TIMEOUT_MILLIS));
    }

    /** {@return the filter pattern in effect (set here, else {@value Codec#FILTER_PROPERTY}), or null} */
    public String serialFilter() {
        return v.serialFilter != null ? v.serialFilter : System.getProperty(Codec.FILTER_PROPERTY);
    }

    /**
     * {@return the filter mode in effect: {@code default} or {@code allowlist} (set here, else
     * {@value Codec#FILTER_MODE_PROPERTY}, else {@code default})}
     */
    public String serialFilterMode() {
        return v.serialFilterMode != null ? v.serialFilterMode : System.getProperty(Codec.FILTER_MODE_PROPERTY, "default");
    }

    /** The decoding rules these settings give (frame cap, filter pattern, mode). */
    DecodeRules decodeRules() {
        return DecodeRules.of(maxFrameBytes(), serialFilter(), serialFilterMode());
    }

    /**
     * Options are equal when every setting is (as given, not as in effect): a
     * {@linkplain WorkerProcess#prestart(WorkerOptions) standby} worker serves only starts with equal options.
     *
     * @param o the object to compare with
     * @return whether {@code o} is equal options
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof WorkerOptions && v.all().equals(((WorkerOptions) o).v.all());
    }

    @Override
    public int hashCode() {
        return v.all().hashCode();
    }

    @Override
    public String toString() {
        return "WorkerOptions" + v.all();
    }
}
