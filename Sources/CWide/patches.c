// The patch matrix (im2col) of a one-channel convolution on AVX-512 (see CWide.h and README.md).
#include "CWide.h"
#include <stdlib.h>

#if defined(__x86_64__)
#include <immintrin.h>

// Swift's fill writes each window offset's column of the matrix in turn: nine scalar stores
// 36 bytes apart per output. Here each output row's window rows are first copied, zero-padded,
// into a small buffer that stays in L1, and the matrix rows are then written front to back,
// sixteen values per gather from that buffer (a fixed index pattern per output row).
__attribute__((target("avx512f")))
static void patches16(const cwide_window *g, const float *x, float *p, float *rows, int *index) {
    const long KH = g->kernelH, KW = g->kernelW, size = KH * KW, OW = g->outWidth, OH = g->outHeight;
    const long H = g->height, W = g->width, sh = g->strideH, sw = g->strideW;
    const long PW = (OW - 1) * sw + KW, total = OW * size;
    for (long e = 0; e < total; e++) {
        long ow = e / size, r = e % size;
        index[e] = (int)((r / KW) * PW + ow * sw + r % KW);
    }
    for (long n = 0; n < g->batch; n++) for (long oh = 0; oh < OH; oh++) {
        for (long i = 0; i < KH; i++) {
            const long ih = oh * sh - g->padTop + i;
            float *row = rows + i * PW;
            if (ih < 0 || ih >= H) { for (long u = 0; u < PW; u++) row[u] = 0; continue; }
            const float *src = x + (n * H + ih) * W;
            for (long u = 0; u < PW; u++) {
                const long iw = u - g->padLeft;
                row[u] = iw >= 0 && iw < W ? src[iw] : 0;
            }
        }
        float *dst = p + (n * OH + oh) * total;
        for (long e0 = 0; e0 < total; e0 += 16) {
            __mmask16 m = total - e0 >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (total - e0)) - 1);
            __m512i at = _mm512_maskz_loadu_epi32(m, index + e0);
            _mm512_mask_storeu_ps(dst + e0, m, _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, at, rows, 4));
        }
    }
}

bool cwide_patches_gray(const cwide_window *g, const float *x, float *p) {
    if (g->channels != 1 || !cwide_avx512()) return false;
    const long PW = (g->outWidth - 1) * g->strideW + g->kernelW, total = g->outWidth * g->kernelH * g->kernelW;
    if (g->kernelH * PW > (1l << 30)) return false;   // gather indices are 32-bit
    float *rows = malloc(sizeof(float) * g->kernelH * PW);
    int *index = malloc(sizeof(int) * total);
    if (!rows || !index) { free(rows); free(index); return false; }
    patches16(g, x, p, rows, index);
    free(rows);
    free(index);
    return true;
}

#else

bool cwide_patches_gray(const cwide_window *g, const float *x, float *p) { return false; }

#endif
