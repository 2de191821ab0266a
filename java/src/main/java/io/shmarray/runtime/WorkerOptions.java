package io.shmarray.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How worker JVMs are started: extra JVM options (heap, GC, ...), system properties, environment,
 * working directory and the start timeout. Immutable; each {@code with...} returns a copy.
 *
 * <pre>{@code
 * WorkerOptions opts = WorkerOptions.defaults().withJvmOptions("-Xmx2g").withProperty("app.mode", "batch");
 * }</pre>
 *
 * <p>Every worker also gets this JVM's {@code java}, class path, {@code --enable-native-access},
 * backend choice and the already-extracted native library.
 */
public final class WorkerOptions {

    /** System property: the largest control frame in bytes (default 256 MiB). */
    public static final String MAX_FRAME_PROPERTY = "io.shmarray.maxFrameBytes";
    static final long DEFAULT_MAX_FRAME = 256L << 20;

    private final List<String> jvmOptions;
    private final Map<String, String> properties;
    private final Map<String, String> environment;
    private final Path workingDirectory;
    private final Duration startTimeout;

    private WorkerOptions(List<String> jvmOptions, Map<String, String> properties, Map<String, String> environment,
            Path workingDirectory, Duration startTimeout) {
        this.jvmOptions = List.copyOf(jvmOptions);
        this.properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
        this.environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
        this.workingDirectory = workingDirectory;
        this.startTimeout = startTimeout;
    }

    /** No extra options; a 60 s start timeout. */
    public static WorkerOptions defaults() {
        return new WorkerOptions(List.of(), Map.of(), Map.of(), null, Duration.ofSeconds(60));
    }

    public WorkerOptions withJvmOptions(String... options) {
        List<String> o = new ArrayList<>(jvmOptions);
        o.addAll(List.of(options));
        return new WorkerOptions(o, properties, environment, workingDirectory, startTimeout);
    }

    public WorkerOptions withProperty(String key, String value) {
        Map<String, String> p = new LinkedHashMap<>(properties);
        p.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
        return new WorkerOptions(jvmOptions, p, environment, workingDirectory, startTimeout);
    }

    public WorkerOptions withEnvironment(String key, String value) {
        Map<String, String> e = new LinkedHashMap<>(environment);
        e.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
        return new WorkerOptions(jvmOptions, properties, e, workingDirectory, startTimeout);
    }

    public WorkerOptions withWorkingDirectory(Path dir) {
        return new WorkerOptions(jvmOptions, properties, environment, dir, startTimeout);
    }

    /** How long a worker may take to start and connect before it is killed and reported. */
    public WorkerOptions withStartTimeout(Duration timeout) {
        return new WorkerOptions(jvmOptions, properties, environment, workingDirectory, Objects.requireNonNull(timeout));
    }

    public List<String> jvmOptions() {
        return jvmOptions;
    }

    public Map<String, String> properties() {
        return properties;
    }

    public Map<String, String> environment() {
        return environment;
    }

    public Path workingDirectory() {
        return workingDirectory;
    }

    public Duration startTimeout() {
        return startTimeout;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof WorkerOptions)) return false;
        WorkerOptions w = (WorkerOptions) o;
        return jvmOptions.equals(w.jvmOptions) && properties.equals(w.properties) && environment.equals(w.environment)
                && Objects.equals(workingDirectory, w.workingDirectory) && startTimeout.equals(w.startTimeout);
    }

    @Override
    public int hashCode() {
        return Objects.hash(jvmOptions, properties, environment, workingDirectory, startTimeout);
    }
}
