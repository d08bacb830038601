// Winograd F(4x4, 3x3) transforms over NHWC on AVX2 for the engine (see CWide.h and README.md).
//
// A 3x3 stride-1 convolution computes each 4x4 block of outputs (a tile) from the 6x6 input
// block under it. Winograd's minimal filtering algorithm (Lavin and Gray, "Fast Algorithms for
// Convolutional Neural Networks", 2015) writes it as Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A: the input
// tile and the kernel each transformed into 36 values, multiplied pointwise (summed over input
// channels: 36 matrix products, one per point), transformed back. 36 multiplications per tile
// and channel pair instead of 144. The matrices:
//
//   Bᵀ = | 4  0 -5  0  1  0 |   G = |  1/4     0     0  |   Aᵀ = | 1  1  1  1  1  0 |
//        | 0 -4 -4  1  1  0 |       | -1/6  -1/6  -1/6  |        | 0  1 -1  2 -2  0 |
//        | 0  4 -4 -1  1  0 |       | -1/6   1/6  -1/6  |        | 0  1  1  4  4  0 |
//        | 0 -2 -1  2  1  0 |       |  1/24  1/12  1/6  |        | 0  1 -1  8 -8  1 |
//        | 0  2 -1 -2  1  0 |       |  1/24 -1/12  1/6  |
//        | 0  4  0 -5  0  1 |       |  0     0     1    |
//
// Every function here computes 8 channels at a time with multiplies and adds in a fixed order
// (no fused multiply-add: CWide is compiled with -ffp-contract=off), so a value's bits do not
// depend on the CPU or on which thread computes it.
#include "CWide.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define AVX2 __attribute__((target("avx2")))
typedef __m256 v8;

#define ADD _mm256_add_ps
#define SUB _mm256_sub_ps
#define MUL _mm256_mul_ps
#define SET _mm256_set1_ps

// Bᵀ d for six values d (one column or row of a tile).
AVX2 static inline void input6(const v8 d[6], v8 r[6]) {
    const v8 two = SET(2), four = SET(4), five = SET(5);
    v8 t1 = SUB(d[4], MUL(four, d[2])), t2 = SUB(d[3], MUL(four, d[1]));
    v8 t3 = SUB(d[4], d[2]), t4 = MUL(two, SUB(d[3], d[1]));
    r[0] = ADD(SUB(MUL(four, d[0]), MUL(five, d[2])), d[4]);
    r[1] = ADD(t1, t2);
    r[2] = SUB(t1, t2);
    r[3] = ADD(t3, t4);
    r[4] = SUB(t3, t4);
    r[5] = ADD(SUB(MUL(four, d[1]), MUL(five, d[3])), d[5]);
}

// Aᵀ m for six values m: four outputs.
AVX2 static inline void output6(const v8 m[6], v8 y[4]) {
    v8 a = ADD(m[1], m[2]), b = SUB(m[1], m[2]), c = ADD(m[3], m[4]), d = SUB(m[3], m[4]);
    y[0] = ADD(ADD(m[0], a), c);
    y[1] = ADD(b, MUL(SET(2), d));
    y[2] = ADD(a, MUL(SET(4), c));
    y[3] = ADD(ADD(b, MUL(SET(8), d)), m[5]);
}

// G g for three values g: six.
AVX2 static inline void kernel3(const v8 g[3], v8 u[6]) {
    v8 s = ADD(g[0], g[2]);
    v8 p = MUL(SET(1.0f / 24), ADD(g[0], MUL(SET(4), g[2]))), q = MUL(SET(1.0f / 12), g[1]);
    u[0] = MUL(SET(0.25f), g[0]);
    u[1] = MUL(SET(-1.0f / 6), ADD(s, g[1]));
    u[2] = MUL(SET(-1.0f / 6), SUB(s, g[1]));
    u[3] = ADD(p, q);
    u[4] = SUB(p, q);
    u[5] = g[2];
}

// A g for four values g (a column or row of an output tile's gradient): six.
AVX2 static inline void outgrad4(const v8 g[4], v8 h[6]) {
    v8 a = ADD(g[0], g[2]), b = ADD(g[1], g[3]);
    v8 c = ADD(g[0], MUL(SET(4), g[2])), d = MUL(SET(2), ADD(g[1], MUL(SET(4), g[3])));
    h[0] = g[0];
    h[1] = ADD(a, b);
    h[2] = SUB(a, b);
    h[3] = ADD(c, d);
    h[4] = SUB(c, d);
    h[5] = g[3];
}

// Gᵀ d for six values d: three.
AVX2 static inline void kernelgrad6(const v8 d[6], v8 r[3]) {
    v8 s = ADD(d[1], d[2]), t = ADD(d[3], d[4]);
    r[0] = ADD(SUB(MUL(SET(0.25f), d[0]), MUL(SET(1.0f / 6), s)), MUL(SET(1.0f / 24), t));
    r[1] = ADD(MUL(SET(1.0f / 6), SUB(d[2], d[1])), MUL(SET(1.0f / 12), SUB(d[3], d[4])));
    r[2] = ADD(MUL(SET(1.0f / 6), SUB(t, s)), d[5]);
}

AVX2 bool cwide_w43_kernel(const float *g, long ic, long oc, bool rotate, float *U) {
    if (!cwide_avx2() || oc % 8) return false;
    long plane = ic * oc;
    for (long i = 0; i < ic; i++)
        for (long o = 0; o < oc; o += 8) {
            v8 w[3][3], c[3], q[6][3], r[6];
            for (int a = 0; a < 3; a++)
                for (int b = 0; b < 3; b++) {
                    int k = rotate ? (2 - a) * 3 + (2 - b) : a * 3 + b;
                    w[a][b] = _mm256_loadu_ps(g + (k * ic + i) * oc + o);
                }
            for (int b = 0; b < 3; b++) {
                for (int a = 0; a < 3; a++) c[a] = w[a][b];
                kernel3(c, r);
                for (int a = 0; a < 6; a++) q[a][b] = r[a];
            }
            for (int a = 0; a < 6; a++) {
                kernel3(q[a], r);
                for (int b = 0; b < 6; b++) _mm256_storeu_ps(U + (a * 6 + b) * plane + i * oc + o, r[b]);
            }
        }
    return true;
}

AVX2 bool cwide_w43_kernel_backward(const float *dU, long ic, long oc, float *dg) {
    if (!cwide_avx2() || oc % 8) return false;
    long plane = ic * oc;
    for (long i = 0; i < ic; i++)
        for (long o = 0; o < oc; o += 8) {
            v8 d[6][6], c[6], q[3][6], r[3];
            for (int a = 0; a < 6; a++)
                for (int b = 0; b < 6; b++) d[a][b] = _mm256_loadu_ps(dU + (a * 6 + b) * plane + i * oc + o);
            for (int b = 0; b < 6; b++) {
                for (int a = 0; a < 6; a++) c[a] = d[a][b];
                kernelgrad6(c, r);
                for (int a = 0; a < 3; a++) q[a][b] = r[a];
            }
            for (int a = 0; a < 3; a++) {
                kernelgrad6(q[a], r);
                for (int b = 0; b < 3; b++) _mm256_storeu_ps(dg + ((a * 3 + b) * ic + i) * oc + o, r[b]);
            }
        }
    return true;
}

AVX2 bool cwide_w43_input(const cwide_w43 *g, const float *x, float *V) {
    if (!cwide_avx2() || g->channels % 8) return false;
    long c = g->channels, plane = g->batch * g->tilesH * g->tilesW * c;
    const v8 z = _mm256_setzero_ps();
    long t = 0;
    for (long n = 0; n < g->batch; n++)
        for (long ti = 0; ti < g->tilesH; ti++)
            for (long tj = 0; tj < g->tilesW; tj++, t++) {
                long r0 = 4 * ti - g->pad, s0 = 4 * tj - g->pad;
                long row[6], col[6];
                bool rin[6], cin[6];
                for (int k = 0; k < 6; k++) {
                    rin[k] = r0 + k >= 0 && r0 + k < g->height;
                    cin[k] = s0 + k >= 0 && s0 + k < g->width;
                    row[k] = ((n * g->height + r0 + k) * g->width) * c;
                    col[k] = (s0 + k) * c;
                }
                for (long q = 0; q < c; q += 8) {
                    v8 u[6][6], d[6], r[6];
                    // Bᵀ d column by column, then each row of that times B.
                    for (int l = 0; l < 6; l++) {
                        for (int k = 0; k < 6; k++) d[k] = rin[k] && cin[l] ? _mm256_loadu_ps(x + row[k] + col[l] + q) : z;
                        input6(d, r);
                        for (int k = 0; k < 6; k++) u[k][l] = r[k];
                    }
                    float *v = V + t * c + q;
                    for (int k = 0; k < 6; k++) {
                        input6(u[k], r);
                        for (int l = 0; l < 6; l++) _mm256_storeu_ps(v + (k * 6 + l) * plane, r[l]);
                    }
                }
            }
    return true;
}

AVX2 bool cwide_w43_output(const cwide_w43 *g, long oc, const float *M, const float *bias, bool relu, float *y) {
    if (!cwide_avx2() || oc % 8) return false;
    long plane = g->batch * g->tilesH * g->tilesW * oc;
    const v8 z = _mm256_setzero_ps();
    long t = 0;
    for (long n = 0; n < g->batch; n++)
        for (long ti = 0; ti < g->tilesH; ti++)
            for (long tj = 0; tj < g->tilesW; tj++, t++) {
                long r0 = 4 * ti, s0 = 4 * tj;
                int rows = g->outHeight - r0 < 4 ? (int)(g->outHeight - r0) : 4;
                int cols = g->outWidth - s0 < 4 ? (int)(g->outWidth - s0) : 4;
                float *out = y + ((n * g->outHeight + r0) * g->outWidth + s0) * oc;
                for (long q = 0; q < oc; q += 8) {
                    const float *m = M + t * oc + q;
                    v8 u[4][6], c[6], r[4];
                    for (int l = 0; l < 6; l++) {
                        for (int k = 0; k < 6; k++) c[k] = _mm256_loadu_ps(m + (k * 6 + l) * plane);
                        output6(c, r);
                        for (int k = 0; k < 4; k++) u[k][l] = r[k];
                    }
                    v8 b = bias ? _mm256_loadu_ps(bias + q) : z;
                    for (int a = 0; a < rows; a++) {
                        output6(u[a], r);
                        for (int j = 0; j < cols; j++) {
                            v8 o = bias ? ADD(r[j], b) : r[j];
                            if (relu) o = _mm256_max_ps(o, z);
                            _mm256_storeu_ps(out + (a * g->outWidth + j) * oc + q, o);
                        }
                    }
                }
            }
    return true;
}

AVX2 bool cwide_w43_output_backward(const cwide_w43 *g, long oc, const float *dy, float *dM) {
    if (!cwide_avx2() || oc % 8) return false;
    long plane = g->batch * g->tilesH * g->tilesW * oc;
    const v8 z = _mm256_setzero_ps();
    long t = 0;
    for (long n = 0; n < g->batch; n++)
        for (long ti = 0; ti < g->tilesH; ti++)
            for (long tj = 0; tj < g->tilesW; tj++, t++) {
                long r0 = 4 * ti, s0 = 4 * tj;
                int rows = g->outHeight - r0 < 4 ? (int)(g->outHeight - r0) : 4;
                int cols = g->outWidth - s0 < 4 ? (int)(g->outWidth - s0) : 4;
                const float *in = dy + ((n * g->outHeight + r0) * g->outWidth + s0) * oc;
                for (long q = 0; q < oc; q += 8) {
                    v8 h[6][4], d[4], r[6];
                    // A dy column by column, then each row of that times Aᵀ.
                    for (int b = 0; b < 4; b++) {
                        for (int a = 0; a < 4; a++) d[a] = a < rows && b < cols ? _mm256_loadu_ps(in + (a * g->outWidth + b) * oc + q) : z;
                        outgrad4(d, r);
                        for (int k = 0; k < 6; k++) h[k][b] = r[k];
                    }
                    float *m = dM + t * oc + q;
                    for (int k = 0; k < 6; k++) {
                        outgrad4(h[k], r);
                        for (int l = 0; l < 6; l++) _mm256_storeu_ps(m + (k * 6 + l) * plane, r[l]);
                    }
                }
            }
    return true;
}

#else

bool cwide_w43_kernel(const float *g, long ic, long oc, bool rotate, float *U) { return false; }
bool cwide_w43_kernel_backward(const float *dU, long ic, long oc, float *dg) { return false; }
bool cwide_w43_input(const cwide_w43 *g, const float *x, float *V) { return false; }
bool cwide_w43_output(const cwide_w43 *g, long oc, const float *M, const float *bias, bool relu, float *y) { return false; }
bool cwide_w43_output_backward(const cwide_w43 *g, long oc, const float *dy, float *dM) { return false; }

#endif
