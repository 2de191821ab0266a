package io.shmarray.examples;

import io.shmarray.SharedDoubleArray;
import io.shmarray.runtime.Pool;
import java.io.Serializable;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Scenario 5 — the {@code Test} class with an array field and an instance method {@code myFun(i)}
 * handed straight to {@code pool.map}. In Python the bound method pickles the instance, so every
 * worker writes into its own private copy of the array and the parent sees nothing. Here the
 * field is a shared array: the instance travels with the array's handle, every worker writes into
 * the same memory, and the parent sees every write. No wrapper function needed.
 *
 * <pre>{@code
 * java -cp java/target/shmarray.jar:java/target/shmarray-examples.jar io.shmarray.examples.InstanceMethodMap
 * }</pre>
 */
public final class InstanceMethodMap {

    private InstanceMethodMap() {}

    /** The class from the question, with its array shared. */
    static final class Test implements Serializable, AutoCloseable {
        private static final long serialVersionUID = 1L;
        final SharedDoubleArray data;

        Test(int n) {
            data = SharedDoubleArray.create(n);
        }

        long myFun(int i) {
            data.set(i, i * 10.0);
            return Check.pid();
        }

        @Override
        public void close() {
            data.close();
        }
    }

    public static void main(String[] args) {
        int n = 1000;
        try (Test test = new Test(n); Pool pool = Pool.create(2)) {
            List<Integer> indices = IntStream.range(0, n).boxed().collect(Collectors.toList());
            List<Long> pids = pool.map(test::myFun, indices, 50);
            long workers = pids.stream().distinct().count();
            System.out.println("pool.map(test::myFun, 0.." + (n - 1) + ") ran in " + workers + " worker(s): "
                    + pids.stream().distinct().collect(Collectors.toList()));
            for (int i = 0; i < n; i++) {
                Check.that(test.data.get(i) == i * 10.0, "the parent sees data[" + i + "] written by a worker");
            }
            Check.that(!pids.contains(Check.pid()), "the writes happened in other processes");
            System.out.println("parent sees data[0..3] = " + test.data.get(0) + ", " + test.data.get(1) + ", "
                    + test.data.get(2) + ", " + test.data.get(3) + " ... data[999] = " + test.data.get(n - 1));
        }
        System.out.println("OK: the parent sees every write made through the instance method");
    }
}
