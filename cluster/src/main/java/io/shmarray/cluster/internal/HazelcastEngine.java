package io.shmarray.cluster.internal;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.MemberLeftException;
import com.hazelcast.spi.exception.TargetDisconnectedException;
import com.hazelcast.spi.exception.TargetNotMemberException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/** {@link Engine} over a Hazelcast member: two executors per member, frames in {@link Envelope}s. */
public final class HazelcastEngine implements Engine {

    /** The compute executor's name. */
    public static final String TASKS = "shmarray-tasks";
    /** The fetch executor's name: array chunks and initializers, never queued behind compute. */
    public static final String FETCH = "shmarray-fetch";

    private final HazelcastInstance hz;

    /**
     * @param hz a member started with shmarray's configuration (executors, factory, attributes)
     */
    public HazelcastEngine(HazelcastInstance hz) {
        this.hz = hz;
    }

    private static Member member(com.hazelcast.cluster.Member m) {
        String node = m.getAttribute(NODE_ATTRIBUTE);
        String threads = m.getAttribute(THREADS_ATTRIBUTE);
        int n = 1;
        try {
            if (threads != null) n = Math.max(1, Integer.parseInt(threads));
        } catch (NumberFormatException ignored) {
            // a member without shmarray's attributes runs one task at a time
        }
        return new Member(m.getUuid().toString(), node == null ? "?" : node, n, !m.isLiteMember() && node != null);
    }

    @Override
    public Member local() {
        return member(hz.getCluster().getLocalMember());
    }

    @Override
    public List<Member> members() {
        List<Member> out = new ArrayList<>();
        for (com.hazelcast.cluster.Member m : hz.getCluster().getMembers()) out.add(member(m));
        return out;
    }

    @Override
    public CompletableFuture<byte[]> send(String memberId, Lane lane, byte[] frame) {
        com.hazelcast.cluster.Member target = null;
        UUID id = UUID.fromString(memberId);
        for (com.hazelcast.cluster.Member m : hz.getCluster().getMembers()) {
            if (m.getUuid().equals(id)) target = m;
        }
        Remote r = new Remote();
        if (target == null) {
            r.completeExceptionally(new MemberGoneException("member " + memberId + " is not in the cluster", null));
            return r;
        }
        try {
            Future<byte[]> f = hz.getExecutorService(lane == Lane.FETCH ? FETCH : TASKS)
                    .submitToMember(new Envelope(frame), target);
            r.remote = f;
            if (!(f instanceof CompletionStage)) {
                throw new IllegalStateException("Hazelcast returned a " + f.getClass().getName() + ", not a CompletionStage");
            }
            @SuppressWarnings("unchecked")
            CompletionStage<byte[]> stage = (CompletionStage<byte[]>) f;
            stage.whenComplete((v, e) -> {
                if (e == null) r.complete(v);
                else r.completeExceptionally(translate(e, memberId));
            });
        } catch (RuntimeException e) {
            r.completeExceptionally(translate(e, memberId));
        }
        return r;
    }

    /** Remote cancels wait for the member's answer (and may throw): never on the caller's thread. */
    private static final java.util.concurrent.ExecutorService CANCELS = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "shmarray-cluster-cancel");
        t.setDaemon(true);
        return t;
    });

    /** A reply on its way; cancel completes it at once and interrupts the remote run in the background. */
    private static final class Remote extends CompletableFuture<byte[]> {
        volatile Future<byte[]> remote;

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean done = super.cancel(mayInterruptIfRunning);
            Future<byte[]> f = remote;
            if (done && f != null) {
                CANCELS.execute(() -> {
                    try {
                        f.cancel(mayInterruptIfRunning);
                    } catch (RuntimeException e) {
                        System.getLogger("io.shmarray.cluster").log(System.Logger.Level.DEBUG, "remote cancel failed", e);
                    }
                });
            }
            return done;
        }
    }

    /** The engine's failure as shmarray sees it: a member that went away, or the failure itself. */
    static Throwable translate(Throwable e, String memberId) {
        Throwable c = e;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) c = c.getCause();
        if (c instanceof MemberLeftException || c instanceof TargetNotMemberException
                || c instanceof TargetDisconnectedException || c instanceof HazelcastInstanceNotActiveException
                || c instanceof RejectedExecutionException) {
            return new MemberGoneException("member " + memberId + " left the cluster (" + c.getClass().getSimpleName() + ": "
                    + c.getMessage() + ")", c);
        }
        return c;
    }

    @Override
    public void onMemberLeft(Consumer<String> left) {
        hz.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
                // nothing: a new member is used from its first dispatch on
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                left.accept(event.getMember().getUuid().toString());
            }
        });
    }

    @Override
    public void close() {
        hz.shutdown();
    }
}
