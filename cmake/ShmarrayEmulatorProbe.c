/*
 * What an emulator (qemu-user) provides of the kernel features the C tests rely on. Built and run
 * at configure time by cmake/ShmarrayCross.cmake (under the CMAKE_CROSSCOMPILING_EMULATOR it found);
 * prints one line per feature, "<feature>=1" or "<feature>=0 <why>":
 *
 *   robust_futex  set_robust_list/get_robust_list exist, so a robust mutex held by a process that
 *                 dies is released with EOWNERDEAD (qemu-user answers ENOSYS: the lock stays held)
 *   subreaper     prctl(PR_SET_CHILD_SUBREAPER) works (qemu-user 7.2 answers EINVAL)
 *   proc_stat     a process's own /proc/self/stat start time (field 22) equals what the kernel shows
 *                 to other processes (qemu-user synthesizes it; a forked child reports its parent's)
 *   exec          a target process can execve another target binary (qemu-user without a
 *                 binfmt_misc handler: ENOEXEC)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Field 22 (start time) of /proc/PID/stat, or -1. */
static long long start_time(int pid) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (f == NULL) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    if (p == NULL) return -1;
    p++; /* the space before field 3 */
    for (int field = 3; field < 22; field++)
        if ((p = strchr(p + 1, ' ')) == NULL) return -1;
    return strtoll(p + 1, NULL, 10);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--exec-child") == 0) return 42;

    void *head;
    size_t len;
    if (syscall(SYS_get_robust_list, 0, &head, &len) == 0) printf("robust_futex=1\n");
    else printf("robust_futex=0 get_robust_list: %s\n", strerror(errno));

    if (prctl(PR_SET_CHILD_SUBREAPER, 1) == 0) printf("subreaper=1\n");
    else printf("subreaper=0 prctl: %s\n", strerror(errno));
    fflush(stdout);

    /* Let a few clock ticks pass, so a child's start time differs from ours. */
    long long self_seen = start_time(getpid());
    usleep(60000);
    int fds[2];
    if (pipe(fds) != 0) return 1;
    pid_t child = fork();
    if (child < 0) return 1;
    if (child == 0) {
        long long v[2] = {start_time(getpid()), start_time(getppid())};
        (void)!write(fds[1], v, sizeof v);
        _exit(0);
    }
    long long v[2] = {-1, -1};
    (void)!read(fds[0], v, sizeof v);
    long long child_real = start_time(child);
    waitpid(child, NULL, 0);
    if (v[0] == child_real && self_seen == v[1]) printf("proc_stat=1\n");
    else
        printf("proc_stat=0 synthesized: a process reads %lld for itself where others read %lld,"
               " a forked child %lld where its parent reads %lld\n",
               self_seen, v[1], v[0], child_real);
    fflush(stdout);

    child = fork();
    if (child < 0) return 1;
    if (child == 0) {
        execl(argv[0], argv[0], "--exec-child", (char *)NULL);
        printf("exec=0 execve: %s, no binfmt_misc handler for target programs\n", strerror(errno));
        fflush(stdout);
        _exit(1);
    }
    int status = 0;
    waitpid(child, &status, 0);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 42) printf("exec=1\n");
    return 0;
}
