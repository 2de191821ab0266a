package io.shmarray;

/**
 * A thread blocked in a shmarray wait — {@link SharedQueue#take}, {@link SharedQueue#put},
 * {@link SharedPipe#receive}, {@link SharedSemaphore#acquire}, {@link SharedEvent#await},
 * {@link SharedBarrier#await}, {@link SharedArray#lock} — was interrupted. The wait gave up
 * without taking, putting or acquiring anything, and <b>the thread's interrupt status stays
 * set</b>, as after {@code Thread.interrupt()} (the cause is the {@link InterruptedException}).
 *
 * <p>Unchecked, unlike {@code java.util.concurrent}'s {@code InterruptedException}, so that a
 * pool task — a lambda, which cannot throw checked exceptions — can block on a queue. A wait
 * notices the interrupt within {@value SharedArray#WAIT_SLICE_MILLIS} ms.
 */
public class WaitInterruptedException extends ShmException {
    private static final long serialVersionUID = 1L;

    /** {@code EINTR}: the errno of an interrupted wait. */
    static final int EINTR = 4;

    /**
     * An exception with {@link #errno()} {@code EINTR} (4) and an {@link InterruptedException}
     * carrying the same message as its cause.
     *
     * @param message which wait gave up
     * @param segmentName the name of the segment waited on (without a leading '/')
     */
    public WaitInterruptedException(String message, String segmentName) {
        super(message, EINTR, segmentName, new InterruptedException(message));
    }
}
