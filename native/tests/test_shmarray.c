/*
 * C tests for the shim. Usage: test_shmarray <case>; ctest runs one process per case.
 * Every case removes the names it creates, also when a check fails (see cleanup()).
 */
#define _GNU_SOURCE
#include "check.h"
#include "shmarray.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *new_name(void) { return new_tagged_name(""); }

static int64_t page(void) { return shmarray_page_size(); }

static void test_roundtrip(void) {
    const char *name = new_name();
    int64_t shape[2] = {3, 4};
    shmarray_header h;
    int fd = shmarray_create(name, SHMARRAY_DTYPE_FLOAT64, 2, shape, 0, &h);
    CHECK(fd >= 0);
    CHECK_EQ(SHMARRAY_MAGIC, h.magic);
    CHECK_EQ(SHMARRAY_STATE_READY, h.state);
    CHECK_EQ(SHMARRAY_DTYPE_FLOAT64, h.dtype);
    CHECK_EQ(2, h.rank);
    CHECK_EQ(3, h.shape[0]);
    CHECK_EQ(4, h.shape[1]);
    CHECK_EQ(0, h.shape[2]);
    CHECK_EQ(96, h.data_length);
    CHECK_EQ(0, (int64_t)h.data_offset % page());
    CHECK((int64_t)h.data_offset >= SHMARRAY_HEADER_SIZE);
    CHECK_EQ(getpid(), h.creator_pid);
    CHECK_EQ(shmarray_process_start_time(getpid()), (int64_t)h.creator_start_time);
    CHECK_EQ(0600, h.creation_mode);
    CHECK(h.segment_id != 0);
    CHECK_EQ((int64_t)(h.data_offset + h.data_length), shmarray_size(fd));
    CHECK_EQ(0, shmarray_header_validate(&h, sizeof h, shmarray_size(fd)));

    int64_t a = shmarray_map(fd, (int64_t)h.data_offset, 96,
                             SHMARRAY_PROT_READ | SHMARRAY_PROT_WRITE, SHMARRAY_MAP_SHARED);
    CHECK(a > 0);
    double *d = (double *)(uintptr_t)a;
    for (int i = 0; i < 12; i++) CHECK(d[i] == 0.0); /* zero-filled */
    for (int i = 0; i < 12; i++) d[i] = i * 1.5;

    shmarray_header h2;
    int fd2 = shmarray_attach(name + 1 /* the name without '/' means the same */, 1, &h2);
    CHECK(fd2 >= 0);
    CHECK(memcmp(&h, &h2, sizeof h) == 0);
    int64_t b = shmarray_map(fd2, (int64_t)h2.data_offset, 96, SHMARRAY_PROT_READ,
                             SHMARRAY_MAP_SHARED);
    CHECK(b > 0 && b != a);
    const double *e = (const double *)(uintptr_t)b;
    for (int i = 0; i < 12; i++) CHECK(e[i] == i * 1.5);
    d[5] = -7.0; /* visible through the other mapping at once */
    CHECK(e[5] == -7.0);

    int64_t id1[2], id2[2];
    CHECK_EQ(0, shmarray_identity(fd, id1));
    CHECK_EQ(0, shmarray_identity(fd2, id2));
    CHECK(id1[0] == id2[0] && id1[1] == id2[1]); /* same segment */
    CHECK_EQ(-EBADF, shmarray_identity(-1, id1));
    CHECK_EQ(-EINVAL, shmarray_identity(fd, NULL));
    CHECK_EQ(0, shmarray_unmap(a, 96));
    CHECK_EQ(0, shmarray_unmap(b, 96));
    CHECK_EQ(0, shmarray_close(fd));
    CHECK_EQ(0, shmarray_close(fd2));
    CHECK_EQ(0, shmarray_unlink(name));
    CHECK_EQ(-ENOENT, shmarray_attach(name, 0, NULL));

    /* rank 0 is a scalar of one element; an extent of 0 makes an empty array */
    const char *scalar = new_name();
    fd = shmarray_create(scalar, SHMARRAY_DTYPE_INT32, 0, NULL, SHMARRAY_FLAG_PERSISTENT, &h);
    CHECK(fd >= 0);
    CHECK_EQ(4, h.data_length);
    CHECK_EQ(SHMARRAY_FLAG_PERSISTENT, h.flags);
    shmarray_close(fd);
    CHECK_EQ(0, shmarray_unlink(scalar));
    const char *empty = new_name();
    int64_t zero[1] = {0};
    fd = shmarray_create(empty, SHMARRAY_DTYPE_INT8, 1, zero, 0, &h);
    CHECK(fd >= 0);
    CHECK_EQ(0, h.data_length);
    shmarray_close(fd);
    CHECK((fd = shmarray_attach(empty, 0, NULL)) >= 0);
    shmarray_close(fd);
    CHECK_EQ(0, shmarray_unlink(empty));
}

static void test_exists(void) {
    const char *name = new_name();
    int64_t shape[1] = {10};
    int fd = shmarray_create(name, SHMARRAY_DTYPE_INT32, 1, shape, 0, NULL);
    CHECK(fd >= 0);
    CHECK_EQ(-EEXIST, shmarray_create(name, SHMARRAY_DTYPE_INT32, 1, shape, 0, NULL));
    CHECK_EQ(-EEXIST, shmarray_create_raw(name, 10));
    /* the failed attempts did not remove the existing segment */
    int fd2 = shmarray_attach(name, 0, NULL);
    CHECK(fd2 >= 0);
    shmarray_close(fd2);
    shmarray_close(fd);
    CHECK_EQ(0, shmarray_unlink(name));
}

static void test_missing(void) {
    char name[64];
    snprintf(name, sizeof name, "/shmarray-ctest-missing-%d", (int)getpid());
    CHECK_EQ(-ENOENT, shmarray_attach(name, 0, NULL));
    CHECK_EQ(-ENOENT, shmarray_attach(name, 1, NULL));
    CHECK_EQ(-ENOENT, shmarray_attach_raw(name, 0));
    CHECK_EQ(-ENOENT, shmarray_unlink(name));
}

static void test_bad_args(void) {
    int64_t shape[2] = {2, 2};
    const char *bad[] = {NULL, "", "/", "a/b", "/a/b", ".", "..", "/.."};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_EQ(-EINVAL, shmarray_create(bad[i], SHMARRAY_DTYPE_INT8, 2, shape, 0, NULL));
        CHECK_EQ(-EINVAL, shmarray_create_raw(bad[i], 1));
        CHECK_EQ(-EINVAL, shmarray_attach(bad[i], 0, NULL));
        CHECK_EQ(-EINVAL, shmarray_attach_raw(bad[i], 0));
        CHECK_EQ(-EINVAL, shmarray_unlink(bad[i]));
    }
    char longname[SHMARRAY_NAME_MAX + 3];
    memset(longname, 'x', sizeof longname);
    longname[SHMARRAY_NAME_MAX + 1] = '\0'; /* 256 characters */
    CHECK_EQ(-ENAMETOOLONG, shmarray_create_raw(longname, 1));
    CHECK_EQ(-ENAMETOOLONG, shmarray_attach(longname, 0, NULL));

    const char *name = new_name();
    CHECK_EQ(-SHMARRAY_E_BAD_DTYPE, shmarray_create(name, 0, 2, shape, 0, NULL));
    CHECK_EQ(-SHMARRAY_E_BAD_DTYPE, shmarray_create(name, 99, 2, shape, 0, NULL));
    CHECK_EQ(-SHMARRAY_E_BAD_RANK, shmarray_create(name, SHMARRAY_DTYPE_INT8, -1, shape, 0, NULL));
    CHECK_EQ(-SHMARRAY_E_BAD_RANK, shmarray_create(name, SHMARRAY_DTYPE_INT8, 9, shape, 0, NULL));
    CHECK_EQ(-EINVAL, shmarray_create(name, SHMARRAY_DTYPE_INT8, 1, NULL, 0, NULL));
    int64_t negative[1] = {-3};
    CHECK_EQ(-SHMARRAY_E_BAD_SHAPE, shmarray_create(name, SHMARRAY_DTYPE_INT8, 1, negative, 0, NULL));
    int64_t huge[2] = {INT64_MAX / 2, 3};
    CHECK_EQ(-SHMARRAY_E_BAD_SHAPE, shmarray_create(name, SHMARRAY_DTYPE_INT8, 2, huge, 0, NULL));
    int64_t huge_bytes[1] = {INT64_MAX / 4};
    CHECK_EQ(-SHMARRAY_E_BAD_SHAPE, shmarray_create(name, SHMARRAY_DTYPE_INT64, 1, huge_bytes, 0, NULL));
    CHECK_EQ(-SHMARRAY_E_BAD_FLAGS,
             shmarray_create(name, SHMARRAY_DTYPE_INT8, 2, shape, SHMARRAY_FLAG_POISONED, NULL));
    CHECK_EQ(-SHMARRAY_E_BAD_FLAGS, shmarray_create(name, SHMARRAY_DTYPE_INT8, 2, shape, 0x100, NULL));
    CHECK_EQ(-EINVAL, shmarray_create_raw(name, -1));
    /* none of the refused calls left the name behind */
    CHECK_EQ(-ENOENT, shmarray_attach_raw(name, 0));

    CHECK_EQ(-EBADF, shmarray_size(-1));
    CHECK_EQ(-EBADF, shmarray_close(-1));
    CHECK_EQ(-EBADF, shmarray_map(-1, 0, 8, SHMARRAY_PROT_READ, SHMARRAY_MAP_SHARED));
    CHECK_EQ(-EINVAL, shmarray_unmap(0, 8));
    CHECK_EQ(-EINVAL, shmarray_unmap(page() + 1, 8));
    CHECK_EQ(-EINVAL, shmarray_header_validate(NULL, 512, -1));
    CHECK_EQ(-SHMARRAY_E_BAD_DTYPE, shmarray_dtype_size(7));

    int fd = shmarray_create_raw(name, 2 * page());
    CHECK(fd >= 0);
    CHECK_EQ(-EINVAL, shmarray_map(fd, 1, 8, SHMARRAY_PROT_READ, SHMARRAY_MAP_SHARED));
    CHECK_EQ(-EINVAL, shmarray_map(fd, -page(), 8, SHMARRAY_PROT_READ, SHMARRAY_MAP_SHARED));
    CHECK_EQ(-EINVAL, shmarray_map(fd, 0, 0, SHMARRAY_PROT_READ, SHMARRAY_MAP_SHARED));
    CHECK_EQ(-EINVAL, shmarray_map(fd, 0, 8, 0, SHMARRAY_MAP_SHARED));
    CHECK_EQ(-EINVAL, shmarray_map(fd, 0, 8, 4, SHMARRAY_MAP_SHARED));
    CHECK_EQ(-EINVAL, shmarray_map(fd, 0, 8, SHMARRAY_PROT_READ, 2));
    /* past the end: refused up front instead of a mapping that raises SIGBUS when touched */
    CHECK_EQ(-EINVAL, shmarray_map(fd, 0, 2 * page() + 1, SHMARRAY_PROT_READ, SHMARRAY_MAP_SHARED));
    CHECK_EQ(-EINVAL, shmarray_map(fd, 3 * page(), 8, SHMARRAY_PROT_READ, SHMARRAY_MAP_SHARED));
    CHECK_EQ(-EINVAL, shmarray_map(fd, page(), INT64_MAX, SHMARRAY_PROT_READ, SHMARRAY_MAP_SHARED));
    shmarray_close(fd);
    CHECK_EQ(0, shmarray_unlink(name));
}

static void check_mode_under_umask(mode_t mask) {
    const char *name = new_name();
    mode_t old = umask(mask);
    int64_t shape[1] = {1000};
    int fd = shmarray_create(name, SHMARRAY_DTYPE_INT64, 1, shape, 0, NULL);
    umask(old);
    CHECK(fd >= 0);
    struct stat st;
    CHECK(fstat(fd, &st) == 0);
    CHECK_EQ(0600, st.st_mode & 07777);
    /* eager allocation: the blocks cover the whole size (a sparse file would SIGBUS when full) */
    CHECK((int64_t)st.st_blocks * 512 >= (int64_t)st.st_size);
    shmarray_close(fd);
    CHECK_EQ(0, shmarray_unlink(name));
}

static void test_mode(void) {
    check_mode_under_umask(0);     /* permissive umask: no group/other bits appear */
    check_mode_under_umask(0277);  /* hostile umask: owner write is not lost */
    check_mode_under_umask(022);
}

static void test_fork(void) {
    const char *name = new_name();
    int64_t shape[1] = {4096};
    shmarray_header h;
    int fd = shmarray_create(name, SHMARRAY_DTYPE_INT32, 1, shape, 0, &h);
    CHECK(fd >= 0);
    int64_t a = shmarray_map(fd, (int64_t)h.data_offset, (int64_t)h.data_length,
                             SHMARRAY_PROT_READ | SHMARRAY_PROT_WRITE, SHMARRAY_MAP_SHARED);
    CHECK(a > 0);
    int32_t *v = (int32_t *)(uintptr_t)a;
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        for (int i = 0; i < 4096; i++) v[i] = i * 7 + 1;
        _exit(0);
    }
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    for (int i = 0; i < 4096; i++) CHECK(v[i] == i * 7 + 1);
    shmarray_unmap(a, (int64_t)h.data_length);
    shmarray_close(fd);
    CHECK_EQ(0, shmarray_unlink(name));
}

static void valid_header(shmarray_header *h) {
    const char *name = new_name();
    int64_t shape[3] = {2, 3, 5};
    int fd = shmarray_create(name, SHMARRAY_DTYPE_INT16, 3, shape, 0, h);
    CHECK(fd >= 0);
    shmarray_close(fd);
    CHECK_EQ(0, shmarray_unlink(name));
    CHECK_EQ(0, shmarray_header_validate(h, sizeof *h, -1));
}

static void test_validate(void) {
    shmarray_header good, h;
    valid_header(&good);
    int64_t seg = (int64_t)(good.data_offset + good.data_length);
    CHECK_EQ(0, shmarray_header_validate(&good, sizeof good, seg));

    /* truncated: nothing is read past `available` (ASan builds would flag it) */
    char *small = malloc(8);
    CHECK(small != NULL);
    memcpy(small, &good, 8);
    CHECK_EQ(-SHMARRAY_E_TRUNCATED, shmarray_header_validate(small, 8, -1));
    CHECK_EQ(-SHMARRAY_E_TRUNCATED, shmarray_header_validate(small, 7, -1));
    CHECK_EQ(-SHMARRAY_E_TRUNCATED, shmarray_header_validate(small, 0, -1));
    free(small);
    CHECK_EQ(-SHMARRAY_E_TRUNCATED, shmarray_header_validate(&good, 511, -1));
    CHECK_EQ(-SHMARRAY_E_TRUNCATED, shmarray_header_validate(&good, sizeof good, 100));

#define CORRUPT(field, value, code)                                                                \
    do {                                                                                           \
        h = good;                                                                                  \
        h.field = value;                                                                           \
        CHECK_EQ(-(code), shmarray_header_validate(&h, sizeof h, seg));                            \
    } while (0)
    CORRUPT(magic, 0x1234, SHMARRAY_E_BAD_MAGIC);
    CORRUPT(format_version, 2, SHMARRAY_E_BAD_VERSION);
    CORRUPT(state, SHMARRAY_STATE_INITIALISING, SHMARRAY_E_NOT_READY);
    CORRUPT(state, 7, SHMARRAY_E_BAD_STATE);
    CORRUPT(header_size, 256, SHMARRAY_E_BAD_HEADER_SIZE);
    CORRUPT(dtype, 0, SHMARRAY_E_BAD_DTYPE);
    CORRUPT(dtype, 0xFFFFFFFFu, SHMARRAY_E_BAD_DTYPE);
    CORRUPT(rank, 9, SHMARRAY_E_BAD_RANK);
    CORRUPT(byte_order, 0, SHMARRAY_E_BAD_BYTE_ORDER);
    CORRUPT(byte_order, SHMARRAY_BYTE_ORDER_BIG, SHMARRAY_E_BAD_BYTE_ORDER);
    CORRUPT(reserved0[1], 1, SHMARRAY_E_BAD_RESERVED);
    CORRUPT(flags, 0x80, SHMARRAY_E_BAD_FLAGS);
    CORRUPT(data_offset, 0, SHMARRAY_E_BAD_DATA_OFFSET);
    CORRUPT(data_offset, (uint64_t)page() + 8, SHMARRAY_E_BAD_DATA_OFFSET);
    CORRUPT(creator_pid, 0, SHMARRAY_E_BAD_CREATOR);
    CORRUPT(creator_pid, -5, SHMARRAY_E_BAD_CREATOR);
    CORRUPT(shape[1], -1, SHMARRAY_E_BAD_SHAPE);
    CORRUPT(shape[5], 4, SHMARRAY_E_BAD_SHAPE); /* past the rank */
    CORRUPT(shape[0], INT64_MAX, SHMARRAY_E_BAD_SHAPE);
    CORRUPT(data_length, 1, SHMARRAY_E_BAD_DATA_LENGTH);
    CORRUPT(segment_id, 0, SHMARRAY_E_BAD_SEGMENT_ID);
    CORRUPT(reserved1[80], 1, SHMARRAY_E_BAD_RESERVED);
    CORRUPT(reserved2[0], 1, SHMARRAY_E_BAD_RESERVED);
    /* the data may not end past the segment */
    CHECK_EQ(-SHMARRAY_E_BAD_DATA_LENGTH, shmarray_header_validate(&good, sizeof good, seg - 1));
    /* the lock area is not validated: it holds live lock state */
    h = good;
    memset(h.lock, 0xAB, sizeof h.lock);
    CHECK_EQ(0, shmarray_header_validate(&h, sizeof h, seg));
}

static void test_attach_checks(void) {
    /* too short for a header */
    const char *tiny = new_name();
    int fd = shmarray_create_raw(tiny, 100);
    CHECK(fd >= 0);
    CHECK_EQ(-SHMARRAY_E_TRUNCATED, shmarray_attach(tiny, 0, NULL));
    int raw = shmarray_attach_raw(tiny, 1); /* no header expected */
    CHECK(raw >= 0);
    CHECK_EQ(100, shmarray_size(raw));
    shmarray_close(raw);

    /* sized but never written: the creator died before publishing */
    const char *zero = new_name();
    int fz = shmarray_create_raw(zero, page());
    CHECK(fz >= 0);
    CHECK_EQ(-SHMARRAY_E_NOT_READY, shmarray_attach(zero, 0, NULL));
    /* foreign bytes */
    CHECK(pwrite(fz, "garbage!", 8, 0) == 8);
    CHECK_EQ(-SHMARRAY_E_BAD_MAGIC, shmarray_attach(zero, 0, NULL));
    /* our magic, but the state still INITIALISING */
    uint64_t magic = SHMARRAY_MAGIC;
    CHECK(pwrite(fz, &magic, 8, 0) == 8);
    CHECK_EQ(-SHMARRAY_E_NOT_READY, shmarray_attach(zero, 0, NULL));

    /* group/other permission bits: refused (someone else could have written it) */
    CHECK(fchmod(fd, 0644) == 0);
    CHECK_EQ(-SHMARRAY_E_BAD_MODE, shmarray_attach_raw(tiny, 0));
    CHECK(fchmod(fd, 0600) == 0);
    shmarray_close(fd);
    shmarray_close(fz);

    /* a symlink planted under /dev/shm is never followed */
    char link_path[96], link_name[64];
    snprintf(link_name, sizeof link_name, "shmarray-ctest-%d-link", (int)getpid());
    snprintf(link_path, sizeof link_path, "/dev/shm/%s", link_name);
    char target[96];
    snprintf(target, sizeof target, "/dev/shm%s", zero);
    CHECK(symlink(target, link_path) == 0);
    int rl = shmarray_attach_raw(link_name, 0);
    unlink(link_path);
    CHECK_EQ(-ELOOP, rl);

    /* a directory is not a segment */
    char dir_path[96], dir_name[64];
    snprintf(dir_name, sizeof dir_name, "shmarray-ctest-%d-dir", (int)getpid());
    snprintf(dir_path, sizeof dir_path, "/dev/shm/%s", dir_name);
    CHECK(mkdir(dir_path, 0700) == 0);
    int rd = shmarray_attach_raw(dir_name, 0);
    rmdir(dir_path);
    CHECK_EQ(-SHMARRAY_E_NOT_REGULAR, rd);

    CHECK_EQ(0, shmarray_unlink(tiny));
    CHECK_EQ(0, shmarray_unlink(zero));
}

/* A segment of another uid is never adopted (its own case: it needs root, and says so as a skip). */
static void test_wrong_owner(void) {
    if (geteuid() != 0) SKIP("needs root to chown a segment to another uid\n");
    const char *name = new_name();
    int fd = shmarray_create_raw(name, 100);
    CHECK(fd >= 0);
    CHECK(fchown(fd, 65534, 65534) == 0);
    CHECK_EQ(-SHMARRAY_E_WRONG_OWNER, shmarray_attach_raw(name, 0));
    CHECK_EQ(-SHMARRAY_E_WRONG_OWNER, shmarray_attach(name, 0, NULL));
    shmarray_close(fd);
}

static void test_readonly(void) {
    const char *name = new_name();
    int64_t shape[1] = {8};
    shmarray_header h;
    int fd = shmarray_create(name, SHMARRAY_DTYPE_INT64, 1, shape, 0, &h);
    CHECK(fd >= 0);
    int ro = shmarray_attach(name, 0, NULL);
    CHECK(ro >= 0);
    CHECK_EQ(-EACCES, shmarray_map(ro, (int64_t)h.data_offset, 64,
                                   SHMARRAY_PROT_READ | SHMARRAY_PROT_WRITE, SHMARRAY_MAP_SHARED));
    /* private (copy-on-write) writable mapping of a read-only descriptor is allowed */
    int64_t cow = shmarray_map(ro, (int64_t)h.data_offset, 64,
                               SHMARRAY_PROT_READ | SHMARRAY_PROT_WRITE, SHMARRAY_MAP_PRIVATE);
    CHECK(cow > 0);
    int64_t rw = shmarray_map(fd, (int64_t)h.data_offset, 64,
                              SHMARRAY_PROT_READ | SHMARRAY_PROT_WRITE, SHMARRAY_MAP_SHARED);
    CHECK(rw > 0);
    ((int64_t *)(uintptr_t)cow)[0] = 42; /* stays private */
    CHECK_EQ(0, ((int64_t *)(uintptr_t)rw)[0]);
    shmarray_unmap(cow, 64);
    shmarray_unmap(rw, 64);
    shmarray_close(ro);
    shmarray_close(fd);
    CHECK_EQ(0, shmarray_unlink(name));
}

static void test_start_time(void) {
    int64_t t = shmarray_process_start_time(getpid());
    CHECK(t > 0);
    CHECK_EQ(t, shmarray_process_start_time(getpid())); /* stable */
    CHECK(shmarray_process_start_time(1) >= 0);
    CHECK(shmarray_process_start_time(1) <= t);
    CHECK_EQ(-EINVAL, shmarray_process_start_time(0));
    CHECK_EQ(-EINVAL, shmarray_process_start_time(-4));
    CHECK_EQ(-ESRCH, shmarray_process_start_time(0x7FFFFFF0)); /* above pid_max */
}

static void test_strerror(void) {
    for (int32_t c = SHMARRAY_E_BAD_MAGIC; c <= SHMARRAY_E_BAD_SEGMENT_ID; c++) {
        const char *s = shmarray_strerror(-c);
        CHECK(s != NULL && strcmp(s, shmarray_strerror(-99999)) != 0);
    }
    CHECK(strstr(shmarray_strerror(-ENOSPC), "space") != NULL);
    CHECK(strstr(shmarray_strerror(-99999), "unknown") != NULL);
    CHECK_EQ(SHMARRAY_ABI_VERSION, shmarray_abi_version());
}

int main(int argc, char **argv) {
    static const struct {
        const char *name;
        void (*fn)(void);
    } cases[] = {
        {"roundtrip", test_roundtrip},   {"exists", test_exists},
        {"missing", test_missing},       {"bad_args", test_bad_args},
        {"mode", test_mode},             {"fork", test_fork},
        {"validate", test_validate},     {"attach_checks", test_attach_checks},
        {"readonly", test_readonly},     {"start_time", test_start_time},
        {"strerror", test_strerror},     {"wrong_owner", test_wrong_owner},
    };
    if (argc != 2) {
        fprintf(stderr, "usage: %s <case>\n", argv[0]);
        return 2;
    }
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (strcmp(argv[1], cases[i].name) == 0) {
            cases[i].fn();
            cleanup();
            printf("ok %s\n", cases[i].name);
            return 0;
        }
    }
    fprintf(stderr, "unknown case %s\n", argv[1]);
    return 2;
}
