package io.shmarray.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The java.lang.foreign backend (JDK 22+, compiled from {@code src/main/java22} into
 * {@code META-INF/versions/22}). One downcall handle per shim function, bound to a library
 * looked up in the global arena (it is never unloaded). Arguments that point to memory are
 * copied into a confined arena for the duration of the call.
 *
 * <p><b>NOTE:</b> JDK 24+ warns about restricted methods unless the JVM runs with
 * {@code --enable-native-access=ALL-UNNAMED} (or the jar's {@code Enable-Native-Access} manifest
 * entry under {@code java -jar}).
 */
final class FfmBackend implements Backend {

    private final MethodHandle abiVersion;
    private final MethodHandle pageSize;
    private final MethodHandle strerror;
    private final MethodHandle createRaw;
    private final MethodHandle create;
    private final MethodHandle attach;
    private final MethodHandle attachRaw;
    private final MethodHandle size;
    private final MethodHandle identity;
    private final MethodHandle map;
    private final MethodHandle unmap;
    private final MethodHandle close;
    private final MethodHandle unlink;
    private final MethodHandle validate;
    private final MethodHandle startTime;
    private final MethodHandle processAlive;
    private final MethodHandle lock;
    private final MethodHandle unlock;
    private final MethodHandle lockConsistent;
    private final MethodHandle futexWait;
    private final MethodHandle futexWake;
    private final MethodHandle sweep;

    private FfmBackend(SymbolLookup lib) {
        abiVersion = bind(lib, "shmarray_abi_version", FunctionDescriptor.of(JAVA_INT));
        pageSize = bind(lib, "shmarray_page_size", FunctionDescriptor.of(JAVA_LONG));
        strerror = bind(lib, "shmarray_strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        createRaw = bind(lib, "shmarray_create_raw", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
        create = bind(lib, "shmarray_create",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
        attach = bind(lib, "shmarray_attach", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
        attachRaw = bind(lib, "shmarray_attach_raw", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        size = bind(lib, "shmarray_size", FunctionDescriptor.of(JAVA_LONG, JAVA_INT));
        identity = bind(lib, "shmarray_identity", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
        map = bind(lib, "shmarray_map",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT));
        unmap = bind(lib, "shmarray_unmap", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
        close = bind(lib, "shmarray_close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        unlink = bind(lib, "shmarray_unlink", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        validate = bind(lib, "shmarray_header_validate", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
        startTime = bind(lib, "shmarray_process_start_time", FunctionDescriptor.of(JAVA_LONG, JAVA_INT));
        processAlive = bind(lib, "shmarray_process_alive", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
        lock = bind(lib, "shmarray_lock", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
        unlock = bind(lib, "shmarray_unlock", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
        lockConsistent = bind(lib, "shmarray_lock_consistent", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
        futexWait = bind(lib, "shmarray_futex_wait", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG));
        futexWake = bind(lib, "shmarray_futex_wake", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT));
        sweep = bind(lib, "shmarray_sweep", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG));
    }

    /**
     * Loads {@code library} and binds every function; called reflectively by {@link Backends}.
     * The name is handed to {@code dlopen} as it is: the {@code Path} overload of
     * {@code libraryLookup} canonicalizes it first, which turns a sealed in-memory copy
     * ({@code /proc/<pid>/fd/<n>}) into the unopenable {@code /memfd:... (deleted)}.
     */
    static FfmBackend open(Path library) {
        return new FfmBackend(SymbolLookup.libraryLookup(library.toString(), Arena.global()));
    }

    private static MethodHandle bind(SymbolLookup lib, String symbol, FunctionDescriptor fd) {
        MemorySegment address = lib.find(symbol)
                .orElseThrow(() -> new UnsatisfiedLinkError("symbol " + symbol + " not found in libshmarray.so"));
        return Linker.nativeLinker().downcallHandle(address, fd);
    }

    /** Downcalls declare {@code Throwable}; the shim raises nothing, so anything here is a bug. */
    private static RuntimeException unexpected(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException("native call failed unexpectedly", t);
    }

    private static MemorySegment cString(Arena arena, String s) {
        byte[] bytes = CStrings.encode(s);
        return bytes == null ? null : arena.allocateFrom(JAVA_BYTE, bytes);
    }

    @Override
    public String name() {
        return "ffm";
    }

    @Override
    public int abiVersion() {
        try {
            return (int) abiVersion.invokeExact();
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public long pageSize() {
        try {
            return (long) pageSize.invokeExact();
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int create(String name, int dtype, long[] shape, int flags, byte[] headerOut) {
        CStrings.checkHeaderBuffer(headerOut);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment n = cString(arena, name);
            if (n == null || shape == null) return -NativeErrors.EINVAL;
            MemorySegment s = shape.length == 0 ? MemorySegment.NULL : arena.allocateFrom(JAVA_LONG, shape);
            MemorySegment h = arena.allocate(SegmentHeaderDescriptor.HEADER_SIZE, 8);
            int rc = (int) create.invokeExact(n, dtype, shape.length, s, flags, h);
            if (rc >= 0) MemorySegment.copy(h, JAVA_BYTE, 0, headerOut, 0, SegmentHeaderDescriptor.HEADER_SIZE);
            return rc;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int createRaw(String name, long size) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment n = cString(arena, name);
            if (n == null) return -NativeErrors.EINVAL;
            return (int) createRaw.invokeExact(n, size);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int attach(String name, boolean writable, byte[] headerOut) {
        CStrings.checkHeaderBuffer(headerOut);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment n = cString(arena, name);
            if (n == null) return -NativeErrors.EINVAL;
            MemorySegment h = arena.allocate(SegmentHeaderDescriptor.HEADER_SIZE, 8);
            int rc = (int) attach.invokeExact(n, writable ? 1 : 0, h);
            if (rc >= 0) MemorySegment.copy(h, JAVA_BYTE, 0, headerOut, 0, SegmentHeaderDescriptor.HEADER_SIZE);
            return rc;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int attachRaw(String name, boolean writable) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment n = cString(arena, name);
            if (n == null) return -NativeErrors.EINVAL;
            return (int) attachRaw.invokeExact(n, writable ? 1 : 0);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public long size(int fd) {
        try {
            return (long) size.invokeExact(fd);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int identity(int fd, long[] out) {
        if (out == null || out.length < 2) return -NativeErrors.EINVAL;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment o = arena.allocate(JAVA_LONG, 2);
            int rc = (int) identity.invokeExact(fd, o);
            if (rc >= 0) MemorySegment.copy(o, JAVA_LONG, 0, out, 0, 2);
            return rc;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public long map(int fd, long offset, long length, int prot, int kind) {
        try {
            return (long) map.invokeExact(fd, offset, length, prot, kind);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int unmap(long address, long length) {
        try {
            return (int) unmap.invokeExact(address, length);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int close(int fd) {
        try {
            return (int) close.invokeExact(fd);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int unlink(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment n = cString(arena, name);
            if (n == null) return -NativeErrors.EINVAL;
            return (int) unlink.invokeExact(n);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int validateHeader(byte[] header, int available, long segmentSize) {
        if (header == null || available < 0 || available > header.length) return -NativeErrors.EINVAL;
        try (Arena arena = Arena.ofConfined()) {
            // exactly `available` bytes: a read past them would be a bug the validator must not have
            MemorySegment h = arena.allocate(Math.max(available, 1), 8);
            MemorySegment.copy(header, 0, h, JAVA_BYTE, 0, available);
            return (int) validate.invokeExact(h, (long) available, segmentSize);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public String strerror(int code) {
        try {
            MemorySegment p = (MemorySegment) strerror.invokeExact(code);
            return p.equals(MemorySegment.NULL) ? "error " + code : p.reinterpret(Integer.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public long processStartTime(int pid) {
        try {
            return (long) startTime.invokeExact(pid);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int processAlive(int pid, long startTime) {
        try {
            return (int) processAlive.invokeExact(pid, startTime);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int lock(long lockAddress, long timeoutNanos) {
        try {
            return (int) lock.invokeExact(lockAddress, timeoutNanos);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int unlock(long lockAddress) {
        try {
            return (int) unlock.invokeExact(lockAddress);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int lockConsistent(long lockAddress) {
        try {
            return (int) lockConsistent.invokeExact(lockAddress);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int futexWait(long address, int expected, long timeoutNanos) {
        try {
            return (int) futexWait.invokeExact(address, expected, timeoutNanos);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int futexWake(long address, int count) {
        try {
            return (int) futexWake.invokeExact(address, count);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int sweep(String dir, boolean dryRun, byte[] report) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment d = dir == null ? MemorySegment.NULL : cString(arena, dir);
            if (d == null) return -NativeErrors.EINVAL;
            long len = report == null ? 0 : report.length;
            MemorySegment r = len == 0 ? MemorySegment.NULL : arena.allocate(len);
            int rc = (int) sweep.invokeExact(d, dryRun ? 1 : 0, r, len);
            if (len > 0) MemorySegment.copy(r, JAVA_BYTE, 0, report, 0, (int) len);
            return rc;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public ByteBuffer buffer(long address, int length) {
        if (address <= 0 || length < 0) throw new IllegalArgumentException("address=" + address + ", length=" + length);
        return MemorySegment.ofAddress(address).reinterpret(length).asByteBuffer();
    }
}
