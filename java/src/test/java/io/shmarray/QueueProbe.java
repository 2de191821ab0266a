package io.shmarray;

/** Child JVM for queue crash tests: takes the queue's lock (as a put or take in progress) and dies. */
public final class QueueProbe {
    private QueueProbe() {}

    public static void main(String[] args) {
        SharedQueue<Object> q = SharedQueue.attach(args[0]);
        q.buffer().lock();
        System.out.println("HOLDING");
        System.out.flush();
        Runtime.getRuntime().halt(9);
    }
}
