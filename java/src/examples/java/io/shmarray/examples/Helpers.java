package io.shmarray.examples;

/** Scenario 2's helper: plain static methods in another class. */
final class Helpers {

    private Helpers() {}

    static String describe(int x) {
        return x + "^2 = " + square(x) + " computed in pid " + Check.pid();
    }

    static int square(int x) {
        return x * x;
    }
}
