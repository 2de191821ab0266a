package io.shmarray.examples;

import io.shmarray.Explain;
import io.shmarray.runtime.SerializableCallable;
import io.shmarray.runtime.WorkerProcess;
import java.util.Arrays;

/**
 * Scenario 1 — Python's {@code Process(target=f, args=('bob',))}: what is serialized?
 *
 * <p>The function travels <b>by reference</b> (class + method name: the worker JVM loads the same
 * class from the same class path); the arguments are <b>copied</b> by serialization. A worker that
 * changes its copy of an argument does not change the parent's.
 *
 * <pre>{@code
 * java -cp java/target/shmarray.jar:java/target/shmarray-examples.jar io.shmarray.examples.HelloProcess
 * }</pre>
 */
public final class HelloProcess {

    private HelloProcess() {}

    static String greet(String name, int[] visits) {
        visits[0]++; // changes the worker's copy only
        return "hello " + name + " from pid " + Check.pid() + ", visits seen here: " + Arrays.toString(visits);
    }

    public static void main(String[] args) throws Exception {
        String name = "bob";
        int[] visits = {0};
        SerializableCallable<String> task = () -> greet(name, visits);

        System.out.println("parent pid " + Check.pid() + "; Explain.explain(task) says:");
        System.out.println(Explain.explain(task));

        try (WorkerProcess<String> p = WorkerProcess.start(task)) {
            String answer = p.result();
            System.out.println("worker answered: " + answer);
            Check.that(answer.startsWith("hello bob from pid " + p.pid()), "the answer came from the worker");
            Check.that(p.pid() != Check.pid(), "the worker is another process");
            Check.that(answer.endsWith("[1]"), "the worker incremented its copy");
        }
        System.out.println("parent's visits after the worker incremented its copy: " + Arrays.toString(visits));
        Check.that(visits[0] == 0, "arguments are copies");
        System.out.println("OK: the code went by reference (class + method), the arguments as copies");
    }
}
