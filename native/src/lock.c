/* Robust process-shared lock and futex wait/wake; see shmarray.h. */
#define _GNU_SOURCE
#include "shmarray.h"

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

_Static_assert(sizeof(pthread_mutex_t) <= SHMARRAY_LOCK_SIZE, "the mutex must fit the header's lock area");

static pthread_mutex_t *as_mutex(int64_t address) {
    if (address <= 0 || address % (int64_t)_Alignof(pthread_mutex_t) != 0) return NULL;
    return (pthread_mutex_t *)(uintptr_t)address;
}

int32_t shmarray_lock_init(int64_t lock_address) {
    pthread_mutex_t *m = as_mutex(lock_address);
    if (m == NULL) return -EINVAL;
    pthread_mutexattr_t attr;
    int rc = pthread_mutexattr_init(&attr);
    if (rc == 0) rc = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    if (rc == 0) rc = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    if (rc == 0) rc = pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
    if (rc == 0) rc = pthread_mutex_init(m, &attr);
    pthread_mutexattr_destroy(&attr);
    return -rc;
}

static struct timespec deadline_after(int64_t ns) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    int64_t sec = ns / 1000000000;
    int64_t nsec = t.tv_nsec + ns % 1000000000;
    if (nsec >= 1000000000) {
        nsec -= 1000000000;
        sec++;
    }
    t.tv_sec += (time_t)sec;
    t.tv_nsec = (long)nsec;
    return t;
}

int32_t shmarray_lock(int64_t lock_address, int64_t timeout_ns) {
    pthread_mutex_t *m = as_mutex(lock_address);
    if (m == NULL) return -EINVAL;
    int rc;
    if (timeout_ns < 0) {
        rc = pthread_mutex_lock(m);
    } else {
        /* timeout 0 is a deadline of "now": one attempt. Not pthread_mutex_trylock: on a robust
         * mutex that is not recoverable, glibc's trylock returns ENOTRECOVERABLE but leaves the
         * lock word set to the caller's tid, after which every locker waits forever. */
        struct timespec t = deadline_after(timeout_ns);
        rc = pthread_mutex_clocklock(m, CLOCK_MONOTONIC, &t);
    }
    if (rc == EOWNERDEAD) return SHMARRAY_LOCK_OWNER_DIED;
    return -rc;
}

int32_t shmarray_unlock(int64_t lock_address) {
    pthread_mutex_t *m = as_mutex(lock_address);
    if (m == NULL) return -EINVAL;
    return -pthread_mutex_unlock(m);
}

int32_t shmarray_lock_consistent(int64_t lock_address) {
    pthread_mutex_t *m = as_mutex(lock_address);
    if (m == NULL) return -EINVAL;
    return -pthread_mutex_consistent(m);
}

int32_t shmarray_futex_wait(int64_t address, int32_t expected, int64_t timeout_ns) {
    if (address <= 0 || address % 4 != 0) return -EINVAL;
    uint32_t *word = (uint32_t *)(uintptr_t)address;
    struct timespec end = deadline_after(timeout_ns < 0 ? 0 : timeout_ns);
    for (;;) {
        struct timespec rel, *relp = NULL;
        if (timeout_ns >= 0) {
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            int64_t left = (int64_t)(end.tv_sec - now.tv_sec) * 1000000000 + (end.tv_nsec - now.tv_nsec);
            if (left <= 0) return -ETIMEDOUT;
            rel.tv_sec = (time_t)(left / 1000000000);
            rel.tv_nsec = (long)(left % 1000000000);
            relp = &rel;
        }
        /* FUTEX_WAIT (not _PRIVATE): the word is shared between processes */
        long rc = syscall(SYS_futex, word, FUTEX_WAIT, (uint32_t)expected, relp, NULL, 0);
        if (rc == 0) return 0;
        if (errno == EINTR) continue;
        return -errno; /* EAGAIN: value differs; ETIMEDOUT */
    }
}

int32_t shmarray_futex_wake(int64_t address, int32_t count) {
    if (address <= 0 || address % 4 != 0 || count < 0) return -EINVAL;
    long rc = syscall(SYS_futex, (uint32_t *)(uintptr_t)address, FUTEX_WAKE, count, NULL, NULL, 0);
    return rc < 0 ? -errno : (int32_t)rc;
}
