package io.shmarray.runtime;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * JDK Flight Recorder events of the runtime, recorded when a recording enables them (and free
 * otherwise: nothing of JFR is loaded until JFR has been started): {@value #TASK} for each pool task or map chunk, from submission to its outcome, and
 * {@value #WORKER_START} for each worker JVM started, from launch to authenticated connection.
 * Without the {@code jdk.jfr} module (a trimmed runtime) nothing is recorded and nothing fails.
 *
 * <pre>
 * java -XX:StartFlightRecording=filename=run.jfr,settings=profile ... 
 * jfr print --events io.shmarray.Task,io.shmarray.WorkerStart run.jfr
 * </pre>
 */
final class FlightEvents {

    static final String TASK = "io.shmarray.Task";
    static final String WORKER_START = "io.shmarray.WorkerStart";

    /** jdk.jfr is in this runtime and readable here (on the module path it is an optional dependency). */
    private static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.jfr")
            .map(FlightEvents.class.getModule()::canRead).orElse(false);

    private FlightEvents() {}

    @Name(TASK)
    @Label("shmarray Task")
    @Category({"shmarray", "Pool"})
    @Description("A pool task or map chunk, from submission to its outcome")
    @StackTrace(false)
    static final class TaskEvent extends Event {
        @Label("Job id")
        long jobId;
        @Label("Kind")
        @Description("task (submit, apply, executor) or chunk (map, imap, starmap)")
        String kind;
        @Label("Request bytes")
        @Description("the frame sent to the worker")
        long requestBytes;
        @Label("Worker pid")
        @Description("the worker that ran it last (0: none)")
        long workerPid;
        @Label("Outcome")
        @Description("ok, failed or cancelled")
        String outcome;
    }

    @Name(WORKER_START)
    @Label("shmarray Worker Start")
    @Category({"shmarray", "Pool"})
    @Description("A worker JVM started: launch to authenticated connection")
    @StackTrace(false)
    static final class WorkerStartEvent extends Event {
        @Label("Worker pid")
        long workerPid;
        @Label("Java")
        String java;
    }

    /**
     * Whether events may be recorded: JFR is in this runtime and has been started (a recording,
     * from the command line or the API). Touching an event class before that would set JFR's
     * machinery up — about 100 ms of class loading on the first task — for nothing.
     */
    private static boolean recording() {
        return AVAILABLE && jdk.jfr.FlightRecorder.isInitialized();
    }

    /** A begun task event, or null when none is recorded. */
    static Object taskBegun() {
        if (!recording()) return null;
        TaskEvent e = new TaskEvent();
        if (!e.isEnabled()) return null;
        e.begin();
        return e;
    }

    /** Ends and commits what {@link #taskBegun} returned (null: nothing). */
    static void taskEnded(Object event, long jobId, boolean chunk, long requestBytes, long workerPid, String outcome) {
        if (event == null) return;
        TaskEvent e = (TaskEvent) event;
        e.end();
        e.jobId = jobId;
        e.kind = chunk ? "chunk" : "task";
        e.requestBytes = requestBytes;
        e.workerPid = workerPid;
        e.outcome = outcome;
        e.commit();
    }

    /** A begun worker-start event, or null. */
    static Object workerStartBegun() {
        if (!recording()) return null;
        WorkerStartEvent e = new WorkerStartEvent();
        if (!e.isEnabled()) return null;
        e.begin();
        return e;
    }

    static void workerStarted(Object event, long pid, String java) {
        if (event == null) return;
        WorkerStartEvent e = (WorkerStartEvent) event;
        e.end();
        e.workerPid = pid;
        e.java = java;
        e.commit();
    }
}
