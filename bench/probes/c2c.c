// How long a cache line takes to go from one vCPU to the other and back: two threads pinned to
// CPUs 0 and 1 pass a counter in one line, 2 million round trips.
//   gcc -O2 -o /tmp/c2c bench/probes/c2c.c -lpthread && /tmp/c2c
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

enum { ROUND_TRIPS = 2000000 };
static _Alignas(64) atomic_int counter;

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

static void pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

// Waits for the odd values and answers with the next even one.
static void *answer(void *unused) {
    (void)unused;
    pin(1);
    for (int i = 0; i < ROUND_TRIPS; i++) {
        while (atomic_load_explicit(&counter, memory_order_acquire) != 2 * i + 1) {}
        atomic_store_explicit(&counter, 2 * i + 2, memory_order_release);
    }
    return 0;
}

int main(void) {
    pthread_t other;
    pin(0);
    pthread_create(&other, 0, answer, 0);
    double t = now();
    for (int i = 0; i < ROUND_TRIPS; i++) {
        atomic_store_explicit(&counter, 2 * i + 1, memory_order_release);
        while (atomic_load_explicit(&counter, memory_order_acquire) != 2 * i + 2) {}
    }
    double seconds = now() - t;
    pthread_join(other, 0);
    printf("round trip %.1f ns (one way %.1f ns)\n", seconds / ROUND_TRIPS * 1e9, seconds / ROUND_TRIPS / 2 * 1e9);
    return 0;
}
