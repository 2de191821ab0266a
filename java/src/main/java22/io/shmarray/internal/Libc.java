package io.shmarray.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few C library calls shmarray needs <i>before</i> its own native library is loaded, through
 * {@code java.lang.foreign} (JDK 22+; the JDK 17 version in the base tree uses JNA, with the same
 * signatures): an anonymous, sealable in-memory file ({@code memfd_create},
 * {@code fcntl(F_ADD_SEALS)}) that holds the verified bytes of the library and the reaper (see
 * {@link VerifiedImages}).
 */
final class Libc {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPTION = Linker.Option.captureCallState("errno");

    private Libc() {}

    /** {@code memfd_create(name, flags)}; throws with errno on failure. */
    static int memfdCreate(String name, int flags) throws IOException {
        MethodHandle h = handle("memfd_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), ERRNO_OPTION);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(STATE);
            int fd = (int) h.invokeExact(state, a.allocateFrom(name), flags);
            if (fd < 0) throw failure("memfd_create", state);
            return fd;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("memfd_create: " + t, t);
        }
    }

    /** {@code fcntl(fd, F_ADD_SEALS, seals)}. */
    static void addSeals(int fd, int seals) throws IOException {
        MethodHandle h = handle("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
                ERRNO_OPTION, Linker.Option.firstVariadicArg(2));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(STATE);
            int r = (int) h.invokeExact(state, fd, LinuxAbi.F_ADD_SEALS, seals);
            if (r < 0) throw failure("fcntl", state);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("fcntl: " + t, t);
        }
    }

    /** {@code close(fd)}, errors ignored. */
    static void close(int fd) {
        try {
            MethodHandle h = handle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
            int ignored = (int) h.invokeExact(fd);
        } catch (Throwable ignored) {
            // nothing to do about a failed close of our own descriptor
        }
    }

    private static MethodHandle handle(String function, FunctionDescriptor d, Linker.Option... options)
            throws IOException {
        MemorySegment symbol = LINKER.defaultLookup().find(function)
                .orElseThrow(() -> new LinuxAbi.Errno(function + " is not available in this C library",
                        LinuxAbi.ENOSYS));
        return LINKER.downcallHandle(symbol, d, options);
    }

    private static LinuxAbi.Errno failure(String function, MemorySegment state) {
        int errno = (int) ERRNO.get(state, 0L);
        return new LinuxAbi.Errno(function + " failed: errno " + errno, errno);
    }
}
