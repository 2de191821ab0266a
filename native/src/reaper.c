/*
 * shmarray-reaper: removes a process's owner-scoped segments once that process is gone.
 *
 * The owner starts it once with a pipe on its stdin and writes one line per event:
 *   +NAME    NAME is owner-scoped: remove it when I am gone
 *   -NAME    forget NAME (I removed it, or its ownership moved on)
 * End of file on stdin means the owner exited or was killed. For each registered name the
 * reaper then removes the segment only if it is still the very segment registered (same inode
 * and segment id), is not PERSISTENT, and its creator (pid and start time) is not alive. It runs
 * in its own session so a Ctrl-C aimed at the owner's terminal does not stop it, logs one line per
 * removed segment to stderr, and exits.
 *
 * The JVM executes it from a sealed in-memory copy (/proc/<pid>/fd/<n>), so the kernel would name
 * the process after the descriptor number: it names itself "shmarray-reaper" first.
 */
#define _GNU_SOURCE
#include "shmarray.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    char name[SHMARRAY_NAME_MAX + 2];
    dev_t dev;
    ino_t ino;
    uint64_t segment_id;
    int live;
} entry;

static entry *entries;
static size_t count, capacity;

/* Records NAME's identity now, while its owner is alive and the name is surely its segment. */
static void add(const char *name) {
    shmarray_header h;
    int fd = shmarray_attach(name, 0, &h);
    if (fd < 0) {
        /* Already removed by its owner (a fast create/close: the "+NAME" line arrived after the
         * unlink): nothing left to reap, nothing to say. Anything else is worth a line. */
        if (fd != -ENOENT)
            fprintf(stderr, "shmarray-reaper: cannot register %s: %s\n", name, shmarray_strerror(fd));
        return;
    }
    struct stat st;
    int ok = fstat(fd, &st) == 0;
    shmarray_close(fd);
    if (!ok) return;
    if (count == capacity) {
        size_t n = capacity ? capacity * 2 : 16;
        entry *grown = realloc(entries, n * sizeof *entries);
        if (grown == NULL) return;
        entries = grown;
        capacity = n;
    }
    entry *e = &entries[count++];
    size_t n = strnlen(name, sizeof e->name - 1);
    memcpy(e->name, name, n);
    e->name[n] = '\0';
    e->dev = st.st_dev;
    e->ino = st.st_ino;
    e->segment_id = h.segment_id;
    e->live = 1;
}

static void forget(const char *name) {
    for (size_t i = 0; i < count; i++)
        if (entries[i].live && strcmp(entries[i].name, name) == 0) entries[i].live = 0;
}

static void reap(const entry *e) {
    shmarray_header h;
    int fd = shmarray_attach(e->name, 0, &h);
    if (fd < 0) return; /* already gone, or no longer a valid segment of ours: leave it */
    struct stat st;
    int same = fstat(fd, &st) == 0 && st.st_dev == e->dev && st.st_ino == e->ino &&
               h.segment_id == e->segment_id;
    shmarray_close(fd);
    if (!same || (h.flags & SHMARRAY_FLAG_PERSISTENT)) return;
    if (!shmarray_pidns_is_ours((int64_t)h.creator_pidns)) return; /* adopted across a namespace */
    if (shmarray_process_alive((int32_t)h.creator_pid, (int64_t)h.creator_start_time) != 0) return;
    if (shmarray_unlink(e->name) == 0)
        fprintf(stderr, "shmarray-reaper: removed %s (owner pid %lld exited)\n", e->name,
                (long long)h.creator_pid);
}

int main(void) {
    prctl(PR_SET_NAME, "shmarray-reaper", 0, 0, 0);
    pid_t owner = getppid();
    int64_t owner_start = shmarray_process_start_time((int32_t)owner);
    setsid(); /* not in the owner's process group: terminal signals aimed at it miss us */
    signal(SIGINT, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    char line[SHMARRAY_NAME_MAX + 8];
    while (fgets(line, sizeof line, stdin) != NULL) {
        size_t n = strcspn(line, "\n");
        line[n] = '\0';
        if (n < 2) continue;
        if (line[0] == '+') add(line + 1);
        else if (line[0] == '-') forget(line + 1);
    }
    /* The owner's descriptors close a moment before it is reported dead: wait for that (5 s at
     * most), so the liveness check below sees the truth. */
    for (int i = 0; i < 500 && owner_start >= 0 && shmarray_process_alive((int32_t)owner, owner_start) == 1; i++)
        usleep(10000);
    for (size_t i = 0; i < count; i++)
        if (entries[i].live) reap(&entries[i]);
    free(entries);
    return 0;
}
