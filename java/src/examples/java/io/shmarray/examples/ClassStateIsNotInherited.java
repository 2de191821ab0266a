package io.shmarray.examples;

import io.shmarray.runtime.Pool;
import io.shmarray.runtime.WorkerProcess;
import java.util.List;

/**
 * Scenario 7 — static state set in {@code main} ({@code T.init(5)}) is not seen by a worker.
 *
 * <p>Why: a JVM cannot {@code fork()}; a worker is a new JVM that loads {@code T} afresh from the
 * class path and runs its static initializer, so {@code T.value} starts at 0 there — exactly like
 * Python's spawn start method, where the child re-imports the module. Only what a task carries
 * (its captured values, its arguments) and what lives in shared memory crosses over.
 *
 * <p>The idiomatic fixes: pass the state as an argument, or set it in every worker once with a
 * pool initializer (Python's {@code Pool(initializer=..., initargs=...)}).
 *
 * <pre>{@code
 * java -cp java/target/shmarray.jar:java/target/shmarray-examples.jar io.shmarray.examples.ClassStateIsNotInherited
 * }</pre>
 */
public final class ClassStateIsNotInherited {

    private ClassStateIsNotInherited() {}

    /** The class with static state from the question. */
    static final class T {
        static int value;

        private T() {}

        static void init(int v) {
            value = v;
        }
    }

    public static void main(String[] args) throws Exception {
        T.init(5);
        System.out.println("parent: T.value = " + T.value);

        try (WorkerProcess<Integer> p = WorkerProcess.start(() -> T.value)) {
            int seen = p.result();
            System.out.println("worker without a fix: T.value = " + seen + " (a fresh JVM loaded T afresh)");
            Check.that(seen == 0, "static state does not cross");
        }

        int v = T.value;
        try (WorkerProcess<Integer> p = WorkerProcess.start(x -> {
            T.init(x);
            return T.value;
        }, v)) {
            int seen = p.result();
            System.out.println("fix 1, pass it as an argument: T.value = " + seen);
            Check.that(seen == 5, "the argument carried the state");
        }

        try (Pool pool = Pool.builder().workers(2).initializer(() -> T.init(v)).build()) {
            List<Integer> seen = pool.map(i -> T.value * i, List.of(1, 2, 3, 4), 1);
            System.out.println("fix 2, a pool initializer runs T.init(5) in every worker: T.value * i = " + seen);
            Check.that(seen.equals(List.of(5, 10, 15, 20)), "every worker ran the initializer");
        }
        System.out.println("OK: state crosses as arguments, initializers or shared memory, never by inheritance");
    }
}
