/* Creates, attaches, writes, reads and unlinks a segment through the installed library. */
#include <shmarray.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
    char name[64];
    snprintf(name, sizeof name, "shmarray-consumer-%d", (int)getpid());
    int64_t shape[1] = {16};
    shmarray_header h;
    int fd = shmarray_create(name, SHMARRAY_DTYPE_INT32, 1, shape, 0, &h);
    if (fd < 0) {
        fprintf(stderr, "create: %s\n", shmarray_strerror(fd));
        return 1;
    }
    int64_t a = shmarray_map(fd, (int64_t)h.data_offset, (int64_t)h.data_length,
                             SHMARRAY_PROT_READ | SHMARRAY_PROT_WRITE, SHMARRAY_MAP_SHARED);
    int ok = a > 0;
    if (ok) {
        ((int32_t *)(intptr_t)a)[15] = 42;
        int fd2 = shmarray_attach(name, 0, NULL);
        ok = fd2 >= 0;
        if (ok) {
            int64_t b = shmarray_map(fd2, (int64_t)h.data_offset, (int64_t)h.data_length,
                                     SHMARRAY_PROT_READ, SHMARRAY_MAP_SHARED);
            ok = b > 0 && ((const int32_t *)(intptr_t)b)[15] == 42;
            if (b > 0) shmarray_unmap(b, (int64_t)h.data_length);
            shmarray_close(fd2);
        }
        shmarray_unmap(a, (int64_t)h.data_length);
    }
    shmarray_close(fd);
    shmarray_unlink(name);
    printf("consumer: ABI %d, %s\n", shmarray_abi_version(), ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
