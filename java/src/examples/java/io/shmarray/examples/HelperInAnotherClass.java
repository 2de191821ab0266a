package io.shmarray.examples;

import io.shmarray.runtime.Pool;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Scenario 2 — a task that calls a helper defined in another class (Python: "does my worker see
 * functions from my other module?"). It does: workers start with the parent's class path and load
 * {@link Helpers} on first use, like any JVM.
 *
 * <pre>{@code
 * java -cp java/target/shmarray.jar:java/target/shmarray-examples.jar io.shmarray.examples.HelperInAnotherClass
 * }</pre>
 */
public final class HelperInAnotherClass {

    private HelperInAnotherClass() {}

    public static void main(String[] args) {
        List<Integer> items = IntStream.rangeClosed(1, 10).boxed().collect(Collectors.toList());
        try (Pool pool = Pool.create(2)) {
            List<String> out = pool.map(x -> Helpers.describe(x), items, 2);
            out.forEach(System.out::println);
            for (int i = 0; i < items.size(); i++) {
                int x = items.get(i);
                Check.that(out.get(i).startsWith(x + "^2 = " + (x * x) + " "), "item " + x + " computed by the helper");
                Check.that(!out.get(i).endsWith("pid " + Check.pid()), "item " + x + " ran in a worker");
            }
        }
        System.out.println("OK: workers load helper classes from the shared class path");
    }
}
