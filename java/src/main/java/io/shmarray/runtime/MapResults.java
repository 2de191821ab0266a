package io.shmarray.runtime;

import java.util.Iterator;

/**
 * The results of {@link Pool#imap} or {@link Pool#imapUnordered}, pulled as they are needed.
 * Closing it before its end cancels the call: chunks still queued never run, no more input is
 * read, and a chunk running in a worker is stopped — that worker is killed and replaced, as by
 * {@code cancel(true)} — so nothing of the call runs on afterwards. Use it in try-with-resources
 * when you may stop early.
 *
 * @param <R> the type of the results
 */
public interface MapResults<R> extends Iterator<R>, AutoCloseable {
    /** Cancels what is left of the call; idempotent. */
    @Override
    void close();
}
