/**
 * The process runtime: {@link io.shmarray.runtime.WorkerProcess} runs a serializable task in a
 * freshly started worker JVM, over a private authenticated channel, with shared arrays travelling
 * as handles and everything else copied by serialization through a filtering {@link
 * io.shmarray.runtime.Codec}.
 */
package io.shmarray.runtime;
