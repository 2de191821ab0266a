/**
 * shmarray: arrays in named POSIX shared memory that several processes map and mutate in place.
 *
 * <p>Entry points: {@link io.shmarray.SharedDoubleArray} for the data, {@link io.shmarray.Shmarray}
 * for the backend and native library in use. Failures are {@link io.shmarray.ShmException}s typed
 * by cause. The native shim ({@code libshmarray.so}) is bundled in the jar for linux-x86-64 and
 * linux-aarch64 and is
 * reached through JNA on JDK 17-21 and through {@code java.lang.foreign} on JDK 22+.
 */
package io.shmarray;
