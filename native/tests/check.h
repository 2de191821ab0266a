/*
 * The C tests' tiny harness: CHECK / CHECK_EQ stop the test with a message, after removing every
 * segment name the test took with new_name() (so a failure leaves nothing in /dev/shm).
 */
#ifndef SHMARRAY_TEST_CHECK_H
#define SHMARRAY_TEST_CHECK_H

#include "shmarray.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static char names[8][64];
static int name_count;

static void cleanup(void) {
    for (int i = 0; i < name_count; i++) shm_unlink(names[i]);
}

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            cleanup();                                                                             \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

#define CHECK_EQ(expected, actual)                                                                 \
    do {                                                                                           \
        long long e_ = (long long)(expected), a_ = (long long)(actual);                            \
        if (e_ != a_) {                                                                            \
            fprintf(stderr, "%s:%d: %s: expected %lld, got %lld (%s)\n", __FILE__, __LINE__,       \
                    #actual, e_, a_, a_ < 0 ? shmarray_strerror((int32_t)a_) : "");                 \
            cleanup();                                                                             \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

/* Exit status that ctest reports as "skipped" (SKIP_RETURN_CODE in tests/CMakeLists.txt). */
#define SKIP_EXIT 77

/* Skips the whole test case, saying why: ctest lists it as skipped, never as passed. */
#define SKIP(...)                                                                                  \
    do {                                                                                           \
        printf("SKIP: " __VA_ARGS__);                                                              \
        printf("\n");                                                                              \
        cleanup();                                                                                 \
        exit(SKIP_EXIT);                                                                           \
    } while (0)

/* A fresh, unique segment name ("/shmarray-ctest-<pid>-<tag><n>"), removed again by cleanup(). */
static const char *new_tagged_name(const char *tag) {
    CHECK(name_count < 8);
    snprintf(names[name_count], sizeof names[0], "/shmarray-ctest-%d-%s%d", (int)getpid(), tag, name_count);
    return names[name_count++];
}

#endif
