/*
 * Error paths through the fault-injection build (libshmarray-fi.so): no root needed.
 * Usage: test_faults <case>.
 */
#define _GNU_SOURCE
#include "shmarray.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char name[64];

#define CHECK_EQ(expected, actual)                                                                 \
    do {                                                                                           \
        long long e_ = (long long)(expected), a_ = (long long)(actual);                            \
        if (e_ != a_) {                                                                            \
            fprintf(stderr, "%s:%d: %s: expected %lld, got %lld\n", __FILE__, __LINE__, #actual,   \
                    e_, a_);                                                                       \
            shm_unlink(name);                                                                      \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

static const int64_t shape[1] = {1024};

static void test_enospc(void) {
    setenv("SHMARRAY_FAULTS", "fallocate:ENOSPC", 1);
    CHECK_EQ(-ENOSPC, shmarray_create(name, SHMARRAY_DTYPE_INT64, 1, shape, 0, NULL));
    CHECK_EQ(-ENOSPC, shmarray_create_raw(name, 4096));
    unsetenv("SHMARRAY_FAULTS");
    CHECK_EQ(-ENOENT, shmarray_attach_raw(name, 0)); /* the name was removed again */
}

/* R3: posix_fallocate interrupted is retried; unsupported is a clear error, never a sparse file. */
static void test_fallocate_eintr(void) {
    setenv("SHMARRAY_FAULTS", "fallocate:EINTR*3", 1);
    shmarray_header h;
    int fd = shmarray_create(name, SHMARRAY_DTYPE_INT64, 1, shape, 0, &h);
    unsetenv("SHMARRAY_FAULTS");
    CHECK_EQ(1, fd >= 0); /* three EINTRs, then the real allocation */
    struct stat st;
    CHECK_EQ(0, fstat(fd, &st));
    CHECK_EQ(1, (int64_t)st.st_blocks * 512 >= (int64_t)st.st_size); /* really allocated */
    shmarray_close(fd);
    CHECK_EQ(0, shmarray_unlink(name));

    setenv("SHMARRAY_FAULTS", "fallocate:EOPNOTSUPP", 1);
    CHECK_EQ(-EOPNOTSUPP, shmarray_create(name, SHMARRAY_DTYPE_INT64, 1, shape, 0, NULL));
    unsetenv("SHMARRAY_FAULTS");
    CHECK_EQ(-ENOENT, shmarray_attach_raw(name, 0)); /* no segment, sparse or otherwise, is left */
}

static void test_mmap(void) {
    int fd = shmarray_create(name, SHMARRAY_DTYPE_INT64, 1, shape, 0, NULL);
    CHECK_EQ(1, fd >= 0);
    setenv("SHMARRAY_FAULTS", "mmap:ENOMEM", 1);
    CHECK_EQ(-ENOMEM, shmarray_map(fd, shmarray_page_size(), 8192, SHMARRAY_PROT_READ, SHMARRAY_MAP_SHARED));
    unsetenv("SHMARRAY_FAULTS");
    int64_t a = shmarray_map(fd, shmarray_page_size(), 8192, SHMARRAY_PROT_READ, SHMARRAY_MAP_SHARED);
    CHECK_EQ(1, a > 0);
    shmarray_unmap(a, 8192);
    shmarray_close(fd);
    CHECK_EQ(0, shmarray_unlink(name));
}

static void test_emfile(void) {
    setenv("SHMARRAY_FAULTS", "shm_open:EMFILE", 1);
    CHECK_EQ(-EMFILE, shmarray_create(name, SHMARRAY_DTYPE_INT64, 1, shape, 0, NULL));
    CHECK_EQ(-EMFILE, shmarray_attach(name, 0, NULL));
    unsetenv("SHMARRAY_FAULTS");
    CHECK_EQ(-ENOENT, shmarray_attach(name, 0, NULL));
}

/* The creator dies between allocation and publication: attachers see "not ready", the sweep reclaims. */
static void test_crash_before_ready(void) {
    pid_t pid = fork();
    if (pid == 0) {
        setenv("SHMARRAY_FAULTS", "ready:crash", 1);
        shmarray_create(name, SHMARRAY_DTYPE_INT64, 1, shape, 0, NULL);
        _exit(0); /* not reached: the fault kills the process */
    }
    int status = 0;
    CHECK_EQ(pid, waitpid(pid, &status, 0));
    CHECK_EQ(1, WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    CHECK_EQ(-SHMARRAY_E_NOT_READY, shmarray_attach(name, 0, NULL));
    char report[8192];
    int n = shmarray_sweep(NULL, 0, report, sizeof report);
    printf("%s", report);
    CHECK_EQ(1, n >= 1);
    CHECK_EQ(1, strstr(report, name + 1) != NULL);
    CHECK_EQ(-ENOENT, shmarray_attach(name, 0, NULL));
}

int main(int argc, char **argv) {
    if (argc != 2) return 2;
    snprintf(name, sizeof name, "/shmarray-ctest-%d-fi", (int)getpid());
    if (strcmp(argv[1], "enospc") == 0) test_enospc();
    else if (strcmp(argv[1], "fallocate_eintr") == 0) test_fallocate_eintr();
    else if (strcmp(argv[1], "mmap") == 0) test_mmap();
    else if (strcmp(argv[1], "emfile") == 0) test_emfile();
    else if (strcmp(argv[1], "crash_before_ready") == 0) test_crash_before_ready();
    else return 2;
    shm_unlink(name);
    printf("ok %s\n", argv[1]);
    return 0;
}
