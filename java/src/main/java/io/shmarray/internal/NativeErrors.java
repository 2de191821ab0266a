package io.shmarray.internal;

import io.shmarray.CorruptSegmentException;
import io.shmarray.InsufficientSharedMemoryException;
import io.shmarray.SegmentAccessException;
import io.shmarray.SegmentExistsException;
import io.shmarray.SegmentNotFoundException;
import io.shmarray.SegmentNotReadyException;
import io.shmarray.ShmException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns the shim's negative result codes into typed exceptions whose messages say what failed,
 * why, and what to do. Codes below 4000 are Linux {@code errno} values (the same on x86-64 and
 * aarch64); codes from 4001 are {@code SHMARRAY_E_*} from {@code shmarray.h}.
 */
public final class NativeErrors {

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int EBADF = 9;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int EFBIG = 27;
    public static final int ENOSPC = 28;
    public static final int ENAMETOOLONG = 36;
    public static final int EDEADLK = 35;
    public static final int ELOOP = 40;
    public static final int ETIMEDOUT = 110;

    /** Positive result of {@code shmarray_lock}: acquired, but the previous owner died holding it. */
    public static final int LOCK_OWNER_DIED = 1;

    public static final int E_BAD_MAGIC = 4001;
    public static final int E_BAD_VERSION = 4002;
    public static final int E_BAD_HEADER_SIZE = 4003;
    public static final int E_NOT_READY = 4004;
    public static final int E_BAD_STATE = 4005;
    public static final int E_BAD_DTYPE = 4006;
    public static final int E_BAD_RANK = 4007;
    public static final int E_BAD_SHAPE = 4008;
    public static final int E_BAD_BYTE_ORDER = 4009;
    public static final int E_BAD_DATA_OFFSET = 4010;
    public static final int E_BAD_DATA_LENGTH = 4011;
    public static final int E_BAD_CREATOR = 4012;
    public static final int E_BAD_FLAGS = 4013;
    public static final int E_TRUNCATED = 4014;
    public static final int E_NOT_REGULAR = 4015;
    public static final int E_WRONG_OWNER = 4016;
    public static final int E_BAD_MODE = 4017;
    public static final int E_BAD_RESERVED = 4018;
    public static final int E_BAD_SEGMENT_ID = 4019;

    /** Where POSIX shared memory lives on Linux. */
    public static final Path DEV_SHM = Path.of("/dev/shm");

    private NativeErrors() {}

    /** The symbolic name of a code, e.g. {@code "ENOSPC"} or {@code "SHMARRAY_E_BAD_MAGIC"}. */
    public static String nameOf(int code) {
        switch (code) {
            case EPERM: return "EPERM";
            case ENOENT: return "ENOENT";
            case EINTR: return "EINTR";
            case EAGAIN: return "EAGAIN";
            case EDEADLK: return "EDEADLK";
            case ETIMEDOUT: return "ETIMEDOUT";
            case EBADF: return "EBADF";
            case ENOMEM: return "ENOMEM";
            case EACCES: return "EACCES";
            case EEXIST: return "EEXIST";
            case EINVAL: return "EINVAL";
            case ENFILE: return "ENFILE";
            case EMFILE: return "EMFILE";
            case EFBIG: return "EFBIG";
            case ENOSPC: return "ENOSPC";
            case ENAMETOOLONG: return "ENAMETOOLONG";
            case ELOOP: return "ELOOP";
            case E_BAD_MAGIC: return "SHMARRAY_E_BAD_MAGIC";
            case E_BAD_VERSION: return "SHMARRAY_E_BAD_VERSION";
            case E_BAD_HEADER_SIZE: return "SHMARRAY_E_BAD_HEADER_SIZE";
            case E_NOT_READY: return "SHMARRAY_E_NOT_READY";
            case E_BAD_STATE: return "SHMARRAY_E_BAD_STATE";
            case E_BAD_DTYPE: return "SHMARRAY_E_BAD_DTYPE";
            case E_BAD_RANK: return "SHMARRAY_E_BAD_RANK";
            case E_BAD_SHAPE: return "SHMARRAY_E_BAD_SHAPE";
            case E_BAD_BYTE_ORDER: return "SHMARRAY_E_BAD_BYTE_ORDER";
            case E_BAD_DATA_OFFSET: return "SHMARRAY_E_BAD_DATA_OFFSET";
            case E_BAD_DATA_LENGTH: return "SHMARRAY_E_BAD_DATA_LENGTH";
            case E_BAD_CREATOR: return "SHMARRAY_E_BAD_CREATOR";
            case E_BAD_FLAGS: return "SHMARRAY_E_BAD_FLAGS";
            case E_TRUNCATED: return "SHMARRAY_E_TRUNCATED";
            case E_NOT_REGULAR: return "SHMARRAY_E_NOT_REGULAR";
            case E_WRONG_OWNER: return "SHMARRAY_E_WRONG_OWNER";
            case E_BAD_MODE: return "SHMARRAY_E_BAD_MODE";
            case E_BAD_RESERVED: return "SHMARRAY_E_BAD_RESERVED";
            case E_BAD_SEGMENT_ID: return "SHMARRAY_E_BAD_SEGMENT_ID";
            default: return "errno " + code;
        }
    }

    /**
     * The exception for a failed call.
     *
     * @param result the negative result of the call
     * @param operation what was attempted, e.g. {@code "create"}
     * @param name the segment name, or {@code null}
     * @param requestedBytes bytes the operation needed, or -1
     */
    public static ShmException toException(Backend backend, long result, String operation, String name,
            long requestedBytes) {
        if (result >= 0) throw new IllegalArgumentException("result=" + result + " is not an error");
        int code = (int) -result;
        String what = operation + (name == null ? "" : " '" + name + "'") + " failed: "
                + backend.strerror(code) + " (" + nameOf(code) + ")";
        switch (code) {
            case EEXIST:
                return new SegmentExistsException(what + "; choose another name, or attach to the existing segment",
                        code, name);
            case ENOENT:
                return new SegmentNotFoundException(what + "; no segment has this name in " + DEV_SHM
                        + " (never created, or already unlinked)", code, name);
            case ENOSPC:
            case EFBIG: {
                long free = freeBytes();
                return new InsufficientSharedMemoryException(what + "; " + DEV_SHM + " has "
                        + (free < 0 ? "an unknown amount" : formatBytes(free)) + " free, "
                        + (requestedBytes < 0 ? "more" : formatBytes(requestedBytes))
                        + " requested. Free space there (remove stale segments) or enlarge it,"
                        + " e.g. docker run --shm-size=2g, or mount -o remount,size=8G /dev/shm",
                        code, name, requestedBytes, free);
            }
            case ENOMEM:
                if ("map".equals(operation)) { // mmap: address space or mapping count, not /dev/shm
                    return new ShmException(what + "; mapping " + (requestedBytes < 0 ? "the segment"
                            : formatBytes(requestedBytes) + " (" + requestedBytes + " bytes)")
                            + " does not fit this process's address space (" + addressSpaceLimit()
                            + ") or its number of mappings (vm.max_map_count). Raise the limit (ulimit -v), map"
                            + " less (a slice in another process), or close arrays", code, name);
                }
                return new ShmException(what, code, name);
            case ELOOP:
                return new SegmentAccessException(what + "; the name is a symbolic link, which shmarray never follows",
                        code, name);
            case E_NOT_REGULAR:
            case E_WRONG_OWNER:
            case E_BAD_MODE:
            case EACCES:
            case EPERM:
                return new SegmentAccessException(what + "; shmarray only adopts regular files of this user with mode 0600",
                        code, name);
            case E_NOT_READY:
                return new SegmentNotReadyException(what + "; retry shortly, or if its creator died,"
                        + " remove the segment", code, name);
            default:
                String field = SegmentHeaderDescriptor.fieldOf(code);
                if (field != null) {
                    return new CorruptSegmentException(what + "; bad header field: " + field, code, name, field);
                }
                return new ShmException(what, code, name);
        }
    }

    /** This process's address-space limit as {@code /proc/self/limits} states it ("unlimited" or a size). */
    static String addressSpaceLimit() {
        try {
            for (String l : Files.readAllLines(java.nio.file.Path.of("/proc/self/limits"))) {
                if (!l.startsWith("Max address space")) continue;
                String soft = l.substring("Max address space".length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? "ulimit -v: unlimited"
                        : "ulimit -v: " + formatBytes(Long.parseLong(soft));
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return "limit unknown";
    }

    /** Free bytes in /dev/shm, or -1 when it cannot be read. */
    public static long freeBytes() {
        try {
            return Files.getFileStore(DEV_SHM).getUsableSpace();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** "64.0 MiB" style. */
    public static String formatBytes(long bytes) {
        if (bytes < 1024) return bytes + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
