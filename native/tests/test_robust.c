/*
 * Robustness tests: robust lock, futex, process liveness, sweep, reaper, header fuzzing, ENOSPC
 * on a small tmpfs. Usage: test_robust <case> [reaper-path]; ctest runs one process per case.
 */
#define _GNU_SOURCE
#include "check.h"
#include "shmarray.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *new_name(void) { return new_tagged_name("r"); }

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* A segment with its header page mapped shared read-write; returns the header address. */
static shmarray_header *segment_with_header(const char *name, int64_t elements, uint32_t flags,
                                            int *fd_out) {
    int64_t shape[1] = {elements};
    int fd = shmarray_create(name, SHMARRAY_DTYPE_INT64, 1, shape, flags, NULL);
    CHECK(fd >= 0);
    int64_t a = shmarray_map(fd, 0, shmarray_page_size() + elements * 8,
                             SHMARRAY_PROT_READ | SHMARRAY_PROT_WRITE, SHMARRAY_MAP_SHARED);
    CHECK(a > 0);
    if (fd_out) *fd_out = fd;
    else shmarray_close(fd);
    return (shmarray_header *)(uintptr_t)a;
}

static int64_t lock_of(shmarray_header *h) { return (int64_t)(uintptr_t)h->lock; }

static int64_t *data_of(shmarray_header *h) {
    return (int64_t *)((char *)h + h->data_offset);
}

static int wait_child(pid_t pid) {
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* A child takes the lock and dies: owner-died; without consistent the lock is lost for good. */
static void test_lock_owner_died(void) {
    shmarray_header *h = segment_with_header(new_name(), 8, 0, NULL);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        if (shmarray_lock(lock_of(h), -1) != 0) _exit(2);
        data_of(h)[0] = 99; /* half-done work */
        _exit(0);           /* dies holding the lock */
    }
    CHECK_EQ(0, wait_child(pid));
    CHECK_EQ(SHMARRAY_LOCK_OWNER_DIED, shmarray_lock(lock_of(h), 1000000000));
    CHECK_EQ(99, data_of(h)[0]);
    /* unlock without repairing: unrecoverable from now on, for every process */
    CHECK_EQ(0, shmarray_unlock(lock_of(h)));
    CHECK_EQ(-ENOTRECOVERABLE, shmarray_lock(lock_of(h), 0));
    CHECK_EQ(-ENOTRECOVERABLE, shmarray_lock(lock_of(h), 1000000));
    CHECK_EQ(-ENOTRECOVERABLE, shmarray_lock(lock_of(h), -1));
    pid = fork(); /* ...for other processes too: an error, never a hang */
    CHECK(pid >= 0);
    if (pid == 0) _exit(shmarray_lock(lock_of(h), 100000000) == -ENOTRECOVERABLE ? 0 : 2);
    CHECK_EQ(0, wait_child(pid));

    /* the same, but the survivor marks it consistent: usable again */
    shmarray_header *g = segment_with_header(new_name(), 8, 0, NULL);
    pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) _exit(shmarray_lock(lock_of(g), -1) == 0 ? 0 : 2);
    CHECK_EQ(0, wait_child(pid));
    CHECK_EQ(SHMARRAY_LOCK_OWNER_DIED, shmarray_lock(lock_of(g), -1));
    CHECK_EQ(0, shmarray_lock_consistent(lock_of(g)));
    CHECK_EQ(0, shmarray_unlock(lock_of(g)));
    CHECK_EQ(0, shmarray_lock(lock_of(g), 0));
    CHECK_EQ(0, shmarray_unlock(lock_of(g)));
    CHECK_EQ(-EINVAL, shmarray_lock(0, 0));
    CHECK_EQ(-EINVAL, shmarray_lock(lock_of(g) + 1, 0));
}

static void *unlock_from_other_thread(void *arg) {
    return (void *)(intptr_t)shmarray_unlock(*(int64_t *)arg);
}

static void test_lock_exclusion(void) {
    shmarray_header *h = segment_with_header(new_name(), 8, 0, NULL);
    int64_t l = lock_of(h);
    /* a child writes under the lock; the parent sees it */
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        if (shmarray_lock(l, -1) != 0) _exit(2);
        for (int i = 0; i < 8; i++) data_of(h)[i] = 1000 + i;
        _exit(shmarray_unlock(l) == 0 ? 0 : 3);
    }
    CHECK_EQ(0, wait_child(pid));
    CHECK_EQ(0, shmarray_lock(l, -1));
    for (int i = 0; i < 8; i++) CHECK_EQ(1000 + i, data_of(h)[i]);
    CHECK_EQ(-EDEADLK, shmarray_lock(l, 0)); /* error-checking: no self-deadlock */
    /* only the owning thread may unlock */
    pthread_t t;
    void *rc;
    CHECK(pthread_create(&t, NULL, unlock_from_other_thread, &l) == 0);
    CHECK(pthread_join(t, &rc) == 0);
    CHECK_EQ(-EPERM, (intptr_t)rc);
    /* held here: another process times out, and a try fails at once */
    pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        int64_t t0 = now_ns();
        int r = shmarray_lock(l, 100000000);
        int64_t waited = now_ns() - t0;
        if (r != -ETIMEDOUT) _exit(2);
        if (waited < 90000000 || waited > 3000000000LL) _exit(3);
        _exit(shmarray_lock(l, 0) == -ETIMEDOUT ? 0 : 4);
    }
    CHECK_EQ(0, wait_child(pid));
    CHECK_EQ(0, shmarray_unlock(l));
}

static void test_futex(void) {
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    uint32_t *word = p;
    int64_t addr = (int64_t)(uintptr_t)word;
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        while (__atomic_load_n(word, __ATOMIC_ACQUIRE) == 0) {
            int r = shmarray_futex_wait(addr, 0, 5000000000LL);
            if (r == -ETIMEDOUT) _exit(2);
            if (r < 0 && r != -EAGAIN) _exit(3);
        }
        _exit(0);
    }
    usleep(50000);
    __atomic_store_n(word, 1, __ATOMIC_RELEASE);
    int woken = 0;
    for (int i = 0; i < 100 && woken == 0; i++) { /* the child may not sleep yet: retry the wake */
        CHECK((woken = shmarray_futex_wake(addr, 1)) >= 0);
        if (woken == 0) usleep(1000);
    }
    CHECK_EQ(0, wait_child(pid));

    /* timeouts expire; a changed value returns at once */
    int64_t t0 = now_ns();
    CHECK_EQ(-ETIMEDOUT, shmarray_futex_wait(addr, 1, 50000000));
    CHECK(now_ns() - t0 >= 50000000);
    CHECK_EQ(-EAGAIN, shmarray_futex_wait(addr, 7, 1000000000));
    CHECK_EQ(-EINVAL, shmarray_futex_wait(addr + 1, 0, 0));
    CHECK_EQ(-EINVAL, shmarray_futex_wake(0, 1));
    munmap(p, 4096);
}

/* pid and start time of a process that has exited (and been reaped). */
static void dead_process(int32_t *pid, int64_t *start) {
    int pipefd[2];
    CHECK(pipe(pipefd) == 0);
    pid_t c = fork();
    CHECK(c >= 0);
    if (c == 0) {
        char b;
        close(pipefd[1]);
        (void)!read(pipefd[0], &b, 1);
        _exit(0);
    }
    close(pipefd[0]);
    *pid = c;
    *start = shmarray_process_start_time(c);
    CHECK(*start > 0);
    CHECK_EQ(1, shmarray_process_alive(c, *start));
    close(pipefd[1]);
    CHECK_EQ(0, wait_child(c));
}

static void test_alive(void) {
    int64_t me = shmarray_process_start_time(getpid());
    CHECK_EQ(1, shmarray_process_alive(getpid(), me));
    CHECK_EQ(0, shmarray_process_alive(getpid(), me + 1)); /* pid reuse: another start time */
    int32_t pid;
    int64_t start;
    dead_process(&pid, &start);
    CHECK_EQ(0, shmarray_process_alive(pid, start));
    /* a zombie is dead */
    pid_t z = fork();
    CHECK(z >= 0);
    if (z == 0) _exit(0);
    int64_t zs = shmarray_process_start_time(z);
    for (int i = 0; i < 200; i++) {
        if (zs < 0 || shmarray_process_alive(z, zs) == 0) break;
        usleep(5000);
    }
    CHECK_EQ(0, shmarray_process_alive(z, zs));
    CHECK_EQ(0, wait_child(z));
    CHECK_EQ(-EINVAL, shmarray_process_alive(0, 1));
}

/* Writes a file holding `h` (and nothing else) into dir/name, mode 0600. */
static void write_file(const char *dir, const char *name, const void *bytes, size_t len) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    CHECK(fd >= 0);
    CHECK(write(fd, bytes, len) == (ssize_t)len);
    CHECK(ftruncate(fd, 8192) == 0);
    close(fd);
}

static int exists(const char *dir, const char *name) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    return lstat(path, &st) == 0;
}

static void test_sweep(void) {
    char dir[] = "/tmp/shmarray-sweep-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    shmarray_header good;
    int64_t shape[1] = {16};
    const char *tmpl = new_name();
    int fd = shmarray_create(tmpl, SHMARRAY_DTYPE_INT64, 1, shape, 0, &good);
    CHECK(fd >= 0);
    shmarray_close(fd);
    shmarray_unlink(tmpl);
    int32_t dead_pid;
    int64_t dead_start;
    dead_process(&dead_pid, &dead_start);

    shmarray_header h = good;
    h.creator_pid = dead_pid;
    h.creator_start_time = (uint64_t)dead_start;
    write_file(dir, "dead-owner", &h, sizeof h);
    CHECK(good.creator_pidns != 0 && (int64_t)good.creator_pidns == shmarray_pidns()); /* recorded */
    h.creator_pidns = good.creator_pidns + 1; /* a container's process: its pid means nothing here */
    write_file(dir, "other-namespace", &h, sizeof h);
    h.creator_pidns = good.creator_pidns;
    h.flags = SHMARRAY_FLAG_PERSISTENT;
    write_file(dir, "dead-persistent", &h, sizeof h);
    h.flags = 0;
    h.state = SHMARRAY_STATE_INITIALISING; /* creator died before publishing */
    write_file(dir, "dead-unpublished", &h, sizeof h);
    h = good; /* creator = this live process */
    write_file(dir, "live-owner", &h, sizeof h);
    CHECK(good.creator_boot != 0 && (int64_t)good.creator_boot == shmarray_boot_id()); /* recorded */
    h.creator_boot = good.creator_boot ^ 1; /* the same pid and start time, but an earlier boot */
    write_file(dir, "earlier-boot", &h, sizeof h);
    h.creator_boot = good.creator_boot;
    h.creator_pid = dead_pid;
    h.creator_start_time = (uint64_t)dead_start;
    h.dtype = 77;
    write_file(dir, "corrupt", &h, sizeof h);
    char junk[600];
    memset(junk, 'j', sizeof junk);
    write_file(dir, "foreign", junk, sizeof junk);
    write_file(dir, "shmarray-damaged", junk, sizeof junk); /* a segment whose header was overwritten */

    char report[2048];
    CHECK_EQ(3, shmarray_sweep(dir, 1, report, sizeof report)); /* dry run */
    CHECK(exists(dir, "dead-owner") && exists(dir, "dead-unpublished") && exists(dir, "earlier-boot"));
    CHECK_EQ(3, shmarray_sweep(dir, 0, report, sizeof report));
    printf("%s", report);
    CHECK(!exists(dir, "dead-owner"));
    CHECK(!exists(dir, "dead-unpublished"));
    CHECK(exists(dir, "dead-persistent"));
    CHECK(exists(dir, "live-owner"));
    CHECK(!exists(dir, "earlier-boot"));
    CHECK(strstr(report, "reclaimed earlier-boot owner=") != NULL && strstr(report, "(earlier boot)") != NULL);
    CHECK_EQ(1, shmarray_boot_is_ours(0));
    CHECK_EQ(1, shmarray_boot_is_ours(shmarray_boot_id()));
    CHECK_EQ(0, shmarray_boot_is_ours(shmarray_boot_id() ^ 1));
    CHECK(exists(dir, "corrupt"));
    CHECK(exists(dir, "foreign"));
    CHECK(strstr(report, "reclaimed dead-owner") != NULL);
    CHECK(strstr(report, "reclaimed dead-unpublished") != NULL && strstr(report, "never published"));
    CHECK(strstr(report, "corrupt corrupt bad dtype") != NULL);
    CHECK(strstr(report, "foreign 1") != NULL);
    CHECK(strstr(report, "damaged shmarray-damaged no shmarray header") != NULL);
    CHECK(exists(dir, "other-namespace"));
    CHECK(strstr(report, "elsewhere other-namespace owner=") != NULL);
    CHECK_EQ(1, shmarray_pidns_is_ours(0));
    CHECK_EQ(1, shmarray_pidns_is_ours(shmarray_pidns()));
    CHECK_EQ(0, shmarray_pidns_is_ours(shmarray_pidns() + 1));
    CHECK(exists(dir, "shmarray-damaged"));
    CHECK_EQ(0, shmarray_sweep(dir, 0, NULL, 0)); /* nothing left to reclaim */
    char small[8];
    CHECK_EQ(0, shmarray_sweep(dir, 0, small, sizeof small));
    CHECK(strlen(small) < sizeof small);
    CHECK_EQ(-ENOENT, shmarray_sweep("/nonexistent-dir", 0, NULL, 0));
    const char *left[] = {"dead-persistent", "live-owner", "corrupt", "foreign", "shmarray-damaged",
                          "other-namespace"};
    for (size_t i = 0; i < 6; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, left[i]);
        unlink(path);
    }
    rmdir(dir);
}

/*
 * A "creator" child starts the reaper, creates an owner-scoped and a persistent segment,
 * registers both plus one this test process created, and is killed with SIGKILL. The reaper
 * (re-parented to us as child subreaper) must remove only the owner-scoped one within 5 s.
 */
static void test_reaper(const char *reaper) {
    CHECK(reaper != NULL);
    CHECK(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
    const char *scoped = new_name(), *persistent = new_name(), *ours = new_name();
    int64_t shape[1] = {4};
    int fd = shmarray_create(ours, SHMARRAY_DTYPE_INT32, 1, shape, 0, NULL);
    CHECK(fd >= 0);
    shmarray_close(fd);
    int ready[2];
    CHECK(pipe(ready) == 0);
    pid_t creator = fork();
    CHECK(creator >= 0);
    if (creator == 0) {
        close(ready[0]);
        int to_reaper[2];
        if (pipe2(to_reaper, O_CLOEXEC) != 0) _exit(2);
        pid_t r = fork();
        if (r < 0) _exit(3);
        if (r == 0) {
            dup2(to_reaper[0], 0);
            execl(reaper, "shmarray-reaper", (char *)NULL);
            _exit(4);
        }
        close(to_reaper[0]);
        int f1 = shmarray_create(scoped, SHMARRAY_DTYPE_INT32, 1, shape, 0, NULL);
        int f2 = shmarray_create(persistent, SHMARRAY_DTYPE_INT32, 1, shape, SHMARRAY_FLAG_PERSISTENT, NULL);
        if (f1 < 0 || f2 < 0) _exit(5);
        dprintf(to_reaper[1], "+%s\n+%s\n+%s\n", scoped, persistent, ours);
        (void)!write(ready[1], "r", 1);
        for (;;) pause();
    }
    close(ready[1]);
    char b;
    CHECK(read(ready[0], &b, 1) == 1);
    usleep(100000); /* let the reaper read its registrations */
    int64_t t0 = now_ns();
    kill(creator, SIGKILL);
    CHECK_EQ(128 + SIGKILL, wait_child(creator));
    /* the reaper is now our child: wait for it to finish its work */
    int status;
    pid_t r;
    while ((r = waitpid(-1, &status, 0)) < 0 && errno == EINTR) {
    }
    CHECK(r > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    int64_t took = now_ns() - t0;
    printf("reaper finished %lld ms after the kill\n", (long long)(took / 1000000));
    CHECK(took < 5000000000LL);
    CHECK_EQ(-ENOENT, shmarray_attach(scoped, 0, NULL));
    int keep1 = shmarray_attach(persistent, 0, NULL);
    int keep2 = shmarray_attach(ours, 0, NULL);
    CHECK(keep1 >= 0);
    CHECK(keep2 >= 0);
    shmarray_close(keep1);
    shmarray_close(keep2);
}

static uint64_t rng_state;
static uint64_t next_random(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Thousands of seeded corruptions and truncations: the validator only ever returns codes. */
static void test_fuzz(void) {
    const char *env = getenv("SHMARRAY_FUZZ_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL);
    printf("header fuzz seed %llu (replay: SHMARRAY_FUZZ_SEED=%llu)\n", (unsigned long long)seed,
           (unsigned long long)seed);
    rng_state = seed | 1;
    shmarray_header good;
    int64_t shape[3] = {3, 5, 7};
    const char *name = new_name();
    int fd = shmarray_create(name, SHMARRAY_DTYPE_FLOAT32, 3, shape, 0, &good);
    CHECK(fd >= 0);
    shmarray_close(fd);
    shmarray_unlink(name);
    int accepted = 0;
    for (int iter = 0; iter < 20000; iter++) {
        shmarray_header h = good;
        unsigned char *bytes = (unsigned char *)&h;
        int flips = 1 + (int)(next_random() % 8);
        for (int k = 0; k < flips; k++) {
            size_t at = next_random() % sizeof h;
            if (next_random() % 4 == 0) at = next_random() % 160; /* favour the live fields */
            bytes[at] = (unsigned char)next_random();
        }
        size_t available = next_random() % 3 == 0 ? next_random() % (sizeof h + 1) : sizeof h;
        int64_t seg = next_random() % 2 ? -1 : (int64_t)(next_random() % 100000);
        unsigned char *copy = malloc(available ? available : 1); /* exactly `available` bytes */
        CHECK(copy != NULL);
        memcpy(copy, &h, available);
        int32_t rc = shmarray_header_validate(copy, (int64_t)available, seg);
        free(copy);
        CHECK(rc == 0 || (rc <= -SHMARRAY_E_BAD_MAGIC && rc >= -SHMARRAY_E_BAD_SEGMENT_ID));
        if (rc == 0) {
            accepted++;
            /* whatever it accepted is self-consistent */
            CHECK(h.rank <= SHMARRAY_MAX_RANK);
            CHECK(h.data_offset % (uint64_t)shmarray_page_size() == 0);
            CHECK(seg < 0 || h.data_offset + h.data_length <= (uint64_t)seg);
        }
    }
    printf("20000 corrupted headers: %d still valid (lock-area or same-value flips), the rest refused\n",
           accepted);
}

/* ENOSPC from a real full tmpfs, in a private mount namespace (root only). */
static void test_enospc_tmpfs(void) {
    if (geteuid() != 0)
        SKIP("enospc_tmpfs: needs root to mount a small tmpfs in a private mount namespace"
             " (the fault-injection test covers ENOSPC without root)");
    if (unshare(CLONE_NEWNS) != 0)
        SKIP("enospc_tmpfs: unshare(CLONE_NEWNS) failed (%s): root without CAP_SYS_ADMIN?", strerror(errno));
    CHECK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0);
    CHECK(mount("tmpfs", "/dev/shm", "tmpfs", 0, "size=1m,mode=1777") == 0);
    const char *name = new_name();
    int64_t shape[1] = {1 << 20}; /* 8 MiB of int64 into 1 MiB */
    CHECK_EQ(-ENOSPC, shmarray_create(name, SHMARRAY_DTYPE_INT64, 1, shape, 0, NULL));
    DIR *d = opendir("/dev/shm");
    CHECK(d != NULL);
    struct dirent *e;
    int entries = 0;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.') entries++;
    closedir(d);
    CHECK_EQ(0, entries); /* nothing left behind */
    int64_t small[1] = {1000};
    int fd = shmarray_create(name, SHMARRAY_DTYPE_INT64, 1, small, 0, NULL);
    CHECK(fd >= 0); /* a size that fits still works */
    shmarray_close(fd);
    shmarray_unlink(name);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s <case> [reaper]\n", argv[0]);
        return 2;
    }
    const char *c = argv[1];
    if (strcmp(c, "lock_owner_died") == 0) test_lock_owner_died();
    else if (strcmp(c, "lock_exclusion") == 0) test_lock_exclusion();
    else if (strcmp(c, "futex") == 0) test_futex();
    else if (strcmp(c, "alive") == 0) test_alive();
    else if (strcmp(c, "sweep") == 0) test_sweep();
    else if (strcmp(c, "reaper") == 0) test_reaper(argc > 2 ? argv[2] : NULL);
    else if (strcmp(c, "fuzz") == 0) test_fuzz();
    else if (strcmp(c, "enospc_tmpfs") == 0) test_enospc_tmpfs();
    else {
        fprintf(stderr, "unknown case %s\n", c);
        return 2;
    }
    cleanup();
    printf("ok %s\n", c);
    return 0;
}
