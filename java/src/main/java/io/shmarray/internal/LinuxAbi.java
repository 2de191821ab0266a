package io.shmarray.internal;

import java.io.IOException;

/**
 * Linux constants for the C calls of {@link Libc} (both versions, JNA and FFM, use these), and
 * the exception that carries a failed call's errno.
 */
final class LinuxAbi {

    static final int MFD_CLOEXEC = 0x1;
    static final int MFD_ALLOW_SEALING = 0x2;
    static final int MFD_EXEC = 0x10;
    static final int F_ADD_SEALS = 1033;
    static final int F_SEAL_SEAL = 0x1;
    static final int F_SEAL_SHRINK = 0x2;
    static final int F_SEAL_GROW = 0x4;
    static final int F_SEAL_WRITE = 0x8;
    static final int EINVAL = 22;
    static final int ENOSYS = 38;

    private LinuxAbi() {}

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
