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
              {"EINTR", EINTR},   {"EIO", EIO},       {"EACCES", EACCES}, {"EFBIG", EFBIG}};

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
