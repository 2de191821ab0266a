package io.shmarray;

/**
 * How long a created segment's name lives.
 *
 * <pre>{@code
 * SharedDoubleArray.create(1000);                                          // OWNER_SCOPED: goes with its creator
 * SharedDoubleArray.createNamed("shmarray-model", Lifetime.PERSISTENT, 1000); // stays until unlink()
 * }</pre>
 */
public enum Lifetime {
    /**
     * The default: the name is removed when its owner (the creating process, or one that
     * {@linkplain SharedArray#adopt() adopted} it) closes its last array over it, exits, or dies —
     * {@code kill -9} included, through the reaper helper within seconds, and through the sweep at
     * the next start of any shmarray process as a second line. Processes that only attached never
     * remove anything.
     */
    OWNER_SCOPED,

    /** The name stays until someone calls {@link SharedArray#unlink()}; no process removes it otherwise. */
    PERSISTENT
}
