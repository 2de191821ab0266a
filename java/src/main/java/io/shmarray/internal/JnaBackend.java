package io.shmarray.internal;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The JNA backend (JDK 17+): direct-mapped {@code static native} methods bound once to
 * {@code libshmarray.so}. Pointers travel as {@code long} (64-bit platforms only), names as
 * NUL-terminated UTF-8 {@code byte[]}, out-parameters as Java arrays that JNA copies back.
 * Memory windows are direct {@code ByteBuffer}s from {@link Pointer#getByteBuffer}.
 */
final class JnaBackend implements Backend {

    private static final JnaBackend INSTANCE = new JnaBackend();
    private static Path boundPath;

    /** Direct mapping: JNA binds these to the library's symbols of the same name. */
    static final class Lib {
        private Lib() {}

        static native int shmarray_abi_version();
        static native long shmarray_page_size();
        static native Pointer shmarray_strerror(int code);
        static native int shmarray_create_raw(byte[] name, long size);
        static native int shmarray_create(byte[] name, int dtype, int rank, long[] shape, int flags, byte[] header);
        static native int shmarray_attach(byte[] name, int writable, byte[] header);
        static native int shmarray_attach_raw(byte[] name, int writable);
        static native long shmarray_size(int fd);
        static native int shmarray_identity(int fd, long[] out);
        static native long shmarray_map(int fd, long offset, long length, int prot, int kind);
        static native int shmarray_unmap(long address, long length);
        static native int shmarray_close(int fd);
        static native int shmarray_unlink(byte[] name);
        static native int shmarray_header_validate(byte[] header, long available, long segmentSize);
        static native long shmarray_process_start_time(int pid);
        static native int shmarray_process_alive(int pid, long startTime);
        static native int shmarray_lock(long address, long timeoutNanos);
        static native int shmarray_unlock(long address);
        static native int shmarray_lock_consistent(long address);
        static native int shmarray_futex_wait(long address, int expected, long timeoutNanos);
        static native int shmarray_futex_wake(long address, int count);
        static native int shmarray_sweep(byte[] dir, int dryRun, byte[] report, long reportLength);
    }

    private JnaBackend() {}

    /** Binds {@link Lib} to {@code library} (once per JVM; JNA cannot rebind a class). */
    static synchronized JnaBackend open(Path library) {
        if (boundPath == null) {
            JnaDispatch.prepare();
            NativeLibrary lib = NativeLibrary.getInstance(library.toString());
            Native.register(Lib.class, lib);
            boundPath = library;
        } else if (!boundPath.equals(library)) {
            throw new UnsatisfiedLinkError("the JNA backend is already bound to " + boundPath + ", not " + library);
        }
        return INSTANCE;
    }

    @Override
    public String name() {
        return "jna";
    }

    @Override
    public int abiVersion() {
        return Lib.shmarray_abi_version();
    }

    @Override
    public long pageSize() {
        return Lib.shmarray_page_size();
    }

    @Override
    public int create(String name, int dtype, long[] shape, int flags, byte[] headerOut) {
        CStrings.checkHeaderBuffer(headerOut);
        byte[] n = CStrings.encode(name);
        if (n == null || shape == null) return -NativeErrors.EINVAL;
        return Lib.shmarray_create(n, dtype, shape.length, shape.length == 0 ? null : shape, flags, headerOut);
    }

    @Override
    public int createRaw(String name, long size) {
        byte[] n = CStrings.encode(name);
        return n == null ? -NativeErrors.EINVAL : Lib.shmarray_create_raw(n, size);
    }

    @Override
    public int attach(String name, boolean writable, byte[] headerOut) {
        CStrings.checkHeaderBuffer(headerOut);
        byte[] n = CStrings.encode(name);
        return n == null ? -NativeErrors.EINVAL : Lib.shmarray_attach(n, writable ? 1 : 0, headerOut);
    }

    @Override
    public int attachRaw(String name, boolean writable) {
        byte[] n = CStrings.encode(name);
        return n == null ? -NativeErrors.EINVAL : Lib.shmarray_attach_raw(n, writable ? 1 : 0);
    }

    @Override
    public long size(int fd) {
        return Lib.shmarray_size(fd);
    }

    @Override
    public int identity(int fd, long[] out) {
        if (out == null || out.length < 2) return -NativeErrors.EINVAL;
        return Lib.shmarray_identity(fd, out);
    }

    @Override
    public long map(int fd, long offset, long length, int prot, int kind) {
        return Lib.shmarray_map(fd, offset, length, prot, kind);
    }

    @Override
    public int unmap(long address, long length) {
        return Lib.shmarray_unmap(address, length);
    }

    @Override
    public int close(int fd) {
        return Lib.shmarray_close(fd);
    }

    @Override
    public int unlink(String name) {
        byte[] n = CStrings.encode(name);
        return n == null ? -NativeErrors.EINVAL : Lib.shmarray_unlink(n);
    }

    @Override
    public int validateHeader(byte[] header, int available, long segmentSize) {
        if (header == null || available < 0 || available > header.length) return -NativeErrors.EINVAL;
        // JNA passes the whole array; the validator reads at most `available` bytes of it.
        return Lib.shmarray_header_validate(available == 0 ? new byte[1] : header, available, segmentSize);
    }

    @Override
    public String strerror(int code) {
        Pointer p = Lib.shmarray_strerror(code);
        return p == null ? "error " + code : p.getString(0, "UTF-8");
    }

    @Override
    public long processStartTime(int pid) {
        return Lib.shmarray_process_start_time(pid);
    }

    @Override
    public int processAlive(int pid, long startTime) {
        return Lib.shmarray_process_alive(pid, startTime);
    }

    @Override
    public int lock(long lockAddress, long timeoutNanos) {
        return Lib.shmarray_lock(lockAddress, timeoutNanos);
    }

    @Override
    public int unlock(long lockAddress) {
        return Lib.shmarray_unlock(lockAddress);
    }

    @Override
    public int lockConsistent(long lockAddress) {
        return Lib.shmarray_lock_consistent(lockAddress);
    }

    @Override
    public int futexWait(long address, int expected, long timeoutNanos) {
        return Lib.shmarray_futex_wait(address, expected, timeoutNanos);
    }

    @Override
    public int futexWake(long address, int count) {
        return Lib.shmarray_futex_wake(address, count);
    }

    @Override
    public int sweep(String dir, boolean dryRun, byte[] report) {
        byte[] d = dir == null ? null : CStrings.encode(dir);
        if (dir != null && d == null) return -NativeErrors.EINVAL;
        return Lib.shmarray_sweep(d, dryRun ? 1 : 0, report, report == null ? 0 : report.length);
    }

    @Override
    public ByteBuffer buffer(long address, int length) {
        if (address <= 0 || length < 0) throw new IllegalArgumentException("address=" + address + ", length=" + length);
        return new Pointer(address).getByteBuffer(0, length);
    }
}
