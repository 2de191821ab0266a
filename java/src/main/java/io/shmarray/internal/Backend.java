package io.shmarray.internal;

import java.nio.ByteBuffer;

/**
 * The one door to native code: every call into {@code libshmarray.so} goes through this
 * interface. Signatures hold only primitives, {@code String}s, Java arrays and {@link ByteBuffer},
 * so nothing outside this package sees JNA or {@code java.lang.foreign} types.
 *
 * <p>Two package-private implementations exist: {@code JnaBackend} (JDK 17+, in
 * {@code src/main/java}) and {@code FfmBackend} (JDK 22+, in {@code src/main/java22}, packed into
 * {@code META-INF/versions/22}). {@link Backends#get()} chooses one once per JVM.
 *
 * <p>Conventions mirror {@code shmarray.h}: a result {@code >= 0} is success, a negative result
 * is {@code -errno} or {@code -SHMARRAY_E_*}; {@link NativeErrors} turns it into a typed
 * exception. Names are passed without or with the leading {@code '/'}. Addresses are
 * {@code long}s. No method throws for a native failure: the caller decides what to raise.
 *
 * <p>This is an internal API: it may change in any release.
 */
public interface Backend {

    /** {@code "jna"} or {@code "ffm"}. */
    String name();

    /** {@code shmarray_abi_version()} of the loaded library. */
    int abiVersion();

    long pageSize();

    /** {@code shmarray_create}; fills {@code headerOut} (at least 512 bytes) on success. */
    int create(String name, int dtype, long[] shape, int flags, byte[] headerOut);

    int createRaw(String name, long size);

    /** {@code shmarray_attach}; fills {@code headerOut} (at least 512 bytes) on success. */
    int attach(String name, boolean writable, byte[] headerOut);

    int attachRaw(String name, boolean writable);

    long size(int fd);

    /** {@code shmarray_identity}: {@code out[0]} = device, {@code out[1]} = inode. */
    int identity(int fd, long[] out);

    /** Returns the mapped address, or a negative error code. */
    long map(int fd, long offset, long length, int prot, int kind);

    int unmap(long address, long length);

    int close(int fd);

    int unlink(String name);

    /** {@code shmarray_header_validate} over a copy of a header. */
    int validateHeader(byte[] header, int available, long segmentSize);

    String strerror(int code);

    long processStartTime(int pid);

    /** {@code shmarray_process_alive}: 1 alive, 0 gone (or pid reused), negative on error. */
    int processAlive(int pid, long startTime);

    /** {@code shmarray_lock} on the lock area at {@code lockAddress}; see shmarray.h. */
    int lock(long lockAddress, long timeoutNanos);

    int unlock(long lockAddress);

    int lockConsistent(long lockAddress);

    /** {@code shmarray_futex_wait}: 0 woken, -EAGAIN value differs, -ETIMEDOUT. */
    int futexWait(long address, int expected, long timeoutNanos);

    int futexWake(long address, int count);

    /** {@code shmarray_sweep} over {@code dir} (null: /dev/shm); the report is NUL-terminated UTF-8. */
    int sweep(String dir, boolean dryRun, byte[] report);

    /**
     * A direct buffer over {@code length} bytes of native memory at {@code address}. The buffer
     * does not own the memory: it must not be used after the range is unmapped. Big-endian, as
     * every new buffer; callers set the order they need.
     */
    ByteBuffer buffer(long address, int length);
}
