package io.shmarray.internal;

import com.sun.jna.Function;
import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLibrary;
import java.io.IOException;

/**
 * The few C library calls shmarray needs <i>before</i> its own native library is loaded: an
 * anonymous, sealable in-memory file ({@code memfd_create}, {@code fcntl(F_ADD_SEALS)}) that holds
 * the verified bytes of the library and the reaper, so that what is loaded or executed is exactly
 * what was verified (see {@link VerifiedImages}). This version uses JNA (JDK 17–21); JDK 22+
 * uses {@code java.lang.foreign} from {@code META-INF/versions/22}, with the same signatures.
 */
final class Libc {

    static final int MFD_CLOEXEC = 0x1;
    static final int MFD_ALLOW_SEALING = 0x2;
    static final int MFD_EXEC = 0x10;
    static final int F_ADD_SEALS = 1033;
    static final int F_SEAL_SEAL = 0x1;
    static final int F_SEAL_SHRINK = 0x2;
    static final int F_SEAL_GROW = 0x4;
    static final int F_SEAL_WRITE = 0x8;
    static final int EINVAL = 22;

    private Libc() {}

    /** {@code memfd_create(name, flags)}; throws with errno on failure. */
    static int memfdCreate(String name, int flags) throws IOException {
        return call("memfd_create", name, flags);
    }

    /** {@code fcntl(fd, F_ADD_SEALS, seals)}. */
    static void addSeals(int fd, int seals) throws IOException {
        call("fcntl", fd, F_ADD_SEALS, seals);
    }

    /** {@code close(fd)}, errors ignored. */
    static void close(int fd) {
        try {
            call("close", fd);
        } catch (IOException ignored) {
            // nothing to do about a failed close of our own descriptor
        }
    }

    private static int call(String function, Object... args) throws IOException {
        Function f;
        try {
            f = NativeLibrary.getProcess().getFunction(function, Function.THROW_LAST_ERROR);
        } catch (UnsatisfiedLinkError e) {
            throw new Errno(function + " is not available in this C library (" + e.getMessage() + ")", 38);
        }
        try {
            return f.invokeInt(args);
        } catch (LastErrorException e) {
            throw new Errno(function + " failed: errno " + e.getErrorCode(), e.getErrorCode());
        }
    }

    /** A failed C call and its errno. */
    static final class Errno extends IOException {
        private static final long serialVersionUID = 1L;
        final int errno;

        Errno(String message, int errno) {
            super(message);
            this.errno = errno;
        }
    }
}
