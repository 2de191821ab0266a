package io.shmarray.examples;

/** The examples' one assertion: prints what failed and exits 1, so a wrong outcome cannot pass. */
final class Check {

    private Check() {}

    static void that(boolean condition, String what) {
        if (!condition) {
            System.err.println("FAILED: " + what);
            System.exit(1);
        }
    }

    static long pid() {
        return ProcessHandle.current().pid();
    }
}
