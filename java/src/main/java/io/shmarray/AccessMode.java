package io.shmarray;

/**
 * How this process maps an array's data. The segment's header is always mapped shared, on its
 * own, whatever the mode.
 *
 * <pre>{@code
 * SharedDoubleArray view = SharedDoubleArray.attach(name, AccessMode.READ_ONLY);     // writes throw
 * SharedDoubleArray scratch = SharedDoubleArray.attach(name, AccessMode.COPY_ON_WRITE); // private writes
 * }</pre>
 */
public enum AccessMode {
    /** Shared read-write mapping: writes are visible to every process at once. */
    READ_WRITE,

    /**
     * Shared read-only mapping ({@code PROT_READ}): every write through the API or a window
     * throws; nothing can crash.
     */
    READ_ONLY,

    /**
     * Private copy-on-write mapping ({@code MAP_PRIVATE}): this process may write, and its writes
     * stay in this process. <b>Linux behaviour:</b> a page this process has not written yet still
     * shows other processes' later writes; once written here, the page is a private copy and stops
     * following them. Atomics and locks are refused on such arrays (they would only order this
     * process's private copy).
     */
    COPY_ON_WRITE
}
