package io.shmarray.cluster.internal;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The distributed engine under a cluster pool, as small as shmarray needs it: who the members are,
 * and "run these bytes on that member". Frames are opaque here (signed and decoded by
 * {@link NodeAgent}); {@link HazelcastEngine} is the one implementation today, and another engine
 * (Ignite's compute, Spark's executors) would implement this interface and deliver frames to the
 * member's {@link NodeAgent#handle(byte[])}.
 */
public interface Engine extends AutoCloseable {

    /** The node attribute's name: members with the same value share one {@code /dev/shm}. */
    String NODE_ATTRIBUTE = "shmarray.node";
    /** The member attribute holding how many tasks the member runs at once. */
    String THREADS_ATTRIBUTE = "shmarray.threads";

    /**
     * A member of the cluster.
     *
     * @param id its unique id
     * @param node the node it runs on (members of one node share {@code /dev/shm})
     * @param threads how many tasks it runs at once
     * @param compute whether it runs tasks (the driver joins as a member that does not)
     */
    record Member(String id, String node, int threads, boolean compute) {}

    /** Which executor a frame goes to: compute, or the fetch lane that never waits behind compute. */
    enum Lane { TASKS, FETCH }

    /** The member this process is. */
    Member local();

    /** The members now, this one included. */
    List<Member> members();

    /**
     * Sends {@code frame} to a member; the future completes with the reply frame, or fails with
     * {@link MemberGoneException} when the member left (or was never there). Cancelling the future
     * with {@code mayInterruptIfRunning} interrupts the remote run.
     *
     * @param memberId the target
     * @param lane the executor to run it on
     * @param frame the signed request
     * @return the reply frame
     */
    CompletableFuture<byte[]> send(String memberId, Lane lane, byte[] frame);

    /**
     * Calls {@code left} with the id of each member that leaves from now on.
     *
     * @param left the listener
     */
    void onMemberLeft(Consumer<String> left);

    /** The member that ran a request left the cluster, or is not (or no longer) a member. */
    final class MemberGoneException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /**
         * @param message what happened
         * @param cause the engine's exception
         */
        public MemberGoneException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @Override
    void close();
}
