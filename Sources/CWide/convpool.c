// A convolution on few input channels, its bias and ReLU, and the 2x2 max pool after it, as one
// pass on AVX2 (see CWide.h and README.md).
//
// The full-size convolution output (28x28x32 floats an image in small_cnn's first layer) is never
// written: each pooled window's four outputs are computed in registers, eight filters a lane
// group, and only their maximum and its place leave. The weight gradient reads the pooled
// gradient back and sends each window's share to the patch of its maximum alone.
#include "CWide.h"
#include <stdlib.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define AVX2 __attribute__((target("avx2")))
#define INLINE __attribute__((always_inline)) static inline

/// The image zero-padded as the convolution pads it (as far as its windows reach), and where
/// each patch value lies in it.
typedef struct {
    long height, width, channels, strideH, strideW;  // of the padded image and the convolution
    long koff[32];                                    // patch value k = (i·kw + j)·C + c at base + koff[k]
} padded;

/// The padded image's sizes alone (koff left zero).
static padded sizes(const cwide_window *g) {
    padded p = {(g->outHeight - 1) * g->strideH + g->kernelH, (g->outWidth - 1) * g->strideW + g->kernelW, g->channels,
                g->strideH, g->strideW, {0}};
    return p;
}

/// The sizes and the patch offsets, for kh·kw·C ≤ 32 (koff's length).
static padded plan(const cwide_window *g) {
    padded p = sizes(g);
    long k = 0;
    for (long i = 0; i < g->kernelH; i++)
        for (long j = 0; j < g->kernelW; j++)
            for (long c = 0; c < g->channels; c++) p.koff[k++] = (i * p.width + j) * p.channels + c;
    return p;
}

/// Copies image n of x into xp with the convolution's zero border.
static void pad(const cwide_window *g, const padded *p, const float *x, long n, float *xp) {
    const long C = g->channels;
    const float *image = x + n * g->height * g->width * C;
    for (long r = 0; r < p->height; r++) {
        const long ih = r - g->padTop;
        float *row = xp + r * p->width * C;
        for (long u = 0; u < p->width; u++) {
            const long iw = u - g->padLeft;
            const bool in = ih >= 0 && ih < g->height && iw >= 0 && iw < g->width;
            for (long c = 0; c < C; c++) row[u * C + c] = in ? image[(ih * g->width + iw) * C + c] : 0;
        }
    }
}

/// Where in the padded image the patch of convolution output (oh, ow) starts.
static inline long base(const padded *p, long oh, long ow) { return (oh * p->strideH * p->width + ow * p->strideW) * p->channels; }

// Forward, the lane group of 8 filters from f0 over one image's windows. Each of a window's four
// outputs (row-major: the pool's places 0...3) is Σ_k x_k·w[k] in k order, then + bias, then
// max(0, ·) (a NaN stays NaN, −0 stays −0); the maximum starts at place 0 and is replaced only by
// a strictly greater value (an ordered compare), as Pooling.maxForward.
AVX2 INLINE __m256 activate(__m256 v, const float *bias, __m256 b, bool relu) {
    if (bias) v = _mm256_add_ps(v, b);
    return relu ? _mm256_max_ps(_mm256_setzero_ps(), v) : v;
}

AVX2 INLINE void pool(__m256 v, int a, __m256 *best, __m256 *place) {
    if (a == 0) { *best = v; *place = _mm256_setzero_ps(); return; }
    const __m256 better = _mm256_cmp_ps(v, *best, _CMP_GT_OQ);
    *best = _mm256_blendv_ps(*best, v, better);
    *place = _mm256_blendv_ps(*place, _mm256_set1_ps((float)a), better);
}

AVX2 static void forwardGroup(long K, const padded *p, const float *xp, long n, long PH, long PW, const float *w, long F,
                              long f0, const float *bias, bool relu, float *y, float *argmax) {
    const __m256 b = bias ? _mm256_loadu_ps(bias + f0) : _mm256_setzero_ps();
    for (long ph = 0; ph < PH; ph++) for (long pw = 0; pw < PW; pw++) {
        const float *px[4] = {xp + base(p, 2 * ph, 2 * pw), xp + base(p, 2 * ph, 2 * pw + 1),
                              xp + base(p, 2 * ph + 1, 2 * pw), xp + base(p, 2 * ph + 1, 2 * pw + 1)};
        __m256 v[4], best = _mm256_setzero_ps(), place = best;
        const __m256 w0 = _mm256_loadu_ps(w + f0);
#pragma GCC unroll 4
        for (int a = 0; a < 4; a++) v[a] = _mm256_mul_ps(_mm256_broadcast_ss(px[a] + p->koff[0]), w0);
        for (long k = 1; k < K; k++) {
            const __m256 wk = _mm256_loadu_ps(w + k * F + f0);
#pragma GCC unroll 4
            for (int a = 0; a < 4; a++) v[a] = _mm256_add_ps(v[a], _mm256_mul_ps(_mm256_broadcast_ss(px[a] + p->koff[k]), wk));
        }
#pragma GCC unroll 4
        for (int a = 0; a < 4; a++) pool(activate(v[a], bias, b, relu), a, &best, &place);
        const long o = ((n * PH + ph) * PW + pw) * F + f0;
        _mm256_storeu_ps(y + o, best);
        if (argmax) _mm256_storeu_ps(argmax + o, place);
    }
}

// The same for a 3x3 kernel on one channel at stride 1 (small_cnn's first layer), the kernel's
// nine weights for the group in registers. The window's 4x4 block is broadcast row by row, once
// for all four outputs, whose sums advance together: independent chains the CPU overlaps (one
// output after the other, each waits on its own additions' latency). The same operations in the
// same order for each output.
AVX2 static void forwardGray3x3(const float *xp, long width, long n, long PH, long PW, const float *w, long F, long f0,
                                const float *bias, bool relu, float *y, float *argmax) {
    const __m256 b = bias ? _mm256_loadu_ps(bias + f0) : _mm256_setzero_ps();
    __m256 wk[9];
#pragma GCC unroll 16
    for (int k = 0; k < 9; k++) wk[k] = _mm256_loadu_ps(w + k * F + f0);
    for (long ph = 0; ph < PH; ph++) for (long pw = 0; pw < PW; pw++) {
        const float *top = xp + 2 * ph * width + 2 * pw;
        __m256 v[4], best = _mm256_setzero_ps(), place = best;
        // Row r of the 4x4 block is kernel row r of the upper outputs (places 0, 1) and kernel
        // row r − 1 of the lower ones (2, 3): rows in order give each output its terms in k order.
#pragma GCC unroll 16
        for (int r = 0; r < 4; r++) {
            __m256 x[4];
#pragma GCC unroll 16
            for (int c = 0; c < 4; c++) x[c] = _mm256_broadcast_ss(top + r * width + c);
#pragma GCC unroll 16
            for (int j = 0; j < 3; j++) {
#pragma GCC unroll 16
                for (int a = 0; a < 4; a++) {
                    const int i = r - a / 2;
                    if (i < 0 || i > 2) continue;
                    const __m256 t = _mm256_mul_ps(x[a % 2 + j], wk[i * 3 + j]);
                    v[a] = i == 0 && j == 0 ? t : _mm256_add_ps(v[a], t);
                }
            }
        }
#pragma GCC unroll 16
        for (int a = 0; a < 4; a++) pool(activate(v[a], bias, b, relu), a, &best, &place);
        const long o = ((n * PH + ph) * PW + pw) * F + f0;
        _mm256_storeu_ps(y + o, best);
        if (argmax) _mm256_storeu_ps(argmax + o, place);
    }
}

static bool gray3x3(const cwide_window *g) {
    return g->channels == 1 && g->kernelH == 3 && g->kernelW == 3 && g->strideH == 1 && g->strideW == 1;
}

AVX2 static void forward(const cwide_window *g, long F, const float *x, const float *w, const float *bias, bool relu,
                         long PH, long PW, float *y, float *argmax, const padded *p, float *xp) {
    const long K = g->kernelH * g->kernelW * g->channels;
    for (long n = 0; n < g->batch; n++) {
        pad(g, p, x, n, xp);
        for (long f0 = 0; f0 < F; f0 += 8) {
            if (gray3x3(g)) forwardGray3x3(xp, p->width, n, PH, PW, w, F, f0, bias, relu, y, argmax);
            else forwardGroup(K, p, xp, n, PH, PW, w, F, f0, bias, relu, y, argmax);
        }
    }
}

// Backward, the lane group of 8 filters from f0 over one image's windows: each window's gradient
// d (dy, and with `relu` only where the pooled y > 0: the ReLU's derivative at the maximum) goes
// to the patch of the place its argmax names, dw[k] += x_k(place)·d and db += d, window by window
// in row-major order (images in order across calls: the sums' order is fixed by the batch alone).
// dw and db hold the sums so far.
AVX2 INLINE __m256 windowGradient(const float *argmax, const float *y, const float *dy, long o, bool relu, __m256 *place) {
    __m256 d = _mm256_loadu_ps(dy + o);
    if (relu) d = _mm256_and_ps(d, _mm256_cmp_ps(_mm256_loadu_ps(y + o), _mm256_setzero_ps(), _CMP_GT_OQ));
    *place = _mm256_loadu_ps(argmax + o);
    return d;
}

AVX2 static void backwardGroup(long K, const padded *p, const float *xp, long n, long PH, long PW, long F, long f0,
                               const float *argmax, const float *y, const float *dy, bool relu, float *dw, float *db) {
    const __m256 one = _mm256_set1_ps(1), two = _mm256_set1_ps(2), three = _mm256_set1_ps(3);
    for (long ph = 0; ph < PH; ph++) for (long pw = 0; pw < PW; pw++) {
        __m256 place;
        const __m256 d = windowGradient(argmax, y, dy, ((n * PH + ph) * PW + pw) * F + f0, relu, &place);
        const __m256 m1 = _mm256_cmp_ps(place, one, _CMP_EQ_OQ), m2 = _mm256_cmp_ps(place, two, _CMP_EQ_OQ),
                     m3 = _mm256_cmp_ps(place, three, _CMP_EQ_OQ);
        const float *x0 = xp + base(p, 2 * ph, 2 * pw), *x1 = xp + base(p, 2 * ph, 2 * pw + 1);
        const float *x2 = xp + base(p, 2 * ph + 1, 2 * pw), *x3 = xp + base(p, 2 * ph + 1, 2 * pw + 1);
        for (long k = 0; k < K; k++) {
            const long e = p->koff[k];
            __m256 s = _mm256_broadcast_ss(x0 + e);
            s = _mm256_blendv_ps(s, _mm256_broadcast_ss(x1 + e), m1);
            s = _mm256_blendv_ps(s, _mm256_broadcast_ss(x2 + e), m2);
            s = _mm256_blendv_ps(s, _mm256_broadcast_ss(x3 + e), m3);
            _mm256_storeu_ps(dw + k * F + f0, _mm256_add_ps(_mm256_loadu_ps(dw + k * F + f0), _mm256_mul_ps(s, d)));
        }
        if (db) _mm256_storeu_ps(db + f0, _mm256_add_ps(_mm256_loadu_ps(db + f0), d));
    }
}

// The same for a 3x3 kernel on one channel at stride 1, the nine sums in registers. The patch of
// the place is picked in two steps: the window's 4x4 block's columns shifted by one where the
// place is on the right (1, 3), then its rows where it is below (2, 3): the same values.
AVX2 static void backwardGray3x3(const float *xp, long width, long n, long PH, long PW, long F, long f0,
                                 const float *argmax, const float *y, const float *dy, bool relu, float *dw, float *db) {
    const __m256 one = _mm256_set1_ps(1), two = _mm256_set1_ps(2), three = _mm256_set1_ps(3);
    __m256 acc[9], accb = db ? _mm256_loadu_ps(db + f0) : _mm256_setzero_ps();
#pragma GCC unroll 16
    for (int k = 0; k < 9; k++) acc[k] = _mm256_loadu_ps(dw + k * F + f0);
    for (long ph = 0; ph < PH; ph++) for (long pw = 0; pw < PW; pw++) {
        __m256 place;
        const __m256 d = windowGradient(argmax, y, dy, ((n * PH + ph) * PW + pw) * F + f0, relu, &place);
        const __m256 right = _mm256_or_ps(_mm256_cmp_ps(place, one, _CMP_EQ_OQ), _mm256_cmp_ps(place, three, _CMP_EQ_OQ));
        const __m256 below = _mm256_cmp_ps(place, two, _CMP_GE_OQ);
        const float *top = xp + 2 * ph * width + 2 * pw;
#pragma GCC unroll 16
        for (int j = 0; j < 3; j++) {
            __m256 c[4];
#pragma GCC unroll 16
            for (int i = 0; i < 4; i++)
                c[i] = _mm256_blendv_ps(_mm256_broadcast_ss(top + i * width + j), _mm256_broadcast_ss(top + i * width + j + 1), right);
#pragma GCC unroll 16
            for (int i = 0; i < 3; i++)
                acc[i * 3 + j] = _mm256_add_ps(acc[i * 3 + j], _mm256_mul_ps(_mm256_blendv_ps(c[i], c[i + 1], below), d));
        }
        accb = _mm256_add_ps(accb, d);
    }
#pragma GCC unroll 16
    for (int k = 0; k < 9; k++) _mm256_storeu_ps(dw + k * F + f0, acc[k]);
    if (db) _mm256_storeu_ps(db + f0, accb);
}

AVX2 static void backward(const cwide_window *g, long F, const float *x, const float *argmax, const float *y,
                          const float *dy, bool relu, long PH, long PW, float *dw, float *db, const padded *p, float *xp) {
    const long K = g->kernelH * g->kernelW * g->channels;
    for (long i = 0; i < K * F; i++) dw[i] = 0;
    if (db) for (long f = 0; f < F; f++) db[f] = 0;
    for (long n = 0; n < g->batch; n++) {
        pad(g, p, x, n, xp);
        for (long f0 = 0; f0 < F; f0 += 8) {
            if (gray3x3(g)) backwardGray3x3(xp, p->width, n, PH, PW, F, f0, argmax, y, dy, relu, dw, db);
            else backwardGroup(K, p, xp, n, PH, PW, F, f0, argmax, y, dy, relu, dw, db);
        }
    }
}

#define MAXTAPS 9

// One window's places: each place's listed filters summed in registers, tap by tap, 8 channels
// at a time, then added into dxp. Inlined twice: for 3x3 kernels (taps a constant) and others.
AVX2 INLINE void sumPlaces(const padded *p, long ph, long pw, long C, const long taps, const long *toff, long F,
                           const float *wt, const int *count, const int *lists, const float *values, float *dxp) {
    for (int k = 0; k < 4; k++) {
        if (!count[k]) continue;
        float *at = dxp + base(p, 2 * ph + (k >> 1), 2 * pw + (k & 1));
        const int *list = lists + k * F;
        const float *value = values + k * F;
        for (long c = 0; c < C; c += 8) {
            __m256 acc[MAXTAPS];
#pragma GCC unroll 9
            for (int t = 0; t < MAXTAPS; t++) acc[t] = _mm256_setzero_ps();
            for (int e = 0; e < count[k]; e++) {
                const __m256 dv = _mm256_set1_ps(value[e]);
                const float *w = wt + (long)list[e] * taps * C + c;
#pragma GCC unroll 9
                for (int t = 0; t < MAXTAPS; t++)
                    if (t < taps) acc[t] = _mm256_add_ps(acc[t], _mm256_mul_ps(dv, _mm256_loadu_ps(w + t * C)));
            }
#pragma GCC unroll 9
            for (int t = 0; t < MAXTAPS; t++)
                if (t < taps) _mm256_storeu_ps(at + toff[t] + c, _mm256_add_ps(_mm256_loadu_ps(at + toff[t] + c), acc[t]));
        }
    }
}

// The input gradient, image n: each window's gradient d (as above, one filter at a time) times
// the filter's taps, added into the padded image dxp at the patch of the place its argmax names.
// A window's filters with a nonzero d (with `relu`: y > 0) are listed by place first; then, 8
// channels at a time, each place's filters are summed in registers tap by tap (in filter order,
// mul then add) and the sums added into dxp. Windows in row-major order, places 0...3.
AVX2 static void backwardDataImage(const cwide_window *g, const padded *p, long n, long PH, long PW, long F,
                                   const float *wt, const float *argmax, const float *y, const float *dy, bool relu,
                                   float *dxp, int *lists, float *values) {
    const long C = g->channels, taps = g->kernelH * g->kernelW;
    long toff[MAXTAPS];
    for (long i = 0; i < g->kernelH; i++)
        for (long j = 0; j < g->kernelW; j++) toff[i * g->kernelW + j] = (i * p->width + j) * C;
    for (long ph = 0; ph < PH; ph++) for (long pw = 0; pw < PW; pw++) {
        const long o = ((n * PH + ph) * PW + pw) * F;
        int count[4] = {0, 0, 0, 0};
        for (long f = 0; f < F; f++) {
            const float d = dy[o + f];
            const int place = (int)argmax[o + f];
            const bool on = d != 0 && (!relu || y[o + f] > 0);
            lists[place * F + count[place]] = (int)f;
            values[place * F + count[place]] = d;
            count[place] += on;
        }
        if (taps == 9) sumPlaces(p, ph, pw, C, 9, toff, F, wt, count, lists, values, dxp);
        else sumPlaces(p, ph, pw, C, taps, toff, F, wt, count, lists, values, dxp);
    }
}

AVX2 static void backwardData(const cwide_window *g, long F, const float *wt, const float *argmax, const float *y,
                              const float *dy, bool relu, long PH, long PW, float *dx, const padded *p, float *dxp,
                              int *lists, float *values) {
    const long C = g->channels, H = g->height, W = g->width;
    for (long n = 0; n < g->batch; n++) {
        for (long i = 0; i < p->height * p->width * C; i++) dxp[i] = 0;
        backwardDataImage(g, p, n, PH, PW, F, wt, argmax, y, dy, relu, dxp, lists, values);
        // The image's cells from the padded one (cells no window reaches get zero).
        float *image = dx + n * H * W * C;
        for (long ih = 0; ih < H; ih++) {
            const long r = ih + g->padTop;
            for (long iw = 0; iw < W; iw++) {
                const long u = iw + g->padLeft;
                const bool in = r < p->height && u < p->width;
                for (long c = 0; c < C; c++) image[(ih * W + iw) * C + c] = in ? dxp[(r * p->width + u) * C + c] : 0;
            }
        }
    }
}

/// AVX2, filters in 8s, and the pooled sizes inside the convolution's output.
static bool fits(const cwide_window *g, long F, long PH, long PW) {
    return cwide_avx2() && F % 8 == 0 && 2 * PH <= g->outHeight && 2 * PW <= g->outWidth;
}

static bool suits(const cwide_window *g, long F, long PH, long PW) {
    return fits(g, F, PH, PW) && g->kernelH * g->kernelW * g->channels <= 32;
}

bool cwide_convpool_forward(const cwide_window *g, long filters, const float *x, const float *w, const float *bias,
                            bool relu, long pooledH, long pooledW, float *y, float *argmax) {
    if (!suits(g, filters, pooledH, pooledW)) return false;
    const padded p = plan(g);
    float *xp = malloc(p.height * p.width * p.channels * sizeof(float));
    if (!xp) return false;
    forward(g, filters, x, w, bias, relu, pooledH, pooledW, y, argmax, &p, xp);
    free(xp);
    return true;
}

bool cwide_convpool_backward(const cwide_window *g, long filters, const float *x, const float *argmax, const float *y,
                             const float *dy, bool relu, long pooledH, long pooledW, float *dw, float *db) {
    if (!suits(g, filters, pooledH, pooledW)) return false;
    const padded p = plan(g);
    float *xp = malloc(p.height * p.width * p.channels * sizeof(float));
    if (!xp) return false;
    backward(g, filters, x, argmax, y, dy, relu, pooledH, pooledW, dw, db, &p, xp);
    free(xp);
    return true;
}

bool cwide_convpool_backward_data(const cwide_window *g, long filters, const float *wt, const float *argmax, const float *y,
                                  const float *dy, bool relu, long pooledH, long pooledW, float *dx) {
    if (!fits(g, filters, pooledH, pooledW) || g->channels % 8 || g->kernelH * g->kernelW > MAXTAPS) return false;
    const padded p = sizes(g);
    float *dxp = malloc(p.height * p.width * p.channels * sizeof(float));
    int *lists = malloc(4 * filters * sizeof(int));
    float *values = malloc(4 * filters * sizeof(float));
    const bool ok = dxp && lists && values;
    if (ok) backwardData(g, filters, wt, argmax, y, dy, relu, pooledH, pooledW, dx, &p, dxp, lists, values);
    free(dxp); free(lists); free(values);
    return ok;
}

#else

bool cwide_convpool_forward(const cwide_window *g, long filters, const float *x, const float *w, const float *bias,
                            bool relu, long pooledH, long pooledW, float *y, float *argmax) { return false; }
bool cwide_convpool_backward(const cwide_window *g, long filters, const float *x, const float *argmax, const float *y,
                             const float *dy, bool relu, long pooledH, long pooledW, float *dw, float *db) { return false; }
bool cwide_convpool_backward_data(const cwide_window *g, long filters, const float *wt, const float *argmax, const float *y,
                                  const float *dy, bool relu, long pooledH, long pooledW, float *dx) { return false; }

#endif
