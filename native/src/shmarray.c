/*
 * shmarray.c - the native shim: named POSIX shared-memory segments with a self-describing
 * header. See include/shmarray.h for the contract of every function.
 */
#define _GNU_SOURCE
#include "shmarray.h"
#include "fault.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* The C layout must match the documented offsets (and SegmentHeaderDescriptor in Java). */
_Static_assert(sizeof(shmarray_header) == SHMARRAY_HEADER_SIZE, "header size");
_Static_assert(offsetof(shmarray_header, magic) == SHMARRAY_OFF_MAGIC, "magic");
_Static_assert(offsetof(shmarray_header, format_version) == SHMARRAY_OFF_FORMAT_VERSION, "ver");
_Static_assert(offsetof(shmarray_header, state) == SHMARRAY_OFF_STATE, "state");
_Static_assert(offsetof(shmarray_header, header_size) == SHMARRAY_OFF_HEADER_SIZE, "hsize");
_Static_assert(offsetof(shmarray_header, dtype) == SHMARRAY_OFF_DTYPE, "dtype");
_Static_assert(offsetof(shmarray_header, rank) == SHMARRAY_OFF_RANK, "rank");
_Static_assert(offsetof(shmarray_header, byte_order) == SHMARRAY_OFF_BYTE_ORDER, "order");
_Static_assert(offsetof(shmarray_header, creation_mode) == SHMARRAY_OFF_CREATION_MODE, "mode");
_Static_assert(offsetof(shmarray_header, flags) == SHMARRAY_OFF_FLAGS, "flags");
_Static_assert(offsetof(shmarray_header, generation) == SHMARRAY_OFF_GENERATION, "gen");
_Static_assert(offsetof(shmarray_header, data_offset) == SHMARRAY_OFF_DATA_OFFSET, "doff");
_Static_assert(offsetof(shmarray_header, data_length) == SHMARRAY_OFF_DATA_LENGTH, "dlen");
_Static_assert(offsetof(shmarray_header, creator_pid) == SHMARRAY_OFF_CREATOR_PID, "pid");
_Static_assert(offsetof(shmarray_header, creator_start_time) == SHMARRAY_OFF_CREATOR_START_TIME,
               "start");
_Static_assert(offsetof(shmarray_header, shape) == SHMARRAY_OFF_SHAPE, "shape");
_Static_assert(offsetof(shmarray_header, segment_id) == SHMARRAY_OFF_SEGMENT_ID, "id");
_Static_assert(offsetof(shmarray_header, creator_pidns) == SHMARRAY_OFF_CREATOR_PIDNS, "pidns");
_Static_assert(offsetof(shmarray_header, creator_boot) == SHMARRAY_OFF_CREATOR_BOOT, "boot");
_Static_assert(offsetof(shmarray_header, reserved1) == SHMARRAY_OFF_RESERVED1, "res1");
_Static_assert(offsetof(shmarray_header, lock) == SHMARRAY_OFF_LOCK, "lock");
_Static_assert(offsetof(shmarray_header, reserved2) == SHMARRAY_OFF_RESERVED2, "res2");
_Static_assert(sizeof(void *) == 8, "64-bit platforms only: addresses travel as int64_t");

#define SHM_MODE 0600

/* Retries a call returning -1/errno while it fails with EINTR. */
#define RETRY_EINTR(result, call)                                                                  \
    do {                                                                                           \
        (result) = (call);                                                                         \
    } while ((result) == -1 && errno == EINTR)

int32_t shmarray_abi_version(void) { return SHMARRAY_ABI_VERSION; }

int64_t shmarray_page_size(void) {
    long p = sysconf(_SC_PAGESIZE);
    return p > 0 ? (int64_t)p : -EINVAL;
}

int64_t shmarray_dtype_size(int32_t dtype) {
    switch (dtype) {
    case SHMARRAY_DTYPE_INT8: return 1;
    case SHMARRAY_DTYPE_INT16: return 2;
    case SHMARRAY_DTYPE_INT32: return 4;
    case SHMARRAY_DTYPE_INT64: return 8;
    case SHMARRAY_DTYPE_FLOAT32: return 4;
    case SHMARRAY_DTYPE_FLOAT64: return 8;
    default: return -SHMARRAY_E_BAD_DTYPE;
    }
}

const char *shmarray_strerror(int32_t code) {
    int32_t c = code < 0 ? -code : code;
    switch (c) {
    case 0: return "success";
    case SHMARRAY_E_BAD_MAGIC: return "bad magic: not a shmarray segment";
    case SHMARRAY_E_BAD_VERSION: return "unsupported header format version";
    case SHMARRAY_E_BAD_HEADER_SIZE: return "bad header_size field";
    case SHMARRAY_E_NOT_READY: return "segment not ready: its creator has not published the header";
    case SHMARRAY_E_BAD_STATE: return "bad state field";
    case SHMARRAY_E_BAD_DTYPE: return "bad dtype";
    case SHMARRAY_E_BAD_RANK: return "bad rank (must be 0..8)";
    case SHMARRAY_E_BAD_SHAPE: return "bad shape: negative extent or element count overflows";
    case SHMARRAY_E_BAD_BYTE_ORDER: return "bad byte_order field (or not this machine's order)";
    case SHMARRAY_E_BAD_DATA_OFFSET: return "bad data_offset field (must be page-aligned, past the header)";
    case SHMARRAY_E_BAD_DATA_LENGTH: return "bad data_length field (must equal shape x element size and fit the segment)";
    case SHMARRAY_E_BAD_CREATOR: return "bad creator_pid field";
    case SHMARRAY_E_BAD_FLAGS: return "flags field holds bits this version does not know";
    case SHMARRAY_E_TRUNCATED: return "segment shorter than its header";
    case SHMARRAY_E_NOT_REGULAR: return "not a regular file";
    case SHMARRAY_E_WRONG_OWNER: return "segment owned by another user";
    case SHMARRAY_E_BAD_MODE: return "segment readable or writable by group/others (not 0600)";
    case SHMARRAY_E_BAD_RESERVED: return "reserved header bytes are not zero";
    case SHMARRAY_E_BAD_SEGMENT_ID: return "bad segment_id field (0)";
    default: break;
    }
    if (c > 0 && c < SHMARRAY_E_BASE) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
        const char *d = strerrordesc_np(c); /* thread-safe, static */
        if (d != NULL) return d;
#endif
        return "system error (see errno)";
    }
    return "unknown shmarray error code";
}

/*
 * Copies `name` into `out` in the "/name" form shm_open wants. Returns 0, -EINVAL for NULL,
 * empty, ".", ".." or a name holding another '/', -ENAMETOOLONG past SHMARRAY_NAME_MAX.
 */
static int normalize_name(const char *name, char out[SHMARRAY_NAME_MAX + 2]) {
    if (name == NULL) return -EINVAL;
    const char *n = name[0] == '/' ? name + 1 : name;
    size_t len = strnlen(n, SHMARRAY_NAME_MAX + 1);
    if (len == 0) return -EINVAL;
    if (len > SHMARRAY_NAME_MAX) return -ENAMETOOLONG;
    if (memchr(n, '/', len) != NULL) return -EINVAL;
    if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0) return -EINVAL;
    out[0] = '/';
    memcpy(out + 1, n, len);
    out[len + 1] = '\0';
    return 0;
}

int32_t shmarray_create_raw(const char *name, int64_t size) {
    char path[SHMARRAY_NAME_MAX + 2];
    int rc = normalize_name(name, path);
    if (rc < 0) return rc;
    if (size < 0) return -EINVAL;
    if ((uint64_t)size > (uint64_t)INT64_MAX) return -EFBIG;

    int injected = SHMARRAY_FAULT("shm_open");
    if (injected > 0) return -injected;
    int fd;
    RETRY_EINTR(fd, shm_open(path, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, SHM_MODE));
    if (fd < 0) return -errno;

    /* The umask may have removed bits from SHM_MODE (or a hostile one added none): set it. */
    int err = 0;
    int r;
    RETRY_EINTR(r, fchmod(fd, SHM_MODE));
    if (r != 0) err = errno;
    if (err == 0 && size > 0) {
        /* posix_fallocate returns the error number and leaves errno alone. Never fall back to
         * ftruncate: a sparse segment would raise SIGBUS on first touch when /dev/shm is full. */
        do {
            err = SHMARRAY_FAULT("fallocate");
            if (err <= 0) err = posix_fallocate(fd, 0, (off_t)size);
        } while (err == EINTR);
    }
    if (err != 0) {
        shm_unlink(path);
        close(fd);
        return -err;
    }
    return fd;
}

/*
 * Reads field 3 (state) and field 22 (start time, clock ticks after boot) of /proc/PID/stat.
 * Returns 0, -ESRCH when the process does not exist, or another -errno.
 */
static int read_proc_stat(int32_t pid, char *state, int64_t *start_time) {
    if (pid <= 0) return -EINVAL;
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd;
    RETRY_EINTR(fd, open(path, O_RDONLY | O_CLOEXEC));
    if (fd < 0) return errno == ENOENT ? -ESRCH : -errno;
    char buf[1024];
    ssize_t n;
    RETRY_EINTR(n, read(fd, buf, sizeof buf - 1));
    int saved = errno;
    close(fd);
    if (n < 0) return saved == ESRCH ? -ESRCH : -saved;
    buf[n] = '\0';
    /* The command name (field 2) may hold spaces and ')': fields resume after the last ')'. */
    char *p = strrchr(buf, ')');
    if (p == NULL || p[1] != ' ' || p[2] == '\0') return -EPROTO;
    *state = p[2];
    p++;
    /* p points at the space before field 3; skip 19 more spaces to reach field 22 */
    for (int field = 3; field < 22; field++) {
        p = strchr(p + 1, ' ');
        if (p == NULL) return -EPROTO;
    }
    unsigned long long v = 0;
    int digits = 0;
    for (p++; *p >= '0' && *p <= '9'; p++, digits++) v = v * 10 + (unsigned)(*p - '0');
    if (digits == 0) return -EPROTO;
    *start_time = (int64_t)v;
    return 0;
}

int64_t shmarray_process_start_time(int32_t pid) {
    char state;
    int64_t start;
    int rc = read_proc_stat(pid, &state, &start);
    return rc < 0 ? rc : start;
}

/*
 * This process's own start time and pid namespace never change, but reading them costs two /proc
 * lookups (~10 us each): both are cached, keyed by getpid() so that a forked child computes its
 * own. The value is stored before the pid (release) and read after it (acquire).
 */
static int32_t cached_pid_start, cached_pid_ns;
static int64_t cached_start, cached_ns;

static int64_t self_start_time(void) {
    int32_t me = (int32_t)getpid();
    if (__atomic_load_n(&cached_pid_start, __ATOMIC_ACQUIRE) == me) return __atomic_load_n(&cached_start, __ATOMIC_RELAXED);
    char state;
    int64_t start;
    int rc = read_proc_stat(me, &state, &start);
    if (rc < 0) return rc;
    __atomic_store_n(&cached_start, start, __ATOMIC_RELAXED);
    __atomic_store_n(&cached_pid_start, me, __ATOMIC_RELEASE);
    return start;
}

int64_t shmarray_pidns(void) {
    int32_t me = (int32_t)getpid();
    if (__atomic_load_n(&cached_pid_ns, __ATOMIC_ACQUIRE) == me) return __atomic_load_n(&cached_ns, __ATOMIC_RELAXED);
    struct stat st;
    if (stat("/proc/self/ns/pid", &st) != 0) return -errno;
    __atomic_store_n(&cached_ns, (int64_t)st.st_ino, __ATOMIC_RELAXED);
    __atomic_store_n(&cached_pid_ns, me, __ATOMIC_RELEASE);
    return (int64_t)st.st_ino;
}

static int64_t cached_boot;

int64_t shmarray_boot_id(void) {
    int64_t b = __atomic_load_n(&cached_boot, __ATOMIC_RELAXED);
    if (b > 0) return b;
    int fd;
    RETRY_EINTR(fd, open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC));
    if (fd < 0) return -errno;
    char buf[64];
    ssize_t n;
    RETRY_EINTR(n, read(fd, buf, sizeof buf - 1));
    int saved = errno;
    close(fd);
    if (n < 0) return -saved;
    uint64_t half[2] = {0, 0};
    int digits = 0;
    for (ssize_t i = 0; i < n && digits < 32; i++) {
        char c = buf[i];
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (v < 0) continue; /* the dashes and the newline */
        half[digits / 16] = (half[digits / 16] << 4) | (uint64_t)v;
        digits++;
    }
    if (digits != 32) return -EPROTO;
    b = (int64_t)((half[0] ^ half[1]) & (uint64_t)INT64_MAX);
    if (b == 0) b = 1;
    __atomic_store_n(&cached_boot, b, __ATOMIC_RELAXED);
    return b;
}

int32_t shmarray_boot_is_ours(int64_t boot) {
    if (boot == 0) return 1;
    int64_t mine = shmarray_boot_id();
    return mine <= 0 || mine == boot ? 1 : 0;
}

int32_t shmarray_pidns_is_ours(int64_t pidns) {
    if (pidns == 0) return 1;
    int64_t mine = shmarray_pidns();
    return mine > 0 && mine == pidns ? 1 : 0;
}

int32_t shmarray_process_alive(int32_t pid, int64_t start_time) {
    if (pid <= 0 || start_time < 0) return -EINVAL;
    char state;
    int64_t start;
    int rc = read_proc_stat(pid, &state, &start);
    if (rc == -ESRCH) return 0;
    if (rc < 0) return rc;
    if (start != start_time) return 0; /* the pid was reused by another process */
    return (state == 'Z' || state == 'X') ? 0 : 1;
}

/* Element count of a shape, or -SHMARRAY_E_BAD_SHAPE on a negative extent or overflow. */
static int64_t element_count(int32_t rank, const int64_t *shape) {
    uint64_t count = 1;
    for (int32_t i = 0; i < rank; i++) {
        if (shape[i] < 0) return -SHMARRAY_E_BAD_SHAPE;
        if (shape[i] != 0 && count > (uint64_t)INT64_MAX / (uint64_t)shape[i])
            return -SHMARRAY_E_BAD_SHAPE;
        count *= (uint64_t)shape[i];
    }
    return (int64_t)count;
}

static uint8_t native_byte_order(void) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return SHMARRAY_BYTE_ORDER_LITTLE;
#else
    return SHMARRAY_BYTE_ORDER_BIG;
#endif
}

static int all_zero(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0) return 0;
    return 1;
}

int32_t shmarray_header_validate(const void *header, int64_t available, int64_t segment_size) {
    if (header == NULL || available < 0) return -EINVAL;
    const shmarray_header *h = (const shmarray_header *)header;
    if (available < (int64_t)sizeof h->magic) return -SHMARRAY_E_TRUNCATED;
    if (h->magic != SHMARRAY_MAGIC) return -SHMARRAY_E_BAD_MAGIC;
    if (available < SHMARRAY_HEADER_SIZE) return -SHMARRAY_E_TRUNCATED;
    if (segment_size >= 0 && segment_size < SHMARRAY_HEADER_SIZE) return -SHMARRAY_E_TRUNCATED;

    /* State before anything else: until READY no other field may be trusted. */
    uint32_t state = __atomic_load_n(&h->state, __ATOMIC_ACQUIRE);
    if (state == SHMARRAY_STATE_INITIALISING) return -SHMARRAY_E_NOT_READY;
    if (state != SHMARRAY_STATE_READY) return -SHMARRAY_E_BAD_STATE;
    if (h->format_version != SHMARRAY_FORMAT_VERSION) return -SHMARRAY_E_BAD_VERSION;
    if (h->header_size != SHMARRAY_HEADER_SIZE) return -SHMARRAY_E_BAD_HEADER_SIZE;
    int64_t esize = shmarray_dtype_size((int32_t)h->dtype);
    if (esize < 0 || h->dtype > INT32_MAX) return -SHMARRAY_E_BAD_DTYPE;
    if (h->rank > SHMARRAY_MAX_RANK) return -SHMARRAY_E_BAD_RANK;
    if (h->byte_order != native_byte_order()) return -SHMARRAY_E_BAD_BYTE_ORDER;
    if (!all_zero(h->reserved0, sizeof h->reserved0)) return -SHMARRAY_E_BAD_RESERVED;
    if ((h->flags & ~SHMARRAY_FLAGS_KNOWN) != 0) return -SHMARRAY_E_BAD_FLAGS;

    int64_t page = shmarray_page_size();
    if (page <= 0) return -EINVAL;
    if (h->data_offset < SHMARRAY_HEADER_SIZE || h->data_offset % (uint64_t)page != 0 ||
        h->data_offset > (uint64_t)INT64_MAX)
        return -SHMARRAY_E_BAD_DATA_OFFSET;
    if (h->creator_pid <= 0 || h->creator_pid > INT32_MAX) return -SHMARRAY_E_BAD_CREATOR;

    for (uint32_t i = h->rank; i < SHMARRAY_MAX_RANK; i++)
        if (h->shape[i] != 0) return -SHMARRAY_E_BAD_SHAPE;
    int64_t count = element_count((int32_t)h->rank, h->shape);
    if (count < 0) return (int32_t)count;
    if ((uint64_t)count > (uint64_t)INT64_MAX / (uint64_t)esize) return -SHMARRAY_E_BAD_SHAPE;
    uint64_t bytes = (uint64_t)count * (uint64_t)esize;
    if (h->data_length != bytes) return -SHMARRAY_E_BAD_DATA_LENGTH;
    if (segment_size >= 0 && (h->data_length > (uint64_t)segment_size ||
                              h->data_offset > (uint64_t)segment_size - h->data_length))
        return -SHMARRAY_E_BAD_DATA_LENGTH;

    if (h->segment_id == 0) return -SHMARRAY_E_BAD_SEGMENT_ID;
    if (!all_zero(h->reserved1, sizeof h->reserved1) ||
        !all_zero(h->reserved2, sizeof h->reserved2))
        return -SHMARRAY_E_BAD_RESERVED;
    return 0;
}

/* pwrite of all `len` bytes at `off`, retried on EINTR and short writes; 0 or -1 with errno. */
static int write_fully(int fd, const void *buf, size_t len, off_t off) {
    const char *p = buf;
    while (len > 0) {
        ssize_t n = pwrite(fd, p, len, off);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (n == 0) {
            errno = EIO;
            return -1;
        }
        p += n;
        len -= (size_t)n;
        off += n;
    }
    return 0;
}

int32_t shmarray_create(const char *name, int32_t dtype, int32_t rank, const int64_t *shape,
                        uint32_t flags, shmarray_header *header_out) {
    char path[SHMARRAY_NAME_MAX + 2];
    int rc = normalize_name(name, path);
    if (rc < 0) return rc;
    int64_t esize = shmarray_dtype_size(dtype);
    if (esize < 0) return (int32_t)esize;
    if (rank < 0 || rank > SHMARRAY_MAX_RANK) return -SHMARRAY_E_BAD_RANK;
    if (rank > 0 && shape == NULL) return -EINVAL;
    if ((flags & ~SHMARRAY_FLAG_PERSISTENT) != 0) return -SHMARRAY_E_BAD_FLAGS;
    int64_t count = element_count(rank, shape);
    if (count < 0) return (int32_t)count;
    int64_t page = shmarray_page_size();
    if (page <= 0) return -EINVAL;
    if (count > INT64_MAX / esize) return -SHMARRAY_E_BAD_SHAPE;
    int64_t data_length = count * esize;
    int64_t data_offset = ((SHMARRAY_HEADER_SIZE + page - 1) / page) * page;
    if (data_length > INT64_MAX - data_offset) return -SHMARRAY_E_BAD_SHAPE;
    int64_t start_time = self_start_time();
    if (start_time < 0) return (int32_t)start_time;
    uint64_t segment_id = 0;
    while (segment_id == 0) {
        ssize_t got = getrandom(&segment_id, sizeof segment_id, 0);
        if (got < 0 && errno != EINTR) return -errno;
        if (got != (ssize_t)sizeof segment_id) segment_id = 0;
    }

    int fd = shmarray_create_raw(path, data_offset + data_length);
    if (fd < 0) return fd;

    /* The header is built here and written with pwrite (no mapping to make and tear down, which
     * costs a TLB shootdown in a threaded process), in three steps that keep the publication
     * order a racing reader relies on: every field but the magic with state INITIALISING, then
     * the magic (a reader sees an all-zero header or our magic and reports "not ready", and the
     * sweep can tell whose half-made segment it is), then state READY. Each pwrite completes
     * before the next starts. The process-shared robust mutex is position-independent (it is
     * used at different addresses in different processes), so it is initialised here and copied. */
    shmarray_header h;
    memset(&h, 0, sizeof h);
    h.creator_pid = (int64_t)getpid();
    h.creator_start_time = (uint64_t)start_time;
    int64_t pidns = shmarray_pidns();
    h.creator_pidns = pidns > 0 ? (uint64_t)pidns : 0;
    int64_t boot = shmarray_boot_id();
    h.creator_boot = boot > 0 ? (uint64_t)boot : 0;
    h.format_version = SHMARRAY_FORMAT_VERSION;
    h.header_size = SHMARRAY_HEADER_SIZE;
    h.dtype = (uint32_t)dtype;
    h.rank = (uint32_t)rank;
    h.byte_order = native_byte_order();
    h.creation_mode = SHM_MODE;
    h.flags = flags;
    h.generation = 1;
    h.data_offset = (uint64_t)data_offset;
    h.data_length = (uint64_t)data_length;
    for (int32_t i = 0; i < rank; i++) h.shape[i] = shape[i];
    h.segment_id = segment_id;
    int err = -shmarray_lock_init((int64_t)(uintptr_t)h.lock);
    const size_t magic_size = sizeof h.magic;
    if (err == 0 && write_fully(fd, (const char *)&h + magic_size, sizeof h - magic_size, (off_t)magic_size) != 0)
        err = errno;
    uint64_t magic = SHMARRAY_MAGIC;
    if (err == 0 && write_fully(fd, &magic, sizeof magic, 0) != 0) err = errno;
    if (err == 0 && SHMARRAY_FAULT("ready") < 0) raise(SIGKILL); /* test build only: die before publishing */
    uint32_t ready = SHMARRAY_STATE_READY;
    if (err == 0 && write_fully(fd, &ready, sizeof ready, (off_t)offsetof(shmarray_header, state)) != 0) err = errno;
    if (err != 0) {
        shm_unlink(path);
        close(fd);
        return -err;
    }
    h.magic = SHMARRAY_MAGIC;
    h.state = SHMARRAY_STATE_READY;
    if (header_out != NULL) memcpy(header_out, &h, sizeof h);
    return fd;
}

/* Opens `name` and checks it is a regular file of ours with mode 0600 (no group/other bits). */
static int open_checked(const char *name, int32_t writable, int64_t *size_out) {
    char path[SHMARRAY_NAME_MAX + 2];
    int rc = normalize_name(name, path);
    if (rc < 0) return rc;
    int fd;
    /* glibc's shm_open adds O_NOFOLLOW: a symlink planted under /dev/shm fails with ELOOP. */
    int injected = SHMARRAY_FAULT("shm_open");
    if (injected > 0) return -injected;
    RETRY_EINTR(fd, shm_open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC, 0));
    if (fd < 0) return -errno;
    struct stat st;
    int err = 0;
    if (fstat(fd, &st) != 0)
        err = errno;
    else if (!S_ISREG(st.st_mode))
        err = SHMARRAY_E_NOT_REGULAR;
    else if (st.st_uid != geteuid())
        err = SHMARRAY_E_WRONG_OWNER;
    else if ((st.st_mode & 077) != 0)
        err = SHMARRAY_E_BAD_MODE;
    if (err != 0) {
        close(fd);
        return -err;
    }
    *size_out = (int64_t)st.st_size;
    return fd;
}

int32_t shmarray_attach_raw(const char *name, int32_t writable) {
    int64_t size;
    return open_checked(name, writable, &size);
}

int32_t shmarray_attach(const char *name, int32_t writable, shmarray_header *header_out) {
    int64_t size;
    int fd = open_checked(name, writable, &size);
    if (fd < 0) return fd;
    int64_t page = shmarray_page_size();
    int err = 0;
    if (page <= 0) {
        err = EINVAL;
    } else if (size < SHMARRAY_HEADER_SIZE) {
        /* Too short to hold a header: a foreign segment, or one whose creator died before
         * sizing it. Never map past the end (that would raise SIGBUS on access). */
        err = SHMARRAY_E_TRUNCATED;
    } else {
        void *base = mmap(NULL, SHMARRAY_HEADER_SIZE, PROT_READ, MAP_SHARED, fd, 0);
        if (base == MAP_FAILED) {
            err = errno;
        } else {
            const shmarray_header *live = (const shmarray_header *)base;
            shmarray_header copy;
            /* Acquire the state first; every field stored before READY is then visible. */
            uint32_t state = __atomic_load_n(&live->state, __ATOMIC_ACQUIRE);
            memcpy(&copy, live, sizeof copy);
            copy.state = state;
            munmap(base, SHMARRAY_HEADER_SIZE);
            int v = shmarray_header_validate(&copy, sizeof copy, size);
            if (v == -SHMARRAY_E_BAD_MAGIC && state == SHMARRAY_STATE_INITIALISING &&
                all_zero((const uint8_t *)&copy, sizeof copy))
                v = -SHMARRAY_E_NOT_READY; /* sized, but the creator has not written yet */
            if (v < 0)
                err = -v;
            else if (header_out != NULL)
                memcpy(header_out, &copy, sizeof copy);
        }
    }
    if (err != 0) {
        close(fd);
        return -err;
    }
    return fd;
}

int32_t shmarray_identity(int32_t fd, int64_t *out) {
    if (fd < 0) return -EBADF;
    if (out == NULL) return -EINVAL;
    struct stat st;
    if (fstat(fd, &st) != 0) return -errno;
    out[0] = (int64_t)st.st_dev;
    out[1] = (int64_t)st.st_ino;
    return 0;
}

int64_t shmarray_size(int32_t fd) {
    if (fd < 0) return -EBADF;
    struct stat st;
    if (fstat(fd, &st) != 0) return -errno;
    return (int64_t)st.st_size;
}

int64_t shmarray_map(int32_t fd, int64_t offset, int64_t length, int32_t prot, int32_t kind) {
    if (fd < 0) return -EBADF;
    int64_t page = shmarray_page_size();
    if (page <= 0) return -EINVAL;
    if (offset < 0 || offset % page != 0 || length <= 0) return -EINVAL;
    if ((prot & ~(SHMARRAY_PROT_READ | SHMARRAY_PROT_WRITE)) != 0 || prot == 0) return -EINVAL;
    if (kind != SHMARRAY_MAP_SHARED && kind != SHMARRAY_MAP_PRIVATE) return -EINVAL;
    int64_t size = shmarray_size(fd);
    if (size < 0) return size;
    if (offset > size || length > size - offset) return -EINVAL;
    int p = ((prot & SHMARRAY_PROT_READ) ? PROT_READ : 0) |
            ((prot & SHMARRAY_PROT_WRITE) ? PROT_WRITE : 0);
    int f = kind == SHMARRAY_MAP_PRIVATE ? MAP_PRIVATE : MAP_SHARED;
    int injected = SHMARRAY_FAULT("mmap");
    if (injected > 0) return -injected;
    void *a = mmap(NULL, (size_t)length, p, f, fd, (off_t)offset);
    if (a == MAP_FAILED) return -errno;
    return (int64_t)(uintptr_t)a;
}

int32_t shmarray_unmap(int64_t address, int64_t length) {
    int64_t page = shmarray_page_size();
    if (page <= 0) return -EINVAL;
    if (address <= 0 || address % page != 0 || length <= 0) return -EINVAL;
    if (munmap((void *)(uintptr_t)address, (size_t)length) != 0) return -errno;
    return 0;
}

int32_t shmarray_close(int32_t fd) {
    if (fd < 0) return -EBADF;
    /* Linux releases the descriptor even when close fails with EINTR: never retry. */
    if (close(fd) != 0 && errno != EINTR) return -errno;
    return 0;
}

int32_t shmarray_unlink(const char *name) {
    char path[SHMARRAY_NAME_MAX + 2];
    int rc = normalize_name(name, path);
    if (rc < 0) return rc;
    if (shm_unlink(path) != 0) return -errno;
    return 0;
}
