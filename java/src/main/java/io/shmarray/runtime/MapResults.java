package io.shmarray.runtime;

import java.util.Iterator;

/**
 * The results of {@link Pool#imap} or {@link Pool#imapUnordered}, pulled as they are needed.
 * Closing it before its end cancels the call: chunks still queued never run, no more input is
 * read, and the function is dropped by the workers once the chunks already running end (their
 * results are discarded). Use it in try-with-resources when you may stop early.
 */
public interface MapResults<R> extends Iterator<R>, AutoCloseable {
    /** Cancels what is left of the call; idempotent. */
    @Override
    void close();
}
