/*
 * shmarray.h - named POSIX shared-memory segments with a self-describing header.
 *
 * Conventions (every function):
 *   - returns >= 0 on success and -errno (or a negative SHMARRAY_E* code below) on failure;
 *     functions returning an address return it as a non-negative int64_t (user-space addresses
 *     on the supported 64-bit platforms are < 2^63);
 *   - retries EINTR where the call can be interrupted;
 *   - validates its arguments and returns an error for bad ones; never aborts, never prints.
 *   - Names follow shm_open(3): an optional leading '/', then 1..SHMARRAY_NAME_MAX bytes without
 *     another '/', not "." or "..". "x" and "/x" name the same segment.
 *
 * Plain C, no JNI: the Java library binds these symbols with JNA (JDK 17+) and with
 * java.lang.foreign (JDK 22+). Only shmarray_* symbols are exported.
 */
#ifndef SHMARRAY_H
#define SHMARRAY_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(SHMARRAY_BUILDING)
#define SHMARRAY_API __attribute__((visibility("default")))
#else
#define SHMARRAY_API
#endif

/* Bumped on any incompatible change of a signature, a constant or the header layout. */
#define SHMARRAY_ABI_VERSION 1

/* Segment header format version (SHMARRAY_OFF_FORMAT_VERSION). */
#define SHMARRAY_FORMAT_VERSION 1

/* "SHMARRAY" read as a little-endian uint64: the bytes 'S','H','M','A','R','R','A','Y'. */
#define SHMARRAY_MAGIC UINT64_C(0x59415252414D4853)

#define SHMARRAY_MAX_RANK 8
#define SHMARRAY_HEADER_SIZE 512
#define SHMARRAY_LOCK_SIZE 128
#define SHMARRAY_NAME_MAX 255
/* Prefix of the names shmarray generates; sweep reports such a file without a header as damaged. */
#define SHMARRAY_NAME_PREFIX "shmarray-"
/* A segment younger than this that is still empty or zero is being created, not damaged. */
#define SHMARRAY_CREATE_GRACE_SECONDS 5

/* dtype codes (numpy names in brackets). */
#define SHMARRAY_DTYPE_INT8 1    /* int8,    Java byte   */
#define SHMARRAY_DTYPE_INT16 2   /* int16,   Java short  */
#define SHMARRAY_DTYPE_INT32 3   /* int32,   Java int    */
#define SHMARRAY_DTYPE_INT64 4   /* int64,   Java long   */
#define SHMARRAY_DTYPE_FLOAT32 5 /* float32, Java float  */
#define SHMARRAY_DTYPE_FLOAT64 6 /* float64, Java double */

/* header state word */
#define SHMARRAY_STATE_INITIALISING 0
#define SHMARRAY_STATE_READY 1

/* header byte order */
#define SHMARRAY_BYTE_ORDER_LITTLE 1
#define SHMARRAY_BYTE_ORDER_BIG 2

/* header flags */
#define SHMARRAY_FLAG_PERSISTENT 0x1u /* survives its creator; removed only by unlink */
#define SHMARRAY_FLAG_POISONED 0x2u   /* a lock holder died; data must not be trusted */
#define SHMARRAY_FLAGS_KNOWN (SHMARRAY_FLAG_PERSISTENT | SHMARRAY_FLAG_POISONED)

/* shmarray_map protection and mapping kind */
#define SHMARRAY_PROT_READ 0x1
#define SHMARRAY_PROT_WRITE 0x2
#define SHMARRAY_MAP_SHARED 0
#define SHMARRAY_MAP_PRIVATE 1 /* copy-on-write: this process's writes stay private */

/*
 * Error codes beyond errno (returned negated). Each names what is wrong, so callers can say it.
 */
#define SHMARRAY_E_BASE 4000
#define SHMARRAY_E_BAD_MAGIC 4001       /* not a shmarray segment (or a foreign one) */
#define SHMARRAY_E_BAD_VERSION 4002     /* header format version not supported */
#define SHMARRAY_E_BAD_HEADER_SIZE 4003 /* header_size field wrong */
#define SHMARRAY_E_NOT_READY 4004       /* creator has not published the header (yet) */
#define SHMARRAY_E_BAD_STATE 4005       /* state word holds an unknown value */
#define SHMARRAY_E_BAD_DTYPE 4006
#define SHMARRAY_E_BAD_RANK 4007
#define SHMARRAY_E_BAD_SHAPE 4008       /* negative extent or element count overflows */
#define SHMARRAY_E_BAD_BYTE_ORDER 4009  /* unknown, or not this machine's order */
#define SHMARRAY_E_BAD_DATA_OFFSET 4010 /* not page-aligned or inside the header */
#define SHMARRAY_E_BAD_DATA_LENGTH 4011 /* != shape x element size, or past the segment's end */
#define SHMARRAY_E_BAD_CREATOR 4012     /* creator pid <= 0 */
#define SHMARRAY_E_BAD_FLAGS 4013       /* unknown flag bits */
#define SHMARRAY_E_TRUNCATED 4014       /* segment shorter than a header */
#define SHMARRAY_E_NOT_REGULAR 4015     /* the name is not a regular file (device, fifo, dir) */
#define SHMARRAY_E_WRONG_OWNER 4016     /* owned by another uid */
#define SHMARRAY_E_BAD_MODE 4017        /* group/other permission bits set: refuse to adopt */
#define SHMARRAY_E_BAD_RESERVED 4018    /* reserved header bytes are not zero */
#define SHMARRAY_E_BAD_SEGMENT_ID 4019  /* segment_id is 0 */

/* Positive (success) result of shmarray_lock: acquired, but the previous owner died holding it. */
#define SHMARRAY_LOCK_OWNER_DIED 1

/*
 * Segment header: the first SHMARRAY_HEADER_SIZE bytes of every segment shmarray creates.
 * All fields in native byte order (byte_order says which); offsets are fixed and mirrored by
 * io.shmarray.internal.SegmentHeaderDescriptor in Java.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------------------------------------------------------+
 *   |                     magic "SHMARRAY" (u64)                    |   0
 *   +-------------------------------+-------------------------------+
 *   |       format_version (u32)    |  state (u32, release-stored)  |   8
 *   +-------------------------------+-------------------------------+
 *   |        header_size (u32)      |          dtype (u32)          |  16
 *   +-------------------------------+---------------+---------------+
 *   |           rank (u32)          | byte_order u8 |  reserved0 x3 |  24
 *   +-------------------------------+---------------+---------------+
 *   |  creation_mode (u32, 0600)    |          flags (u32)          |  32
 *   +-------------------------------+-------------------------------+
 *   |                       generation (u64)                        |  40
 *   |                 data_offset (u64, page-aligned)               |  48
 *   |              data_length (u64, exact logical bytes)           |  56
 *   |                      creator_pid (i64)                        |  64
 *   |     creator_start_time (u64, clock ticks after boot, /proc)   |  72
 *   |                shape[SHMARRAY_MAX_RANK] (i64 each)            |  80..143
 *   |        segment_id (u64, random, never 0: this segment only)   | 144
 *   |   creator_pidns (u64, inode of the owner's pid namespace)     | 152
 *   |   creator_boot (u64, digest of the owner's boot id)           | 160
 *   |                    reserved1 (88 bytes, zero)                 | 168..255
 *   |         lock (128 bytes, reserved for a process-shared lock)  | 256..383
 *   |                    reserved2 (128 bytes, zero)                | 384..511
 *   +---------------------------------------------------------------+
 *   |  padding up to data_offset (a multiple of the page size), then |
 *   |  data_length bytes of row-major element data                  |
 *   +---------------------------------------------------------------+
 *
 * segment_id is drawn at random (getrandom) when the segment is created: a name that is unlinked
 * and created again, even by the same process, gets another one, so a handle can tell them apart.
 *
 * The owner is (creator_pid, creator_start_time, creator_pidns, creator_boot): a pid means
 * something only in its pid namespace, and processes of two containers sharing /dev/shm live in
 * different ones. Nobody judges an owner whose namespace differs from its own (0 = unknown, as in
 * headers written before this field existed, counts as the same): such a segment is never
 * reclaimed by a sweep or a reaper of another namespace. An owner recorded under another boot
 * (a /dev/shm that outlived a reboot) is dead, whatever pid and start time now match it
 * (0 = unknown counts as this boot).
 *
 * Publication: the creator fills every field with state = INITIALISING and stores
 * state = READY last with release semantics; readers load state with acquire semantics and
 * trust no other field before they have seen READY.
 */
typedef struct shmarray_header {
    uint64_t magic;
    uint32_t format_version;
    uint32_t state;
    uint32_t header_size;
    uint32_t dtype;
    uint32_t rank;
    uint8_t byte_order;
    uint8_t reserved0[3];
    uint32_t creation_mode;
    uint32_t flags;
    uint64_t generation;
    uint64_t data_offset;
    uint64_t data_length;
    int64_t creator_pid;
    uint64_t creator_start_time;
    int64_t shape[SHMARRAY_MAX_RANK];
    uint64_t segment_id;
    uint64_t creator_pidns;
    uint64_t creator_boot;
    uint8_t reserved1[88];
    uint8_t lock[SHMARRAY_LOCK_SIZE];
    uint8_t reserved2[128];
} shmarray_header;

#define SHMARRAY_OFF_MAGIC 0
#define SHMARRAY_OFF_FORMAT_VERSION 8
#define SHMARRAY_OFF_STATE 12
#define SHMARRAY_OFF_HEADER_SIZE 16
#define SHMARRAY_OFF_DTYPE 20
#define SHMARRAY_OFF_RANK 24
#define SHMARRAY_OFF_BYTE_ORDER 28
#define SHMARRAY_OFF_CREATION_MODE 32
#define SHMARRAY_OFF_FLAGS 36
#define SHMARRAY_OFF_GENERATION 40
#define SHMARRAY_OFF_DATA_OFFSET 48
#define SHMARRAY_OFF_DATA_LENGTH 56
#define SHMARRAY_OFF_CREATOR_PID 64
#define SHMARRAY_OFF_CREATOR_START_TIME 72
#define SHMARRAY_OFF_SHAPE 80
#define SHMARRAY_OFF_SEGMENT_ID 144
#define SHMARRAY_OFF_CREATOR_PIDNS 152
#define SHMARRAY_OFF_CREATOR_BOOT 160
#define SHMARRAY_OFF_RESERVED1 168
#define SHMARRAY_OFF_LOCK 256
#define SHMARRAY_OFF_RESERVED2 384

/* The ABI version this library was built with (SHMARRAY_ABI_VERSION). */
SHMARRAY_API int32_t shmarray_abi_version(void);

/* The system page size in bytes. */
SHMARRAY_API int64_t shmarray_page_size(void);

/* Bytes per element of a dtype code, or -SHMARRAY_E_BAD_DTYPE. */
SHMARRAY_API int64_t shmarray_dtype_size(int32_t dtype);

/* A static, human-readable description of a code returned by any shmarray function. */
SHMARRAY_API const char *shmarray_strerror(int32_t code);

/*
 * Creates a new segment without a header (for foreign layouts): O_CREAT|O_EXCL, mode exactly
 * 0600 whatever the umask, `size` bytes reserved with posix_fallocate so a full /dev/shm fails
 * here (-ENOSPC) instead of raising SIGBUS on first touch. On failure the name is removed again.
 * Returns an open read-write file descriptor (close it with shmarray_close).
 */
SHMARRAY_API int32_t shmarray_create_raw(const char *name, int64_t size);

/*
 * Creates a new array segment: a header (see above) followed, at a page-aligned data offset, by
 * shape[0] x ... x shape[rank-1] elements of `dtype`, zero-filled. Every extent must be >= 0;
 * rank 0 is a scalar (one element). `flags` may hold SHMARRAY_FLAG_PERSISTENT. The header is
 * published (state READY) before this returns; a copy of it is written to *header_out when that
 * is not NULL. Returns an open read-write file descriptor.
 */
SHMARRAY_API int32_t shmarray_create(const char *name, int32_t dtype, int32_t rank,
                                     const int64_t *shape, uint32_t flags,
                                     shmarray_header *header_out);

/*
 * Opens an existing array segment, checks that it is a regular file owned by this process's
 * effective uid with no group/other permission bits, reads its header and validates it
 * (shmarray_header_validate). On success copies the header to *header_out (may be NULL) and
 * returns a file descriptor opened read-write when `writable` is non-zero, read-only otherwise.
 */
SHMARRAY_API int32_t shmarray_attach(const char *name, int32_t writable,
                                     shmarray_header *header_out);

/*
 * Opens an existing segment that carries no shmarray header (e.g. made by Python's
 * multiprocessing.shared_memory): same file checks as shmarray_attach, no header expected.
 */
SHMARRAY_API int32_t shmarray_attach_raw(const char *name, int32_t writable);

/*
 * Identity of the segment behind an open descriptor: out[0] = device, out[1] = inode. Two
 * descriptors refer to the same segment exactly when both values match (a name that was
 * unlinked and created again yields a new inode).
 */
SHMARRAY_API int32_t shmarray_identity(int32_t fd, int64_t *out);

/* Current size in bytes of an open segment (fstat). */
SHMARRAY_API int64_t shmarray_size(int32_t fd);

/*
 * Maps `length` bytes of the segment from `offset` (a multiple of the page size) with
 * protection SHMARRAY_PROT_* and kind SHMARRAY_MAP_SHARED or SHMARRAY_MAP_PRIVATE.
 * The range must lie inside the segment (-EINVAL otherwise, so no access can raise SIGBUS at
 * the time of mapping). Returns the address.
 */
SHMARRAY_API int64_t shmarray_map(int32_t fd, int64_t offset, int64_t length, int32_t prot,
                                  int32_t kind);

/* Unmaps a range returned by shmarray_map. */
SHMARRAY_API int32_t shmarray_unmap(int64_t address, int64_t length);

/* Closes a descriptor returned by this library. Not retried on EINTR (Linux closes anyway). */
SHMARRAY_API int32_t shmarray_close(int32_t fd);

/* Removes the name; existing mappings stay valid until unmapped. */
SHMARRAY_API int32_t shmarray_unlink(const char *name);

/*
 * Validates a header of which only `available` bytes are readable, for a segment of
 * `segment_size` bytes (pass -1 when unknown). Reads nothing past `available`. Returns 0 or the
 * negated SHMARRAY_E_* code naming the first bad field found: magic, then state (a header that is
 * not READY yields SHMARRAY_E_NOT_READY, whatever its other fields hold), then the rest.
 */
SHMARRAY_API int32_t shmarray_header_validate(const void *header, int64_t available,
                                              int64_t segment_size);

/*
 * ---- Robust process-shared lock -------------------------------------------------------------
 * A PTHREAD_PROCESS_SHARED, PTHREAD_MUTEX_ROBUST, error-checking mutex living in the header's lock
 * area (SHMARRAY_OFF_LOCK of a segment mapped shared and writable); shmarray_create initialises it.
 * `lock_address` is the address of that area in this process.
 *
 * A pthread mutex belongs to the OS thread that locked it: only that thread may unlock it
 * (others get -EPERM). If the owner dies holding it, the next shmarray_lock acquires it and
 * returns SHMARRAY_LOCK_OWNER_DIED; that caller may repair the data and call
 * shmarray_lock_consistent before unlocking. Unlocking without doing so makes the lock
 * permanently unusable: every later shmarray_lock returns -ENOTRECOVERABLE.
 */

/* Initialises a lock area (done by shmarray_create; for segments laid out by hand). */
SHMARRAY_API int32_t shmarray_lock_init(int64_t lock_address);

/*
 * Takes the lock, waiting at most `timeout_ns` nanoseconds (< 0: forever; 0: try once).
 * Returns 0, SHMARRAY_LOCK_OWNER_DIED, -ETIMEDOUT (also for a failed try), -EDEADLK when
 * this thread holds it already, -ENOTRECOVERABLE, or -EINVAL for a bad address.
 */
SHMARRAY_API int32_t shmarray_lock(int64_t lock_address, int64_t timeout_ns);

/* Releases the lock; -EPERM when the calling thread does not own it. */
SHMARRAY_API int32_t shmarray_unlock(int64_t lock_address);

/* After SHMARRAY_LOCK_OWNER_DIED: declares the protected state consistent again. */
SHMARRAY_API int32_t shmarray_lock_consistent(int64_t lock_address);

/*
 * ---- futex wait/wake on a 32-bit word of a shared mapping, across processes -------------------
 * shmarray_futex_wait sleeps while *address == expected, at most timeout_ns (< 0: forever).
 * Returns 0 when woken (callers re-check their condition: wake-ups may be spurious), -EAGAIN
 * when the word no longer held `expected`, -ETIMEDOUT. Signals (EINTR) are retried with the
 * remaining time. The address must be 4-byte aligned.
 * shmarray_futex_wake wakes at most `count` waiters and returns how many it woke.
 */
SHMARRAY_API int32_t shmarray_futex_wait(int64_t address, int32_t expected, int64_t timeout_ns);
SHMARRAY_API int32_t shmarray_futex_wake(int64_t address, int32_t count);

/*
 * 1 when process `pid` runs and started at `start_time` (shmarray_process_start_time), 0 when
 * it is gone, a zombie, or the pid now names another process (pid reuse); -EINVAL for bad input.
 */
SHMARRAY_API int32_t shmarray_process_alive(int32_t pid, int64_t start_time);

/*
 * ---- Sweep ----------------------------------------------------------------------------------
 * Scans `dir` (NULL: /dev/shm) for segments of this user that carry a shmarray header and
 * removes those whose creator (pid and start time) is dead and that are not PERSISTENT,
 * including segments whose creator died before publishing the header. Entries with a corrupt
 * header are left alone and reported; foreign entries (no shmarray magic) are only counted.
 * With `dry_run` non-zero nothing is removed. One line per decision is written to `report`
 * (truncated to report_len, always NUL-terminated when report_len > 0):
 *   "reclaimed NAME owner=PID", "corrupt NAME field-error", "damaged NAME why",
 *   "elsewhere NAME owner=PID pidns=N" (an owner in another pid namespace: never judged), "foreign N"
 * Before it removes anything it reads the header again: an owner that changed meanwhile (adopt
 * writes the new owner's fields one by one) is not judged on a torn read.
 * Returns the number of segments reclaimed (or that would be).
 */
SHMARRAY_API int32_t shmarray_sweep(const char *dir, int32_t dry_run, char *report, int64_t report_len);

/*
 * Start time of process `pid` in clock ticks after boot (field 22 of /proc/PID/stat); with the
 * pid it identifies a process across pid reuse. Returns -ESRCH when no such process exists.
 */
SHMARRAY_API int64_t shmarray_process_start_time(int32_t pid);

/*
 * This process's pid namespace: the inode of /proc/self/ns/pid, or -errno when it cannot be read.
 */
SHMARRAY_API int64_t shmarray_pidns(void);

/*
 * Whether this process can judge an owner recorded with pid namespace `pidns`: 1 when pidns is 0
 * (unknown: the same, as before the field existed) or this process's own, 0 otherwise (also when
 * this process's own namespace cannot be read).
 */
SHMARRAY_API int32_t shmarray_pidns_is_ours(int64_t pidns);

/*
 * This boot: a 63-bit digest of /proc/sys/kernel/random/boot_id (the two 64-bit halves of the
 * UUID xor-ed, sign bit cleared, never 0), or -errno when it cannot be read.
 */
SHMARRAY_API int64_t shmarray_boot_id(void);

/*
 * Whether an owner recorded under boot digest `boot` ran in this boot: 1 when boot is 0 (unknown:
 * as before the field existed) or this boot's, 0 otherwise; 1 also when this boot's cannot be read.
 */
SHMARRAY_API int32_t shmarray_boot_is_ours(int64_t boot);

#ifdef __cplusplus
}
#endif

#endif /* SHMARRAY_H */
