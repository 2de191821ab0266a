package io.shmarray.cluster;

import io.shmarray.cluster.internal.NodeAgent;
import java.util.Map;

/**
 * Where the current cluster task runs, for code inside a task or an initializer (Python's
 * {@code current_process()}, for members).
 */
public final class ClusterContext {

    private ClusterContext() {}

    /** {@return whether the calling thread runs a cluster task or initializer now} */
    public static boolean inClusterTask() {
        return NodeAgent.current() != null;
    }

    /**
     * {@return the id of the member running the current task}
     *
     * @throws IllegalStateException outside a cluster task
     */
    public static String memberId() {
        return agent().memberId();
    }

    /**
     * {@return the node of the member running the current task: members of one node share {@code /dev/shm}}
     *
     * @throws IllegalStateException outside a cluster task
     */
    public static String nodeId() {
        return agent().node();
    }

    /**
     * This member's counters: {@code copiesCreated} and {@code copiesAttached} (node copies of
     * arrays from other nodes), {@code bytesPulled} and {@code bytesServed}, {@code localAttaches}
     * (arrays of this node attached in place), {@code tasksRun}, {@code initializersRun},
     * {@code poolsHeld}.
     *
     * @return a snapshot of the counters
     * @throws IllegalStateException outside a cluster task
     */
    public static Map<String, Long> counters() {
        return agent().counters();
    }

    private static NodeAgent agent() {
        NodeAgent a = NodeAgent.current();
        if (a == null) throw new IllegalStateException("not in a cluster task: ClusterContext answers inside tasks and initializers");
        return a;
    }
}
