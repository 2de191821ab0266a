package io.shmarray.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.shmarray.cluster.internal.ClusterSecret;
import io.shmarray.cluster.internal.Engine;
import io.shmarray.cluster.internal.Envelope;
import io.shmarray.cluster.internal.HazelcastEngine;
import io.shmarray.cluster.internal.NodeAgent;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One member of a shmarray cluster: a Hazelcast member configured for shmarray (two executors,
 * the node attribute, the frame factory, TCP-IP join, no multicast, no phone-home) with its
 * {@code NodeAgent}. A compute member runs tasks; the driver (the JVM that builds a
 * {@link ClusterPool}) joins as a lite member that never runs tasks but serves its arrays' bytes.
 *
 * <pre>{@code
 * // on each machine:  java ... io.shmarray.cluster.ClusterNode --members 10.0.0.1,10.0.0.2 --secret-file s
 * try (ClusterNode driver = ClusterNode.builder().members("10.0.0.1", "10.0.0.2").secretFile(Path.of("s")).driver().start();
 *      ClusterPool pool = ClusterPool.builder(driver).build()) {
 *     List<Double> r = pool.map(x -> x * 2.0, List.of(1.0, 2.0), 1);
 * }
 * }</pre>
 *
 * <p><b>Private network only</b>: Hazelcast's Community Edition has no TLS and no member
 * authentication. shmarray signs every frame and reply with the cluster secret (HMAC-SHA256) and
 * checks the signature before decoding anything, but the bytes travel in clear, and Hazelcast's
 * own protocol is open to whoever reaches its port.
 */
public final class ClusterNode implements AutoCloseable {

    /** The default cluster name. */
    public static final String DEFAULT_CLUSTER = "shmarray";
    /** The default first port (Hazelcast's). */
    public static final int DEFAULT_PORT = 5701;

    private final HazelcastInstance hz;
    private final HazelcastEngine engine;
    private final NodeAgent agent;
    private final boolean driver;

    private ClusterNode(HazelcastInstance hz, HazelcastEngine engine, NodeAgent agent, boolean driver) {
        this.hz = hz;
        this.engine = engine;
        this.agent = agent;
        this.driver = driver;
    }

    /** {@return a builder with defaults: cluster "shmarray", port 5701, members on 127.0.0.1, compute member} */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds and starts a {@link ClusterNode}. */
    public static final class Builder {
        private String cluster = DEFAULT_CLUSTER;
        private List<String> members = List.of("127.0.0.1");
        private int port = DEFAULT_PORT;
        private int portCount = 100;
        private String bind;
        private String nodeId;
        private int threads = Runtime.getRuntime().availableProcessors();
        private ClusterSecret secret;
        private boolean driver;
        private Level logLevel = Level.WARNING;

        private Builder() {}

        /**
         * Sets the cluster name.
         *
         * @param name the cluster name; members join only a cluster of the same name
         * @return this builder
         */
        public Builder clusterName(String name) {
            this.cluster = Objects.requireNonNull(name);
            return this;
        }

        /**
         * Sets the addresses of other members.
         *
         * @param addresses where to look for other members ({@code host} or {@code host:port}), TCP-IP join
         * @return this builder
         */
        public Builder members(String... addresses) {
            this.members = List.of(addresses);
            return this;
        }

        /**
         * Sets the first port to try.
         *
         * @param port the first port this member tries (default 5701); the next 99 are tried after it
         * @return this builder
         */
        public Builder port(int port) {
            if (port < 1 || port > 65535) throw new IllegalArgumentException("port=" + port + ", must be 1..65535");
            this.port = port;
            return this;
        }

        /**
         * Sets how many ports to try.
         *
         * @param count how many ports from {@link #port} this member may try (default 100)
         * @return this builder
         */
        public Builder portCount(int count) {
            if (count < 1) throw new IllegalArgumentException("portCount=" + count + ", must be >= 1");
            this.portCount = count;
            return this;
        }

        /**
         * Sets the interface to bind.
         *
         * @param address the interface address to bind and announce (default: Hazelcast's choice)
         * @return this builder
         */
        public Builder bind(String address) {
            this.bind = address;
            return this;
        }

        /**
         * The node this member runs on: members with the same node id must share {@code /dev/shm},
         * members with different ones must not rely on it. The default identifies this machine's
         * {@code /dev/shm} (machine id, device and inode), so containers with a private
         * {@code /dev/shm} differ by themselves.
         *
         * @param id the node id
         * @return this builder
         */
        public Builder nodeId(String id) {
            if (id == null || id.isBlank()) throw new IllegalArgumentException("node id is empty");
            this.nodeId = id;
            return this;
        }

        /**
         * Sets how many tasks run at once.
         *
         * @param n how many tasks this member runs at once (default: available processors)
         * @return this builder
         */
        public Builder threads(int n) {
            if (n < 1) throw new IllegalArgumentException("threads=" + n + ", must be >= 1");
            this.threads = n;
            return this;
        }

        /**
         * Sets the cluster secret.
         *
         * @param key the cluster secret, at least 16 bytes, the same on every member
         * @return this builder
         */
        public Builder secret(byte[] key) {
            this.secret = ClusterSecret.of(key);
            return this;
        }

        /**
         * Reads the cluster secret from a file.
         *
         * @param file a file holding the cluster secret, readable by its owner only
         * @return this builder
         */
        public Builder secretFile(Path file) {
            this.secret = ClusterSecret.fromFile(file);
            return this;
        }

        /**
         * Joins as the driver: a lite member that runs no tasks (the JVM that builds pools).
         *
         * @return this builder
         */
        public Builder driver() {
            this.driver = true;
            return this;
        }

        /**
         * Sets Hazelcast's log level.
         *
         * @param level the level of Hazelcast's own log (java.util.logging, default WARNING)
         * @return this builder
         */
        public Builder hazelcastLogLevel(Level level) {
            this.logLevel = Objects.requireNonNull(level);
            return this;
        }

        /**
         * Applies one command-line option shared by the member and the demo.
         *
         * @return false when {@code name} is not one of them
         * @throws IllegalArgumentException when the value is missing or invalid
         */
        boolean option(String name, String value) {
            if (!List.of("--secret-file", "--members", "--cluster", "--port", "--bind", "--node-id", "--threads", "--log-level")
                    .contains(name)) {
                return false;
            }
            if (value == null) throw new IllegalArgumentException(name + " needs a value");
            switch (name) {
                case "--secret-file": secretFile(Path.of(value)); break;
                case "--members": members(value.split(",")); break;
                case "--cluster": clusterName(value); break;
                case "--port": port(parse(name, value)); break;
                case "--bind": bind(value); break;
                case "--node-id": nodeId(value); break;
                case "--threads": threads(parse(name, value)); break;
                default: hazelcastLogLevel(Level.parse(value.toUpperCase(java.util.Locale.ROOT))); break;
            }
            return true;
        }

        boolean hasSecret() {
            return secret != null;
        }

        /**
         * Starts the member and joins the cluster (or forms it, when no member answers).
         *
         * @return the running member
         * @throws IllegalStateException when no secret was given
         */
        public ClusterNode start() {
            if (secret == null) {
                throw new IllegalStateException("no cluster secret: set secret(bytes) or secretFile(path), the same on every member");
            }
            String node = nodeId != null ? nodeId : defaultNodeId();
            Logger.getLogger("com.hazelcast").setLevel(logLevel);
            NodeAgent agent = new NodeAgent(secret, node);
            Config c = new Config();
            c.setClusterName(cluster);
            c.setProperty("hazelcast.phone.home.enabled", "false");
            c.setProperty("hazelcast.wait.seconds.before.join", "0");
            c.setProperty("hazelcast.logging.type", "jdk");
            c.setProperty("hazelcast.shutdownhook.enabled", "false");
            NetworkConfig net = c.getNetworkConfig();
            net.setPort(port).setPortAutoIncrement(true).setPortCount(portCount);
            if (bind != null) {
                net.getInterfaces().setEnabled(true).addInterface(bind);
                c.setProperty("hazelcast.local.localAddress", bind);
            }
            JoinConfig join = net.getJoin();
            join.getMulticastConfig().setEnabled(false);
            join.getAutoDetectionConfig().setEnabled(false);
            join.getTcpIpConfig().setEnabled(true).setMembers(new ArrayList<>(members));
            c.getMemberAttributeConfig().setAttribute(Engine.NODE_ATTRIBUTE, node);
            c.getMemberAttributeConfig().setAttribute(Engine.THREADS_ATTRIBUTE, Integer.toString(threads));
            c.setLiteMember(driver);
            c.getExecutorConfig(HazelcastEngine.TASKS).setPoolSize(threads).setStatisticsEnabled(false);
            c.getExecutorConfig(HazelcastEngine.FETCH).setPoolSize(4).setStatisticsEnabled(false);
            c.getSerializationConfig().addDataSerializableFactory(Envelope.FACTORY_ID, Envelope.factory());
            c.getSerializationConfig().setJavaSerializationFilterConfig(new JavaSerializationFilterConfig());
            ConcurrentMap<String, Object> context = new ConcurrentHashMap<>();
            context.put(Envelope.AGENT_KEY, agent);
            c.setUserContext(context);
            HazelcastInstance hz = Hazelcast.newHazelcastInstance(c);
            HazelcastEngine engine = new HazelcastEngine(hz);
            agent.bind(engine);
            return new ClusterNode(hz, engine, agent, driver);
        }
    }

    /**
     * This machine's {@code /dev/shm} as a node id: machine id (or host name), and the device and
     * inode of {@code /dev/shm}, which differ in a container with its own.
     *
     * @return the default node id
     */
    public static String defaultNodeId() {
        String machine;
        try {
            machine = Files.readString(Path.of("/etc/machine-id")).strip();
        } catch (Exception e) {
            try {
                machine = java.net.InetAddress.getLocalHost().getHostName();
            } catch (Exception e2) {
                machine = "localhost";
            }
        }
        try {
            Object dev = Files.getAttribute(Path.of("/dev/shm"), "unix:dev");
            Object ino = Files.getAttribute(Path.of("/dev/shm"), "unix:ino");
            return machine.substring(0, Math.min(12, machine.length())) + "-" + Long.toHexString((Long) dev) + "-" + ino;
        } catch (Exception e) {
            return machine;
        }
    }

    /**
     * The JVM options Hazelcast asks for on this JDK (module access for its metrics and I/O), to
     * start a member JVM with: {@code --add-modules java.se}, five {@code --add-exports/--add-opens},
     * and {@code --sun-misc-unsafe-memory-access=allow} on JDK 24+.
     *
     * @return the options
     */
    public static List<String> jvmOptions() {
        List<String> o = new ArrayList<>(List.of("--add-modules", "java.se",
                "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
                "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                "--add-opens", "java.management/sun.management=ALL-UNNAMED",
                "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED"));
        if (Runtime.version().feature() >= 24) o.add("--sun-misc-unsafe-memory-access=allow");
        return o;
    }

    /** {@return the Hazelcast member, for what shmarray does not wrap (maps, topics, metrics)} */
    public HazelcastInstance hazelcast() {
        return hz;
    }

    /** {@return this member's node id} */
    public String nodeId() {
        return agent.node();
    }

    /** {@return this member's id} */
    public String memberId() {
        return agent.memberId();
    }

    /** {@return whether this member is a driver (runs no tasks)} */
    public boolean isDriver() {
        return driver;
    }

    /** {@return the compute members now: id to node} */
    public Map<String, String> computeMembers() {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (Engine.Member e : engine.members()) {
            if (e.compute()) m.put(e.id(), e.node());
        }
        return m;
    }

    /** {@return this member's counters (see {@link ClusterContext#counters()})} */
    public Map<String, Long> counters() {
        return agent.counters();
    }

    NodeAgent agent() {
        return agent;
    }

    Engine engine() {
        return engine;
    }

    /** Leaves the cluster; idempotent. */
    @Override
    public void close() {
        agent.releaseAll();
        if (hz.getLifecycleService().isRunning()) engine.close();
    }

    // ---------------------------------------------------------------- command line

    private static final String USAGE = String.join("\n",
            "usage: java <jvm options> -cp shmarray.jar:shmarray-cluster.jar:hazelcast.jar io.shmarray.cluster.ClusterNode [options]",
            "  --secret-file FILE   the cluster secret (required; owner-readable only, the same file on every member)",
            "  --members A,B,...    addresses of other members (host or host:port; default 127.0.0.1)",
            "  --cluster NAME       cluster name (default " + DEFAULT_CLUSTER + ")",
            "  --port P             first port to try (default " + DEFAULT_PORT + ")",
            "  --bind ADDR          interface address to bind and announce",
            "  --node-id ID         members with one node id share /dev/shm (default: this machine's /dev/shm)",
            "  --threads N          tasks run at once (default: available processors)",
            "  --log-level LEVEL    Hazelcast's log level (default WARNING)",
            "  --print-jvm-options  print the JVM options Hazelcast wants on this JDK, and exit",
            "JVM options for this JDK: " + String.join(" ", jvmOptions()),
            "Private network only: Hazelcast Community Edition has no TLS.");

    /**
     * Runs a compute member until the JVM is stopped (Ctrl-C, SIGTERM).
     *
     * @param args the options; {@code --help} lists them
     */
    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code != 0) System.exit(code); // 0: returned after the shutdown hook left the cluster
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Builder b = builder();
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--help") || a.equals("-h")) {
                    out.println(USAGE);
                    return 0;
                }
                if (a.equals("--print-jvm-options")) {
                    out.println(String.join(" ", jvmOptions()));
                    return 0;
                }
                if (!b.option(a, i + 1 < args.length ? args[i + 1] : null)) {
                    err.println("unknown option " + a + "\n" + USAGE);
                    return 2;
                }
                i++;
            }
        } catch (IllegalArgumentException e) {
            err.println("shmarray cluster: " + e.getMessage() + "\n" + USAGE);
            return 2;
        }
        if (!b.hasSecret()) {
            err.println("shmarray cluster: --secret-file is required\n" + USAGE);
            return 2;
        }
        ClusterNode n = b.start();
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            n.close();
            stop.countDown();
        }, "shmarray-cluster-leave"));
        out.println("shmarray cluster member " + n.memberId() + " on node " + n.nodeId() + " joined; "
                + n.hazelcast().getCluster().getMembers().size() + " members");
        out.flush();
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static int parse(String option, String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a number, got '" + v + "'");
        }
    }
}
