/* Sweep: reclaim segments whose creator died; see shmarray.h. */
#define _GNU_SOURCE
#include "shmarray.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    char *buf;
    size_t len;
    size_t used;
} report_t;

__attribute__((format(printf, 2, 3))) static void say(report_t *r, const char *fmt, ...) {
    if (r->buf == NULL || r->len == 0 || r->used + 1 >= r->len) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(r->buf + r->used, r->len - r->used, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    r->used = r->used + (size_t)n < r->len ? r->used + (size_t)n : r->len - 1;
}

/* Reads a header copy with pread: no mapping, so a segment shrinking under us cannot SIGBUS. */
static int read_header(int fd, shmarray_header *h) {
    ssize_t n;
    do {
        n = pread(fd, h, sizeof *h, 0);
    } while (n < 0 && errno == EINTR);
    return n == (ssize_t)sizeof *h ? 0 : -1;
}

int32_t shmarray_sweep(const char *dir, int32_t dry_run, char *report, int64_t report_len) {
    report_t r = {report, report_len > 0 ? (size_t)report_len : 0, 0};
    if (r.buf != NULL && r.len > 0) r.buf[0] = '\0';
    const char *path = dir != NULL ? dir : "/dev/shm";
    int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return -errno;
    DIR *d = fdopendir(dfd);
    if (d == NULL) {
        int e = errno;
        close(dfd);
        return -e;
    }
    int reclaimed = 0, foreign = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        int fd = openat(dfd, e->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0) continue; /* vanished, a symlink, or not ours to read */
        struct stat st;
        shmarray_header h;
        if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
            foreign++;
            close(fd);
            continue;
        }
        int no_header = st.st_size < (off_t)sizeof h || read_header(fd, &h) != 0;
        if (no_header || h.magic != SHMARRAY_MAGIC) {
            /* Ours, without a readable header: named like a segment, it is one whose header was
             * overwritten (or truncated). Its owner cannot be known, so it is never reclaimed
             * here, but it is reported, not hidden among foreign files. A young file that is
             * still empty or zero is one being created: not reported. */
            int young = time(NULL) - st.st_mtime < SHMARRAY_CREATE_GRACE_SECONDS;
            int blank = st.st_size == 0 || (!no_header && h.magic == 0);
            if (young && blank) {
                close(fd);
                continue;
            }
            if (strncmp(e->d_name, SHMARRAY_NAME_PREFIX, strlen(SHMARRAY_NAME_PREFIX)) == 0)
                say(&r, "damaged %s no shmarray header (overwritten, or not made by shmarray)\n", e->d_name);
            else
                foreign++;
            close(fd);
            continue;
        }
        close(fd);
        int v = shmarray_header_validate(&h, sizeof h, (int64_t)st.st_size);
        if (v < 0 && v != -SHMARRAY_E_NOT_READY) {
            say(&r, "corrupt %s %s\n", e->d_name, shmarray_strerror(v));
            continue;
        }
        if (v == 0 && (h.flags & SHMARRAY_FLAG_PERSISTENT)) continue;
        if (h.creator_pid <= 0 || h.creator_pid > INT32_MAX) {
            say(&r, "corrupt %s no creator recorded\n", e->d_name);
            continue;
        }
        if (!shmarray_pidns_is_ours((int64_t)h.creator_pidns)) {
            /* A pid of another namespace (a container sharing /dev/shm) means nothing here. */
            say(&r, "elsewhere %s owner=%lld pidns=%llu\n", e->d_name, (long long)h.creator_pid,
                (unsigned long long)h.creator_pidns);
            continue;
        }
        /* An owner of an earlier boot is dead whatever process now has its pid and start time. */
        int earlier_boot = !shmarray_boot_is_ours((int64_t)h.creator_boot);
        int alive = earlier_boot ? 0 : shmarray_process_alive((int32_t)h.creator_pid, (int64_t)h.creator_start_time);
        if (alive != 0) continue; /* alive, or cannot tell: never reclaim */
        /* Judged on one read: read again, and leave it if the owner changed meanwhile (an adopt
         * writes pid, start time and namespace one by one; a torn read must not look dead). */
        shmarray_header again;
        int fd2 = openat(dfd, e->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        if (fd2 < 0) continue;
        int same_owner = read_header(fd2, &again) == 0 && again.creator_pid == h.creator_pid &&
                         again.creator_start_time == h.creator_start_time &&
                         again.creator_pidns == h.creator_pidns && again.creator_boot == h.creator_boot;
        close(fd2);
        if (!same_owner) continue;
        /* Unlink only if the name still refers to the file we examined. */
        struct stat now;
        if (fstatat(dfd, e->d_name, &now, AT_SYMLINK_NOFOLLOW) != 0 || now.st_ino != st.st_ino ||
            now.st_dev != st.st_dev)
            continue;
        if (!dry_run && unlinkat(dfd, e->d_name, 0) != 0) continue;
        reclaimed++;
        say(&r, "reclaimed %s owner=%lld%s%s\n", e->d_name, (long long)h.creator_pid,
            v == -SHMARRAY_E_NOT_READY ? " (never published)" : "", earlier_boot ? " (earlier boot)" : "");
    }
    closedir(d);
    if (foreign > 0) say(&r, "foreign %d\n", foreign);
    return reclaimed;
}
