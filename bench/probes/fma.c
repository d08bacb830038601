// How much a second thread gives compute-bound code on this machine: independent AVX-512
// FMAs (no memory traffic), once on one thread, then on two at once.
//   gcc -O1 -o /tmp/fma bench/probes/fma.c -lpthread && /tmp/fma
// Scaling near 2.0 means two real cores; near 1.0-1.5, cores that share execution units.
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

__attribute__((target("avx512f"), noinline)) void *work(void *arg) {
    __m512 a[8];
    for (int i = 0; i < 8; i++) a[i] = _mm512_set1_ps(1.0f + i * 1e-7f);
    __m512 b = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-7f);
    for (long it = 0; it < 200000000L; it++)
        for (int i = 0; i < 8; i++) a[i] = _mm512_fmadd_ps(a[i], b, c);
    float s = 0;
    for (int i = 0; i < 8; i++) s += _mm512_reduce_add_ps(a[i]);
    *(float *)arg = s;
    return 0;
}

int main(void) {
    static volatile float out;
    float r1, r2;
    double t = now();
    work(&r1);
    double t1 = now() - t;
    out = r1;
    pthread_t th;
    t = now();
    pthread_create(&th, 0, work, &r2);
    work(&r1);
    pthread_join(th, 0);
    double t2 = now() - t;
    out = r1 + r2;
    printf("1 thread %.2f s, 2 threads %.2f s -> scaling %.2f\n", t1, t2, 2 * t1 / t2);
    return 0;
}
