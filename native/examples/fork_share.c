/*
 * Seed scenario 8: shared memory that survives fork(), then a Java process attaches by name.
 *
 *   shmarray-fork-example NAME          create NAME (int64[1000]), fork; the child writes
 *                                       v[i] = i*i and exits; the parent checks every value, prints
 *                                       "READY NAME", waits for a line on stdin (a Java process
 *                                       attaches meanwhile and sets v[0] = -1), checks v[0] == -1,
 *                                       removes NAME and exits 0
 *   shmarray-fork-example NAME --alone  the same without waiting for Java (ctest)
 *
 * The mapping is MAP_SHARED, so the forked child writes into the very pages the parent sees.
 * Exit status: 0 ok, 1 a call failed, 3 a value was wrong, 2 usage.
 */
#include <shmarray.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define N 1000

int main(int argc, char **argv) {
    if (argc < 2 || (argc == 3 && strcmp(argv[2], "--alone") != 0) || argc > 3) {
        fprintf(stderr, "usage: %s NAME [--alone]\n", argv[0]);
        return 2;
    }
    const char *name = argv[1];
    int alone = argc == 3;
    int64_t shape[1] = {N};
    shmarray_header h;
    int fd = shmarray_create(name, SHMARRAY_DTYPE_INT64, 1, shape, 0, &h);
    if (fd < 0) {
        fprintf(stderr, "create %s: %s\n", name, shmarray_strerror(fd));
        return 1;
    }
    int64_t addr = shmarray_map(fd, (int64_t)h.data_offset, (int64_t)h.data_length,
                                SHMARRAY_PROT_READ | SHMARRAY_PROT_WRITE, SHMARRAY_MAP_SHARED);
    if (addr <= 0) {
        fprintf(stderr, "map: %s\n", shmarray_strerror((int32_t)addr));
        shmarray_unlink(name);
        return 1;
    }
    int64_t *v = (int64_t *)(intptr_t)addr;
    int status = 0;

    fflush(stdout);
    pid_t child = fork();
    if (child < 0) {
        perror("fork");
        shmarray_unlink(name);
        return 1;
    }
    if (child == 0) { /* the child: same mapping, inherited */
        for (int i = 0; i < N; i++) v[i] = (int64_t)i * i;
        printf("C child  (pid %d): wrote v[i] = i*i into the inherited MAP_SHARED mapping\n", (int)getpid());
        fflush(stdout);
        _exit(0);
    }
    int ws;
    if (waitpid(child, &ws, 0) != child || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
        fprintf(stderr, "the child failed\n");
        shmarray_unlink(name);
        return 1;
    }
    for (int i = 0; i < N; i++) {
        if (v[i] != (int64_t)i * i) {
            fprintf(stderr, "v[%d] = %lld, expected %lld\n", i, (long long)v[i], (long long)i * i);
            status = 3;
        }
    }
    if (status == 0) {
        printf("C parent (pid %d): sees all %d values the child wrote (v[999] = %lld)\n", (int)getpid(), N,
               (long long)v[N - 1]);
    }
    printf("READY %s\n", name);
    fflush(stdout);
    if (!alone && status == 0) {
        char line[64];
        if (fgets(line, sizeof line, stdin) == NULL) {
            fprintf(stderr, "stdin closed before the Java side said it was done\n");
            status = 1;
        } else if (v[0] != -1) {
            fprintf(stderr, "v[0] = %lld, expected -1 written by Java\n", (long long)v[0]);
            status = 3;
        } else {
            printf("C parent: sees v[0] = -1, written by the Java process\n");
        }
    }
    shmarray_unmap(addr, (int64_t)h.data_length);
    shmarray_close(fd);
    shmarray_unlink(name);
    return status;
}
