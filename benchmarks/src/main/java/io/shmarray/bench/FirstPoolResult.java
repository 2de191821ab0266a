package io.shmarray.bench;

import io.shmarray.runtime.Pool;

/**
 * A fresh JVM's first use of the runtime: from the start of {@code main} to the first result of a
 * new {@code Pool(2)} (this JVM's own class loading and native set-up included), printed in ms.
 */
public final class FirstPoolResult {
    private FirstPoolResult() {}

    public static void main(String[] args) {
        long t = System.nanoTime();
        try (Pool pool = Pool.create(2)) {
            int one = pool.apply(() -> 1);
            double ms = (System.nanoTime() - t) / 1e6;
            System.out.println("first-result-ms " + ms + " " + one);
        }
    }
}
