package io.shmarray.bench;

/** The bare JVM a worker start is compared with: prints one line and exits. */
public final class Noop {
    private Noop() {}

    public static void main(String[] args) {
        System.out.println("ready");
    }
}
