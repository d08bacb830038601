// How much a second thread gives compute-bound code on this machine, and the FMA peak per core:
// independent FMAs on 12 accumulators held in registers (no memory traffic), once on one thread,
// then on two at once. AVX-512 where the CPU has it, else AVX2 (the widest the CPU runs).
//   gcc -O2 -o /tmp/fma bench/probes/fma.c -lpthread && /tmp/fma
// Scaling near 2.0 means two real cores; near 1.0-1.5, cores that share execution units.
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

enum { ITERATIONS = 200000000, ACCUMULATORS = 12 };
volatile float sink;  // the results go here, so that the work is kept

// The body for one vector type: 12 named accumulators, so that the compiler keeps them in registers.
#define FMA_LOOP(V, SET1, FMADD)                                                                   \
    V a0 = SET1(1.0f), a1 = SET1(1.1f), a2 = SET1(1.2f), a3 = SET1(1.3f), a4 = SET1(1.4f),            \
      a5 = SET1(1.5f), a6 = SET1(1.6f), a7 = SET1(1.7f), a8 = SET1(1.8f), a9 = SET1(1.9f),            \
      a10 = SET1(2.0f), a11 = SET1(2.1f), b = SET1(0.999999f), c = SET1(1e-7f);                      \
    for (long i = 0; i < ITERATIONS; i++) {                                                        \
        a0 = FMADD(a0, b, c); a1 = FMADD(a1, b, c); a2 = FMADD(a2, b, c); a3 = FMADD(a3, b, c);      \
        a4 = FMADD(a4, b, c); a5 = FMADD(a5, b, c); a6 = FMADD(a6, b, c); a7 = FMADD(a7, b, c);      \
        a8 = FMADD(a8, b, c); a9 = FMADD(a9, b, c); a10 = FMADD(a10, b, c); a11 = FMADD(a11, b, c);  \
    }                                                                                              \
    V s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;                              \
    float r = 0;                                                                                   \
    for (unsigned j = 0; j < sizeof s / sizeof(float); j++) r += s[j];                            \
    *(float *)arg = r;                                                                             \
    return 0;

__attribute__((target("avx512f"), noinline)) static void *work512(void *arg) {
    FMA_LOOP(__m512, _mm512_set1_ps, _mm512_fmadd_ps)
}
__attribute__((target("avx2,fma"), noinline)) static void *work256(void *arg) {
    FMA_LOOP(__m256, _mm256_set1_ps, _mm256_fmadd_ps)
}

int main(void) {
    int wide = __builtin_cpu_supports("avx512f");
    void *(*work)(void *) = wide ? work512 : work256;
    double flops = 2.0 * ITERATIONS * ACCUMULATORS * (wide ? 16 : 8);
    float r1, r2;
    double t = now();
    work(&r1);
    double t1 = now() - t;
    pthread_t th;
    t = now();
    pthread_create(&th, 0, work, &r2);
    work(&r1);
    pthread_join(th, 0);
    double t2 = now() - t;
    sink = r1 + r2;
    printf("%s: 1 thread %.2f s (%.1f GFLOP/s), 2 threads %.2f s (%.1f GFLOP/s each) -> scaling %.2f\n",
           wide ? "AVX-512" : "AVX2", t1, flops / t1 / 1e9, t2, flops / t2 / 1e9, 2 * t1 / t2);
    return 0;
}
