// The MLP's matrix products (784-300-100-10, batch 256) through oneDNN matmul as the engine's
// MatmulPlan makes them, milliseconds per training step of the products named, one thread:
// the first layer's forward in row chunks of 32, 64, 128 and 256, and its weight gradient as
// 98-row slices of Xᵀ·dZ (the engine's split) or as column slices with the whole Xᵀ. Each line
// is followed by the same products through OpenBLAS's sgemm (one thread; its kernel named).
//   gcc -O2 -I/usr/include/x86_64-linux-gnu/openblas-pthread -o /tmp/mlpp bench/probes/mlp_products.c -ldnnl -lopenblas
//   OMP_NUM_THREADS=1 /tmp/mlpp; ONEDNN_MAX_CPU_ISA=AVX2 OMP_NUM_THREADS=1 /tmp/mlpp
// (OpenBLAS's kernel: the environment's OPENBLAS_CORETYPE, or unset it in the command: env -u ...)
#include <cblas.h>
#include <dnnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

#include "onednn_matmul.h"

static float *C;
extern void openblas_set_num_threads(int);
extern char *openblas_get_corename(void);

// One step: `calls` products, the ith at a + i·astep, b + i·bstep, C + i·cstep, through oneDNN (`p`) or OpenBLAS.
static void step(int blas, product *p, int ta, long m, long n, long k, long lda, long ldb, long ldc, int calls,
                 const float *a, long astep, const float *b, long bstep, long cstep) {
    for (int i = 0; i < calls; i++) {
        if (blas)
            cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a + i * astep, lda,
                        b + i * bstep, ldb, 0.0f, C + i * cstep, ldc);
        else
            run(p, a + i * astep, b + i * bstep, C + i * cstep);
    }
}

// The step through oneDNN, then through OpenBLAS, each warmed up by 20 steps: best of 5 × 300 steps.
static void bench(const char *name, int ta, long m, long n, long k, long lda, long ldb, long ldc, int calls,
                  const float *a, long astep, const float *b, long bstep, long cstep) {
    product p = make(ta, m, n, k, lda, ldb, ldc);
    for (int blas = 0; blas < 2; blas++) {
        for (int r = 0; r < 20; r++) step(blas, &p, ta, m, n, k, lda, ldb, ldc, calls, a, astep, b, bstep, cstep);
        double best = 1e9;
        for (int rep = 0; rep < 5; rep++) {
            double t0 = now();
            for (int r = 0; r < 300; r++) step(blas, &p, ta, m, n, k, lda, ldb, ldc, calls, a, astep, b, bstep, cstep);
            double t = (now() - t0) / 300;
            if (t < best) best = t;
        }
        printf("%-40s %-16s %7.4f ms/step %5.0f GFLOP/s\n", blas ? "" : name, blas ? openblas_get_corename() : p.impl,
               best * 1e3, 2.0 * m * n * k * calls / best / 1e9);
    }
}

int main(void) {
    openblas_set_num_threads(1);
    long B = 256, K = 784, N = 300;
    float *x = malloc(B * K * 4), *w = malloc(K * N * 4), *dz = malloc(B * N * 4);
    C = malloc(K * N * 4);
    for (long j = 0; j < B * K; j++) x[j] = (j % 97) * 0.01f;
    for (long j = 0; j < K * N; j++) w[j] = (j % 89) * 0.01f;
    for (long j = 0; j < B * N; j++) dz[j] = (j % 83) * 0.01f;
    bench("forward, 8 chunks of 32 rows", 0, 32, N, K, K, N, N, 8, x, 32 * K, w, 0, 32 * N);
    bench("forward, 4 chunks of 64 rows", 0, 64, N, K, K, N, N, 4, x, 64 * K, w, 0, 64 * N);
    bench("forward, 2 chunks of 128 rows", 0, 128, N, K, K, N, N, 2, x, 128 * K, w, 0, 128 * N);
    bench("forward, 256 rows", 0, 256, N, K, K, N, N, 1, x, 0, w, 0, 0);
    bench("weight gradient, 8 row slices of 98", 1, 98, N, B, K, N, N, 8, x, 98, dz, 0, 98 * N);
    bench("weight gradient, 4 column slices of 75", 1, K, 75, B, K, N, N, 4, x, 0, dz, 75, 75);
    bench("weight gradient, whole", 1, K, N, B, K, N, N, 1, x, 0, dz, 0, 0);
    return 0;
}
