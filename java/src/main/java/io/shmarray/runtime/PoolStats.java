package io.shmarray.runtime;

/**
 * A snapshot of a {@link Pool}'s counters since it was built ({@link Pool#stats()}). A job is a
 * task ({@code submit}, {@code apply}, the executor view) or one chunk of a {@code map},
 * {@code imap} or {@code starmap}.
 *
 * @param workers          worker slots
 * @param queued           jobs waiting for a worker now
 * @param jobsSubmitted    jobs accepted
 * @param jobsCompleted    jobs that returned a value
 * @param jobsFailed       jobs that threw, timed out, lost their worker or whose result was refused
 * @param jobsCancelled    jobs cancelled (by {@code cancel}, an interrupted or closed {@code map}, or {@code terminate})
 * @param bytesSent        bytes sent to the workers (frames whole: tasks, chunks, definitions, control)
 * @param bytesReceived    bytes received from them (results, errors, heartbeats)
 * @param workersStarted   worker JVMs started, the first ones and standbys ({@link Pool.Builder#standby}) included
 * @param workerReplacements workers started to replace one that died, timed out, was killed by a
 *                         cancel or was recycled ({@code maxTasksPerWorker})
 */
public record PoolStats(int workers, int queued, long jobsSubmitted, long jobsCompleted, long jobsFailed,
        long jobsCancelled, long bytesSent, long bytesReceived, long workersStarted, long workerReplacements) {
}
