/* Fault injection for tests; see fault.h. Compiled only into the test build of the library. */
#define _GNU_SOURCE
#include "fault.h"

#ifdef SHMARRAY_FAULT_INJECTION
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    int value;
} ERRNOS[] = {{"ENOSPC", ENOSPC}, {"ENOMEM", ENOMEM}, {"EMFILE", EMFILE}, {"ENFILE", ENFILE},
              {"EINTR", EINTR},   {"EIO", EIO},       {"EACCES", EACCES}, {"EFBIG", EFBIG},
              {"EOPNOTSUPP", EOPNOTSUPP}};

/* How often each armed point has fired, for "point:ERRNO*N" (fail N times, then succeed). */
static struct {
    char point[32];
    int fired;
} counters[8];

/* Whether the N-limited fault at `point` may fire once more (and counts it). */
static int may_fire(const char *point, long limit) {
    for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++) {
        if (counters[i].point[0] == '\0') {
            strncpy(counters[i].point, point, sizeof counters[i].point - 1);
        }
        if (strcmp(counters[i].point, point) == 0) {
            if (counters[i].fired >= limit) return 0;
            counters[i].fired++;
            return 1;
        }
    }
    return 1;
}

int shmarray_fault_(const char *point) {
    const char *spec = getenv("SHMARRAY_FAULTS");
    if (spec == NULL) return 0;
    size_t plen = strlen(point);
    for (const char *p = spec; *p != '\0';) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > plen && strncmp(p, point, plen) == 0 && p[plen] == ':') {
            const char *what = p + plen + 1;
            size_t wlen = len - plen - 1;
            const char *star = memchr(what, '*', wlen);
            if (star != NULL) { /* "ERRNO*N": only the first N times */
                long limit = strtol(star + 1, NULL, 10);
                wlen = (size_t)(star - what);
                if (!may_fire(point, limit)) return 0;
            }
            if (wlen == 5 && strncmp(what, "crash", 5) == 0) return -1;
            for (size_t i = 0; i < sizeof ERRNOS / sizeof ERRNOS[0]; i++) {
                if (strlen(ERRNOS[i].name) == wlen && strncmp(what, ERRNOS[i].name, wlen) == 0)
                    return ERRNOS[i].value;
            }
            return EIO; /* armed with an unknown name: still fail */
        }
        if (end == NULL) break;
        p = end + 1;
    }
    return 0;
}
#else
typedef int shmarray_fault_unused; /* ISO C forbids an empty translation unit */
#endif
