// How long a parked thread takes to wake on this machine, against one that spins.
//
// The main thread works for GAP microseconds (long enough for the other vCPU to go idle and
// halt), stamps the clock and wakes the other thread; that one stamps again when it runs.
// Mode 0: the waiter sleeps in futex(2), as Dispatch's idle workers do. Mode 1: it spins.
//   gcc -O2 -pthread -o /tmp/wake bench/probes/wake.c && /tmp/wake 0 700 && /tmp/wake 1 700
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum { ROUNDS = 4000 };
static atomic_int word;
static atomic_long stamp;
static long latency[ROUNDS];
static int spins;

static long now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

static void *waiter(void *arg) {
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        int want = i + 1;
        while (atomic_load(&word) < want) {
            if (spins) __builtin_ia32_pause();
            else syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, want - 1, 0, 0, 0);
        }
        latency[i] = now() - atomic_load(&stamp);
    }
    return 0;
}

static int ascending(const void *a, const void *b) {
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: wake 0|1 GAP_MICROSECONDS (0: futex, 1: spin)\n");
        return 2;
    }
    spins = atoi(argv[1]);
    long gap = atol(argv[2]) * 1000;
    pthread_t t;
    pthread_create(&t, 0, waiter, 0);
    for (int i = 0; i < ROUNDS; i++) {
        long start = now();
        while (now() - start < gap) {}
        atomic_store(&stamp, now());
        atomic_fetch_add(&word, 1);
        if (!spins) syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, 0, 0, 0);
    }
    pthread_join(t, 0);
    double sum = 0;
    for (int i = 0; i < ROUNDS; i++) sum += latency[i];
    qsort(latency, ROUNDS, sizeof latency[0], ascending);
    printf("%s, gap %ld us: median %.1f us, p90 %.1f, mean %.1f\n", spins ? "spin" : "futex", gap / 1000,
           latency[ROUNDS / 2] / 1e3, latency[ROUNDS * 9 / 10] / 1e3, sum / ROUNDS / 1e3);
    return 0;
}
