// Does the MLP's first layer gain from skipping the zero pixels of Fashion-MNIST? Half of the
// input values are exactly 0 (0.502 of the training set's), so x·W and Xᵀ·dZ need about half
// the multiply-adds. Compared here, one thread, milliseconds per training step at batch 256,
// with oneDNN matmul as the engine calls it (`gemm:jit`, 8 chunks of 32 rows; 8 slices of 98
// rows of Xᵀ·dZ) on a real batch (images 2048..2303 of the training set, scaled to [0, 1]):
// - forward: per input row, the list of its nonzero (column, value) pairs (AVX2 compares and a
//   permutation table, no branches); W packed in panels of 64 columns, K in blocks of 96 so a
//   panel's block stays in L1; per nonzero one broadcast and 8 FMAs into a row's 64 outputs.
// - weight gradient: X transposed (16×16 tiles), its features in groups of 4, per group the list
//   of batch rows with a nonzero among the 4; dZ packed in panels of 24 columns; per listed row
//   3 loads, 4 broadcasts, 12 FMAs into a 4×24 tile of dW (AVX2's 16 registers allow no more).
// "pack and lists" is the part of the sparse time spent packing, transposing and listing.
//   gcc -O3 -o /tmp/sfl bench/probes/sparse_first_layer.c -ldnnl -lz -lm
//   ONEDNN_MAX_CPU_ISA=AVX2 OMP_NUM_THREADS=1 /tmp/sfl
#include <dnnl.h>
#include <immintrin.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

enum { B = 256, K = 784, N = 300, CH = 32 };
static float X[B * K], W[K * N], DZ[B * N], Zd[B * N], Zs[B * N], Gd[K * N], Gs[K * N];
static int listsOnly;  // when set, the sparse passes pack and list, and stop before the FMAs

#include "onednn_matmul.h"

// ---- sparse forward
#define PW 64
#define NP ((N + PW - 1) / PW)
#define KB 96
#define NKB ((K + KB - 1) / KB)
static float Wp[NP][K][PW] __attribute__((aligned(64)));
static int idx[CH * K + 8], start[CH][NKB + 1];
static unsigned long long lut[256];
static void makeLut(void) { for (int m = 0; m < 256; m++) { unsigned long long e = 0; int n = 0; for (int i = 0; i < 8; i++) if (m >> i & 1) e |= (unsigned long long)i << (8 * n++); lut[m] = e; } }
static float val[CH * K + 8];
static float acc[CH][PW] __attribute__((aligned(64)));

static void packW(void) {
    memset(Wp, 0, sizeof Wp);
    for (int p = 0; p < NP; p++) {
        int w = (p + 1) * PW <= N ? PW : N - p * PW;
        for (int k = 0; k < K; k++) memcpy(Wp[p][k], W + k * N + p * PW, w * 4);
    }
}

__attribute__((target("avx2,fma")))
static void forwardChunk(const float *x, float *z) {
    int t = 0;
    for (int r = 0; r < CH; r++) {
        const float *xr = x + r * K;
        for (int kb = 0; kb < NKB; kb++) {
            start[r][kb] = t;
            int k1 = (kb + 1) * KB < K ? (kb + 1) * KB : K;
            int k = kb * KB;
            for (; k + 8 <= k1; k += 8) {
                __m256 v = _mm256_loadu_ps(xr + k);
                int m = _mm256_movemask_ps(_mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_NEQ_UQ));
                __m256i perm = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)&lut[m]));
                _mm256_storeu_si256((__m256i *)(idx + t), _mm256_add_epi32(perm, _mm256_set1_epi32(k)));
                _mm256_storeu_ps(val + t, _mm256_permutevar8x32_ps(v, perm));
                t += __builtin_popcount(m);
            }
            for (; k < k1; k++) { idx[t] = k; val[t] = xr[k]; t += xr[k] != 0; }
        }
        start[r][NKB] = t;
    }
    if (listsOnly) return;
    for (int p = 0; p < NP; p++) {
        int w = (p + 1) * PW <= N ? PW : N - p * PW;
        for (int kb = 0; kb < NKB; kb++)
            for (int r = 0; r < CH; r++) {
                float *s = acc[r];
                __m256 a[8];
                for (int j = 0; j < 8; j++) a[j] = kb ? _mm256_load_ps(s + 8 * j) : _mm256_setzero_ps();
                for (int i = start[r][kb]; i < start[r][kb + 1]; i++) {
                    const float *q = Wp[p][idx[i]];
                    __m256 v = _mm256_broadcast_ss(&val[i]);
                    for (int j = 0; j < 8; j++) a[j] = _mm256_fmadd_ps(v, _mm256_load_ps(q + 8 * j), a[j]);
                }
                for (int j = 0; j < 8; j++) _mm256_store_ps(s + 8 * j, a[j]);
            }
        for (int r = 0; r < CH; r++) memcpy(z + r * N + p * PW, acc[r], w * 4);
    }
}

// ---- sparse weight gradient
#define GP 24
#define NG ((N + GP - 1) / GP)
static float Dp[NG][B][GP] __attribute__((aligned(64)));
static int nrows[K / 4];

static void packDZ(void) {
    memset(Dp, 0, sizeof Dp);
    for (int p = 0; p < NG; p++) {
        int w = (p + 1) * GP <= N ? GP : N - p * GP;
        for (int b = 0; b < B; b++) memcpy(Dp[p][b], DZ + b * N + p * GP, w * 4);
    }
}

static float Xt[K][B] __attribute__((aligned(64)));
static int rowIdx[K / 4][B + 8];
static void transposeX(void) {
    for (int b0 = 0; b0 < B; b0 += 16) for (int k0 = 0; k0 < K; k0 += 16)
        for (int k = k0; k < k0 + 16 && k < K; k++) for (int b = b0; b < b0 + 16; b++) Xt[k][b] = X[b * K + k];
}

// dW[k0..k1) = X[:, k0..k1)ᵀ·dZ; k0 and k1 multiples of 4.
__attribute__((target("avx2,fma")))
static void gradientSlice(int k0, int k1, float *g) {
    for (int q = k0 / 4; q < k1 / 4; q++) {
        int c = 0;
        const float *x0 = Xt[q * 4], *x1 = Xt[q * 4 + 1], *x2 = Xt[q * 4 + 2], *x3 = Xt[q * 4 + 3];
        for (int b = 0; b < B; b += 8) {
            __m256 any = _mm256_or_ps(_mm256_or_ps(_mm256_loadu_ps(x0 + b), _mm256_loadu_ps(x1 + b)),
                                      _mm256_or_ps(_mm256_loadu_ps(x2 + b), _mm256_loadu_ps(x3 + b)));
            int m = _mm256_movemask_ps(_mm256_cmp_ps(any, _mm256_setzero_ps(), _CMP_NEQ_UQ));
            __m256i perm = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)&lut[m]));
            _mm256_storeu_si256((__m256i *)(rowIdx[q] + c), _mm256_add_epi32(perm, _mm256_set1_epi32(b)));
            c += __builtin_popcount(m);
        }
        nrows[q] = c;
    }
    if (listsOnly) return;
    float tmp[GP] __attribute__((aligned(32)));
    for (int p = 0; p < NG; p++) {
        int w = (p + 1) * GP <= N ? GP : N - p * GP;
        for (int q = k0 / 4; q < k1 / 4; q++) {
            __m256 c00 = _mm256_setzero_ps(), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00,
                   c20 = c00, c21 = c00, c22 = c00, c30 = c00, c31 = c00, c32 = c00;
            const float *x0 = Xt[q * 4], *x1 = Xt[q * 4 + 1], *x2 = Xt[q * 4 + 2], *x3 = Xt[q * 4 + 3];
            const int *rl = rowIdx[q];
            for (int t = 0; t < nrows[q]; t++) {
                int b = rl[t];
                const float *d = Dp[p][b];
                __m256 d0 = _mm256_load_ps(d), d1 = _mm256_load_ps(d + 8), d2 = _mm256_load_ps(d + 16);
#define ROW(i) { __m256 v = _mm256_broadcast_ss(x##i + b); c##i##0 = _mm256_fmadd_ps(v, d0, c##i##0); \
                 c##i##1 = _mm256_fmadd_ps(v, d1, c##i##1); c##i##2 = _mm256_fmadd_ps(v, d2, c##i##2); }
                ROW(0) ROW(1) ROW(2) ROW(3)
            }
#define OUT(i) _mm256_store_ps(tmp, c##i##0); _mm256_store_ps(tmp + 8, c##i##1); _mm256_store_ps(tmp + 16, c##i##2); \
               memcpy(g + (q * 4 + i) * N + p * GP, tmp, w * 4);
            OUT(0) OUT(1) OUT(2) OUT(3)
        }
    }
}

static void load(void) {
    gzFile f = gzopen("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz", "rb");
    if (!f) { printf("no /usr/share/datasets/fashion-mnist (Debian dataset-fashion-mnist)\n"); exit(1); }
    unsigned char h[16], *px = malloc(B * K);
    gzread(f, h, 16);
    for (int skip = 0; skip < 8; skip++) gzread(f, px, B * K);
    gzclose(f);
    long zeros = 0;
    for (int j = 0; j < B * K; j++) { X[j] = px[j] / 255.0f; zeros += px[j] == 0; }
    printf("zero inputs in this batch: %.3f\n", (double)zeros / (B * K));
    srand(1);
    for (int j = 0; j < K * N; j++) W[j] = (rand() / (float)RAND_MAX - 0.5f) * 0.1f;
    for (int j = 0; j < B * N; j++) DZ[j] = (rand() / (float)RAND_MAX - 0.5f) * 0.01f;
}

static double maxRelative(const float *a, const float *b, int n) {
    double m = 0, s = 0;
    for (int i = 0; i < n; i++) { m = fmax(m, fabs(a[i] - b[i])); s = fmax(s, fabs(a[i])); }
    return m / s;
}

static void sparseForward(void) { packW(); for (int c = 0; c < B / CH; c++) forwardChunk(X + c * CH * K, Zs + c * CH * N); }
static void sparseGradient(void) { packDZ(); transposeX(); for (int c = 0; c < 8; c++) gradientSlice(c * 98 / 4 * 4, c == 7 ? K : (c + 1) * 98 / 4 * 4, Gs); }

// best of 200
#define BEST(var, body) { var = 1e9; for (int rep = 0; rep < 200; rep++) { double t0 = now(); body; double t = now() - t0; if (t < var) var = t; } }

int main(void) {
    load(); makeLut();
    product f = make(0, CH, N, K, K, N, N), g = make(1, 98, N, B, K, N, N);
    printf("oneDNN: forward %s, weight gradient %s\n", f.impl, g.impl);
    for (int round = 0; round < 3; round++) {
        double fd, fs, fl, gd, gs, gl;
        BEST(fd, for (int c = 0; c < B / CH; c++) run(&f, X + c * CH * K, W, Zd + c * CH * N))
        BEST(fs, sparseForward())
        BEST(gd, for (int c = 0; c < 8; c++) run(&g, X + c * 98, DZ, Gd + c * 98 * N))
        BEST(gs, sparseGradient())
        listsOnly = 1;
        BEST(fl, sparseForward())
        BEST(gl, sparseGradient())
        listsOnly = 0;
        printf("forward: oneDNN %.3f ms, sparse %.3f ms (pack and lists %.3f) = %.2fx;  "
               "weight gradient: oneDNN %.3f ms, sparse %.3f ms (pack and lists %.3f) = %.2fx;  max relative difference %.1g, %.1g\n",
               fd * 1e3, fs * 1e3, fl * 1e3, fd / fs, gd * 1e3, gs * 1e3, gl * 1e3, gd / gs,
               maxRelative(Zd, Zs, B * N), maxRelative(Gd, Gs, K * N));
    }
}
