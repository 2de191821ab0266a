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

    private Libc() {}

    /** {@code memfd_create(name, flags)}; throws with errno on failure. */
    static int memfdCreate(String name, int flags) throws IOException {
        return call("memfd_create", name, flags);
    }

    /** {@code fcntl(fd, F_ADD_SEALS, seals)}. */
    static void addSeals(int fd, int seals) throws IOException {
        call("fcntl", fd, LinuxAbi.F_ADD_SEALS, seals);
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
        JnaDispatch.prepare();
        Function f;
        try {
            f = NativeLibrary.getProcess().getFunction(function, Function.THROW_LAST_ERROR);
        } catch (UnsatisfiedLinkError e) {
            throw new LinuxAbi.Errno(function + " is not available in this C library (" + e.getMessage() + ")",
                    LinuxAbi.ENOSYS);
        }
        try {
            return f.invokeInt(args);
        } catch (LastErrorException e) {
            throw new LinuxAbi.Errno(function + " failed: errno " + e.getErrorCode(), e.getErrorCode());
        }
    }
}
