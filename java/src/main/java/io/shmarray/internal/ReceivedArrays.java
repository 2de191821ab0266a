package io.shmarray.internal;

import java.lang.System.Logger.Level;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets go of shared arrays this process <i>received</i> — decoded from a task, a map's function,
 * a result or a queue item — once nothing here uses them any more, so that a long-lived worker or
 * parent does not keep every segment it was ever sent mapped (and its pages in /dev/shm) after the
 * owner removed it.
 * <ul>
 *   <li>Each received array object is registered with a {@link Cleaner}: when it (and every view
 *       over it) becomes unreachable, its reference on the mapping is released, unless it was
 *       closed first. An array still in use — kept in a field, returned, captured — stays mapped.
 *   <li>Unreachable objects are only found by a garbage collection, which an idle JVM may not run
 *       for a long time. A watcher thread ({@code shmarray-received-arrays}, started with the first
 *       received array) therefore looks every {@value #CHECK_MILLIS} ms for received mappings
 *       whose segment name is gone or now denotes another segment (the owner closed or unlinked
 *       it), or that this process owns while only received arrays still hold them; when it finds
 *       some it asks for a collection ({@code System.gc()}, as {@code java.nio.Bits} does for
 *       direct memory) — at most twice a second, backing off to once a minute while collections
 *       release nothing because the arrays are still in use — and once more after a release,
 *       which unmaps at the next collection. Requests share {@link MappedRegion}'s policy and
 *       rate (at most one collection per 100 ms for both).
 *   <li>A received array whose memory escaped as a buffer window ({@code asByteBuffer},
 *       {@code byteBuffers}), or that this process adopted, is pinned: it stays until closed.
 * </ul>
 * {@value #PROPERTY}{@code =false} turns both off: received arrays then stay mapped until closed
 * (or the process ends), as explicitly attached arrays always do.
 */
public final class ReceivedArrays {

    /** System property: {@code false} keeps received arrays mapped until closed. */
    public static final String PROPERTY = "io.shmarray.releaseReceived";

    static final long CHECK_MILLIS = 250;
    /** At most two collections a second on this account, backing off to one a minute. */
    private static final long MIN_INTERVAL_MILLIS = 500;
    private static final long MAX_BACKOFF_MILLIS = 60_000;
    private static final boolean ENABLED = Boolean.parseBoolean(System.getProperty(PROPERTY, "true"));
    private static final System.Logger LOG = System.getLogger("io.shmarray");
    private static final Cleaner CLEANER = Cleaner.create(r -> {
        Thread t = new Thread(r, "shmarray-received-arrays-cleaner");
        t.setDaemon(true);
        return t;
    });
    private static Thread watcher;

    private ReceivedArrays() {}

    /**
     * Releases {@code attachment} (one reference) once {@code array} is unreachable, unless
     * {@code closed} was set by an explicit close first or {@code pinned} was set (its memory
     * escaped as a buffer window, or this process adopted it).
     *
     * @return the registration (its {@code clean()} runs the release check at once), or null when
     *         disabled
     */
    public static Cleaner.Cleanable register(Object array, Attachment attachment, AtomicBoolean closed,
            AtomicBoolean pinned) {
        if (!ENABLED) return null;
        startWatcher(); // first: a failure here leaves nothing registered
        Attachments.markReceived(attachment);
        return CLEANER.register(array, () -> {
            if (!pinned.get() && closed.compareAndSet(false, true)) {
                Attachments.release(attachment, true);
                RELEASED.incrementAndGet();
            }
        });
    }

    private static synchronized void startWatcher() {
        if (watcher != null) return;
        Thread t = new Thread(ReceivedArrays::watch, "shmarray-received-arrays");
        t.setDaemon(true);
        t.start();
        watcher = t;
    }

    /** Releases done by the cleaner so far: progress, as the watcher measures it. */
    private static final AtomicLong RELEASED = new AtomicLong();

    private static void watch() {
        long backoff = MIN_INTERVAL_MILLIS;
        long nextCollection = 0;
        long lastStale = 0;
        boolean followUp = false;
        while (true) {
            try {
                Thread.sleep(CHECK_MILLIS);
                long stale = Attachments.staleReceivedBytes();
                long pending = MappedRegion.pendingUnmapBytes();
                // a mapping the cleaner released was reachable until then: it is unmapped only by
                // a later collection, so one more round after each release
                if (stale <= 0 && !(followUp && pending > 0)) {
                    backoff = MIN_INTERVAL_MILLIS;
                    lastStale = 0;
                    followUp = false;
                    continue;
                }
                if (stale > lastStale) nextCollection = 0; // something new went stale: look at once
                lastStale = stale;
                if (System.currentTimeMillis() < nextCollection) continue;
                long released = RELEASED.get();
                MappedRegion.collectSoon(); // shares the one-per-100-ms rate with MappedRegion
                Thread.sleep(CHECK_MILLIS); // the cleaners run on their own threads
                boolean newlyReleased = RELEASED.get() > released;
                boolean progress = newlyReleased || MappedRegion.pendingUnmapBytes() < pending;
                followUp = newlyReleased || (followUp && progress);
                backoff = progress ? MIN_INTERVAL_MILLIS : Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
                nextCollection = System.currentTimeMillis() + backoff;
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException | LinkageError e) {
                LOG.log(Level.DEBUG, "shmarray: received-array watcher stopped: " + e);
                return;
            }
        }
    }
}
