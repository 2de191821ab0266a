package io.shmarray.examples;

import io.shmarray.SharedQueue;
import io.shmarray.runtime.WorkerProcess;
import java.time.Duration;

/**
 * Scenario 6 — queues between processes. Python refuses to pass a {@code multiprocessing.Queue}
 * except by inheritance ("Queue objects should only be shared between processes through
 * inheritance"), so a queue cannot be a pool task's argument nor be sent to a process that is
 * already running. A {@link SharedQueue} lives in shared memory and travels as its name: pass it
 * as an argument, capture it, or send it through another queue to a process started earlier.
 *
 * <pre>{@code
 * java -cp java/target/shmarray.jar:java/target/shmarray-examples.jar io.shmarray.examples.QueuesBetweenProcesses
 * }</pre>
 */
public final class QueuesBetweenProcesses {

    private QueuesBetweenProcesses() {}

    public static void main(String[] args) throws Exception {
        Duration wait = Duration.ofSeconds(60);
        try (SharedQueue<String> replies = SharedQueue.create(64 * 1024);
                SharedQueue<SharedQueue<String>> inbox = SharedQueue.create(64 * 1024)) {
            // 1. a queue as a task's argument
            try (WorkerProcess<Void> child = WorkerProcess.start(q -> {
                q.put("hello through a queue passed as an argument, from pid " + Check.pid());
                return null;
            }, replies)) {
                String msg = replies.poll(wait);
                System.out.println("1. " + msg);
                Check.that(msg != null && msg.endsWith("pid " + child.pid()), "the child answered on the queue");
                child.result();
            }

            // 2. a process already running receives a queue created later, through another queue
            try (WorkerProcess<String> early = WorkerProcess.start(() -> {
                SharedQueue<String> late = inbox.poll(wait);
                if (late == null) return "nothing arrived";
                late.put("hello through a queue that arrived through a queue, from pid " + Check.pid());
                return "answered on " + late.name();
            })) {
                try (SharedQueue<String> late = SharedQueue.create(64 * 1024)) {
                    inbox.put(late); // travels as its handle; the receiver attaches to the same ring
                    String msg = late.poll(wait);
                    System.out.println("2. " + msg);
                    Check.that(msg != null && msg.endsWith("pid " + early.pid()), "the earlier process answered");
                    Check.that(early.result().equals("answered on " + late.name()), "it used the very queue sent");
                }
            }
        }
        System.out.println("OK: queues travel as arguments and through other queues, to processes started any time");
    }
}
