/*
 * Memory bandwidth over a 1 GiB buffer of doubles, 1 and 2 threads: the physical limit the Java
 * kernels are compared with. Prints TSV rows: workload, implementation, metric, value, unit.
 *   bandwidth [MiB]     (default 1024)
 * Metrics: first-touch write (cold: fresh pages), then warm read (sum) and warm write (fill),
 * median of 5 passes each.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static double *buf;
static size_t n;
static volatile double sink;

typedef struct { size_t from, to; int write; double result; } job;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void *work(void *arg) {
    job *j = arg;
    if (j->write) {
        for (size_t i = j->from; i < j->to; i++) buf[i] = (double)i;
        j->result = 0;
    } else {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        size_t i = j->from;
        for (; i + 4 <= j->to; i += 4) {
            s0 += buf[i];
            s1 += buf[i + 1];
            s2 += buf[i + 2];
            s3 += buf[i + 3];
        }
        for (; i < j->to; i++) s0 += buf[i];
        j->result = s0 + s1 + s2 + s3;
    }
    return NULL;
}

static double pass(int threads, int write) {
    pthread_t t[2];
    job j[2];
    double start = now();
    for (int k = 0; k < threads; k++) {
        j[k].from = n * k / threads;
        j[k].to = n * (k + 1) / threads;
        j[k].write = write;
        pthread_create(&t[k], NULL, work, &j[k]);
    }
    double s = 0;
    for (int k = 0; k < threads; k++) {
        pthread_join(t[k], NULL);
        s += j[k].result;
    }
    sink = s;
    return now() - start;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(int threads, int write) {
    double t[5];
    for (int r = 0; r < 5; r++) t[r] = pass(threads, write);
    qsort(t, 5, sizeof t[0], cmp);
    return t[2];
}

int main(int argc, char **argv) {
    size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 1024;
    size_t bytes = mib << 20;
    n = bytes / sizeof(double);
    buf = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    double gb = bytes / 1e9;
    printf("bandwidth\tc\tfirst_touch_write_1t\t%.3f\tGB/s\n", gb / pass(1, 1));
    for (int threads = 1; threads <= 2; threads++) {
        printf("bandwidth\tc\tread_%dt\t%.3f\tGB/s\n", threads, gb / median(threads, 0));
        printf("bandwidth\tc\twrite_%dt\t%.3f\tGB/s\n", threads, gb / median(threads, 1));
    }
    munmap(buf, bytes);
    return 0;
}
