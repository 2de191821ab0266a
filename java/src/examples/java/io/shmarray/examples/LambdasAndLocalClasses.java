package io.shmarray.examples;

import io.shmarray.NotSerializableTaskException;
import io.shmarray.runtime.Pool;
import io.shmarray.runtime.SerializableFunction;
import java.util.List;

/**
 * Scenario 3 — a lambda and a local class defined inside {@code main}. Under Python's spawn both
 * fail ({@code Can't get attribute 'f' on <module '__main__'>} / lambdas do not pickle). Here
 * they work when serializable: a serializable lambda travels as its class + method name plus its
 * captured values, a local class as its class name plus its fields. One that captures something
 * that cannot be serialized fails <b>at submit</b>, naming the culprit, before any work starts.
 *
 * <pre>{@code
 * java -cp java/target/shmarray.jar:java/target/shmarray-examples.jar io.shmarray.examples.LambdasAndLocalClasses
 * }</pre>
 */
public final class LambdasAndLocalClasses {

    private LambdasAndLocalClasses() {}

    public static void main(String[] args) {
        int offset = 100;
        SerializableFunction<Integer, Integer> lambda = x -> x + offset;

        class Scale implements SerializableFunction<Integer, Integer> {
            private static final long serialVersionUID = 1L;
            final int factor;

            Scale(int factor) {
                this.factor = factor;
            }

            @Override
            public Integer apply(Integer x) {
                return x * factor;
            }
        }

        try (Pool pool = Pool.create(2)) {
            List<Integer> a = pool.map(lambda, List.of(1, 2, 3), 1);
            System.out.println("lambda from main:      " + a);
            Check.that(a.equals(List.of(101, 102, 103)), "the lambda ran with its captured offset");

            List<Integer> b = pool.map(new Scale(3), List.of(1, 2, 3), 1);
            System.out.println("local class from main: " + b);
            Check.that(b.equals(List.of(3, 6, 9)), "the local class ran with its field");

            Thread notSerializable = Thread.currentThread();
            try {
                pool.submit(() -> notSerializable.getName());
                Check.that(false, "a task capturing a Thread must be refused");
            } catch (NotSerializableTaskException e) {
                System.out.println("capturing a Thread fails at submit: " + e.getMessage());
                Check.that(e.getMessage().contains("java.lang.Thread"), "the message names the culprit");
            }
        }
        System.out.println("OK: serializable lambdas and local classes travel; others fail early and clearly");
    }
}
