/*
 * A C program built against an installed shmarray with find_package.
 *   consumer              self-test: create, attach, write, read, unlink
 *   consumer create NAME  create int32[16] holding i*3 and leave it for another process
 *   consumer check NAME   attach to an int32[16] holding i*7 (made by Java), write 4242 at [0]
 */
#include <shmarray.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int32_t *map_data(int fd, const shmarray_header *h) {
    int64_t a = shmarray_map(fd, (int64_t)h->data_offset, (int64_t)h->data_length,
                             SHMARRAY_PROT_READ | SHMARRAY_PROT_WRITE, SHMARRAY_MAP_SHARED);
    return a > 0 ? (int32_t *)(intptr_t)a : NULL;
}

static int create(const char *name) {
    int64_t shape[1] = {16};
    shmarray_header h;
    int fd = shmarray_create(name, SHMARRAY_DTYPE_INT32, 1, shape, 0, &h);
    if (fd < 0) {
        fprintf(stderr, "create: %s\n", shmarray_strerror(fd));
        return 1;
    }
    int32_t *v = map_data(fd, &h);
    if (v == NULL) return 1;
    for (int i = 0; i < 16; i++) v[i] = i * 3;
    shmarray_unmap((int64_t)(intptr_t)v, (int64_t)h.data_length);
    shmarray_close(fd);
    printf("CREATED %s\n", name);
    return 0;
}

static int check(const char *name) {
    shmarray_header h;
    int fd = shmarray_attach(name, 1, &h);
    if (fd < 0) {
        fprintf(stderr, "attach: %s\n", shmarray_strerror(fd));
        return 1;
    }
    if (h.dtype != SHMARRAY_DTYPE_INT32 || h.rank != 1 || h.shape[0] != 16) return 2;
    int32_t *v = map_data(fd, &h);
    if (v == NULL) return 1;
    for (int i = 0; i < 16; i++) {
        if (v[i] != i * 7) {
            fprintf(stderr, "v[%d] = %d, expected %d\n", i, v[i], i * 7);
            return 3;
        }
    }
    v[0] = 4242;
    shmarray_unmap((int64_t)(intptr_t)v, (int64_t)h.data_length);
    shmarray_close(fd);
    printf("CHECKED %s\n", name);
    return 0;
}

static int self_test(void) {
    char name[64];
    snprintf(name, sizeof name, "shmarray-consumer-%d", (int)getpid());
    int64_t shape[1] = {16};
    shmarray_header h;
    int fd = shmarray_create(name, SHMARRAY_DTYPE_INT32, 1, shape, 0, &h);
    if (fd < 0) {
        fprintf(stderr, "create: %s\n", shmarray_strerror(fd));
        return 1;
    }
    int32_t *a = map_data(fd, &h);
    int ok = a != NULL;
    if (ok) {
        a[15] = 42;
        int fd2 = shmarray_attach(name, 0, NULL);
        ok = fd2 >= 0;
        if (ok) {
            int64_t b = shmarray_map(fd2, (int64_t)h.data_offset, (int64_t)h.data_length,
                                     SHMARRAY_PROT_READ, SHMARRAY_MAP_SHARED);
            ok = b > 0 && ((const int32_t *)(intptr_t)b)[15] == 42;
            if (b > 0) shmarray_unmap(b, (int64_t)h.data_length);
            shmarray_close(fd2);
        }
        shmarray_unmap((int64_t)(intptr_t)a, (int64_t)h.data_length);
    }
    shmarray_close(fd);
    shmarray_unlink(name);
    printf("consumer: ABI %d, %s\n", shmarray_abi_version(), ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "create") == 0) return create(argv[2]);
    if (argc == 3 && strcmp(argv[1], "check") == 0) return check(argv[2]);
    if (argc == 1) return self_test();
    fprintf(stderr, "usage: consumer [create NAME | check NAME]\n");
    return 2;
}
