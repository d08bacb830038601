// Max pooling over NHWC or nChw16c on AVX-512 or AVX2 for the engine (see CWide.h and README.md).
#include "CWide.h"

#if defined(__x86_64__)
#include <immintrin.h>

int cwide_pool_lanes(void) { return cwide_avx512() ? 16 : cwide_avx2() ? 8 : 0; }

/// The clipped input rows/columns covered by output (oh, ow), as Pooling.window in Swift.
typedef struct { long h0, h1, w0, w1; } window;

static inline window clip(const cwide_window *g, long oh, long ow) {
    long h = oh * g->strideH - g->padTop, w = ow * g->strideW - g->padLeft;
    window r = {h > 0 ? h : 0, h + g->kernelH < g->height ? h + g->kernelH : g->height,
                w > 0 ? w : 0, w + g->kernelW < g->width ? w + g->kernelW : g->width};
    return r;
}

// Each loop below is the Swift loop's rule lane by lane: the maximum starts at the window's first
// real cell and is replaced only by a strictly greater value (an ordered compare: a NaN never
// replaces, and stays when first); its place is (ih − h0)·kernelW + (iw − w0) as a Float.
//
// x and dx are in one layout, y, argmax and dy in one (each NHWC or oneDNN's nChw16c, `strides`):
// channel k of pixel p of image n is at n·H·W·C + p·pixel + (k / 16)·group + k % 16. An image
// holds H·W·C values in both layouts, and 16 channels from a multiple of 16 are contiguous in
// both, so the loops differ only by these two strides.
typedef struct { long pixel, group; } strides;

static inline strides layout(bool blocked, long c, long pixels) {
    strides s = {blocked ? 16 : c, blocked ? pixels * 16 : 16};
    return s;
}

static inline long channel(strides s, long k) { return (k >> 4) * s.group + (k & 15); }

// A 2x2 window wholly inside the input (Keras's default pool on even sizes): the same steps
// with the four cells' addresses fixed, so the loop is loads, compares and selects. p is the
// window's first cell (channel 0), rowStride the distance to the cell below.
__attribute__((target("avx512f")))
static inline void forward2x2_16(const float *p, long rowStride, strides xs, long c, float *y, strides ys, float *argmax) {
    const float *q = p + rowStride;
    const long right = xs.pixel;
    const __m512 one = _mm512_set1_ps(1), two = _mm512_set1_ps(2), three = _mm512_set1_ps(3);
    for (long k0 = 0; k0 < c; k0 += 16) {
        __mmask16 m = c - k0 >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (c - k0)) - 1);
        const long xk = channel(xs, k0), yk = channel(ys, k0);
        __m512 best = _mm512_maskz_loadu_ps(m, p + xk), at = _mm512_setzero_ps();
        __m512 v = _mm512_maskz_loadu_ps(m, p + right + xk);
        __mmask16 better = _mm512_cmp_ps_mask(v, best, _CMP_GT_OQ);
        best = _mm512_mask_mov_ps(best, better, v); at = _mm512_mask_mov_ps(at, better, one);
        v = _mm512_maskz_loadu_ps(m, q + xk);
        better = _mm512_cmp_ps_mask(v, best, _CMP_GT_OQ);
        best = _mm512_mask_mov_ps(best, better, v); at = _mm512_mask_mov_ps(at, better, two);
        v = _mm512_maskz_loadu_ps(m, q + right + xk);
        better = _mm512_cmp_ps_mask(v, best, _CMP_GT_OQ);
        best = _mm512_mask_mov_ps(best, better, v); at = _mm512_mask_mov_ps(at, better, three);
        _mm512_mask_storeu_ps(y + yk, m, best);
        if (argmax) _mm512_mask_storeu_ps(argmax + yk, m, at);
    }
}

__attribute__((target("avx512f")))
static void forward16(const cwide_window *g, const float *x, bool xBlocked, float *y, bool yBlocked, float *argmax) {
    const long c = g->channels, H = g->height, W = g->width, OH = g->outHeight, OW = g->outWidth, KW = g->kernelW;
    const strides xs = layout(xBlocked, c, H * W), ys = layout(yBlocked, c, OH * OW);
    const bool twoByTwo = g->kernelH == 2 && KW == 2;
    for (long n = 0; n < g->batch; n++) for (long oh = 0; oh < OH; oh++) for (long ow = 0; ow < OW; ow++) {
        const long o = n * OH * OW * c + (oh * OW + ow) * ys.pixel;
        const window win = clip(g, oh, ow);
        const float *image = x + n * H * W * c;
        if (twoByTwo && win.h1 - win.h0 == 2 && win.w1 - win.w0 == 2) {
            forward2x2_16(image + (win.h0 * W + win.w0) * xs.pixel, W * xs.pixel, xs, c, y + o, ys, argmax ? argmax + o : NULL);
            continue;
        }
        for (long k0 = 0; k0 < c; k0 += 16) {
            __mmask16 m = c - k0 >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (c - k0)) - 1);
            const float *at0 = image + channel(xs, k0);
            __m512 best = _mm512_maskz_loadu_ps(m, at0 + (win.h0 * W + win.w0) * xs.pixel), at = _mm512_setzero_ps();
            for (long ih = win.h0; ih < win.h1; ih++) for (long iw = win.w0; iw < win.w1; iw++) {
                if (ih == win.h0 && iw == win.w0) continue;   // the seed: never strictly greater
                __m512 v = _mm512_maskz_loadu_ps(m, at0 + (ih * W + iw) * xs.pixel);
                __mmask16 better = _mm512_cmp_ps_mask(v, best, _CMP_GT_OQ);
                best = _mm512_mask_mov_ps(best, better, v);
                at = _mm512_mask_mov_ps(at, better, _mm512_set1_ps((float)((ih - win.h0) * KW + iw - win.w0)));
            }
            _mm512_mask_storeu_ps(y + o + channel(ys, k0), m, best);
            if (argmax) _mm512_mask_storeu_ps(argmax + o + channel(ys, k0), m, at);
        }
    }
}

// The tiling 2x2 case of backward16 with the four cells' addresses fixed.
__attribute__((target("avx512f")))
static inline void backward2x2_16(const float *argmax, const float *y, const float *dy, strides ys, float *p, long rowStride,
                                  strides xs, long c, bool relu) {
    float *q = p + rowStride;
    const long right = xs.pixel;
    const __m512 zero = _mm512_setzero_ps(), one = _mm512_set1_ps(1), two = _mm512_set1_ps(2), three = _mm512_set1_ps(3);
    for (long k0 = 0; k0 < c; k0 += 16) {
        __mmask16 m = c - k0 >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (c - k0)) - 1);
        const long xk = channel(xs, k0), yk = channel(ys, k0);
        __m512 d = _mm512_maskz_loadu_ps(m, dy + yk);
        if (relu) d = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(_mm512_maskz_loadu_ps(m, y + yk), zero, _CMP_GT_OQ), d);
        __m512 at = _mm512_maskz_loadu_ps(m, argmax + yk);
        _mm512_mask_storeu_ps(p + xk, m, _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(at, zero, _CMP_EQ_OQ), d));
        _mm512_mask_storeu_ps(p + right + xk, m, _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(at, one, _CMP_EQ_OQ), d));
        _mm512_mask_storeu_ps(q + xk, m, _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(at, two, _CMP_EQ_OQ), d));
        _mm512_mask_storeu_ps(q + right + xk, m, _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(at, three, _CMP_EQ_OQ), d));
    }
}

__attribute__((target("avx512f")))
static void backward16(const cwide_window *g, const float *argmax, const float *y, const float *dy, bool yBlocked,
                       float *dx, bool xBlocked, bool relu) {
    const long c = g->channels, H = g->height, W = g->width, OH = g->outHeight, OW = g->outWidth, KW = g->kernelW;
    const strides xs = layout(xBlocked, c, H * W), ys = layout(yBlocked, c, OH * OW);
    const bool tiles = g->strideH == g->kernelH && g->strideW == KW;
    const bool twoByTwo = tiles && g->kernelH == 2 && KW == 2;
    for (long n = 0; n < g->batch; n++) for (long oh = 0; oh < OH; oh++) for (long ow = 0; ow < OW; ow++) {
        const long o = n * OH * OW * c + (oh * OW + ow) * ys.pixel;
        const window win = clip(g, oh, ow);
        float *image = dx + n * H * W * c;
        if (twoByTwo && win.h1 - win.h0 == 2 && win.w1 - win.w0 == 2) {
            backward2x2_16(argmax + o, y + o, dy + o, ys, image + (win.h0 * W + win.w0) * xs.pixel, W * xs.pixel, xs, c, relu);
            continue;
        }
        for (long k0 = 0; k0 < c; k0 += 16) {
            __mmask16 m = c - k0 >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (c - k0)) - 1);
            const long yk = o + channel(ys, k0);
            __m512 d = _mm512_maskz_loadu_ps(m, dy + yk);
            if (relu) d = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(_mm512_maskz_loadu_ps(m, y + yk), _mm512_setzero_ps(), _CMP_GT_OQ), d);
            __m512 at = _mm512_maskz_loadu_ps(m, argmax + yk);
            for (long ih = win.h0; ih < win.h1; ih++) for (long iw = win.w0; iw < win.w1; iw++) {
                float *p = image + (ih * W + iw) * xs.pixel + channel(xs, k0);
                __mmask16 hit = _mm512_cmp_ps_mask(at, _mm512_set1_ps((float)((ih - win.h0) * KW + iw - win.w0)), _CMP_EQ_OQ);
                __m512 v = _mm512_maskz_mov_ps(hit, d);
                if (!tiles) v = _mm512_add_ps(_mm512_maskz_loadu_ps(m, p), v);
                _mm512_mask_storeu_ps(p, m, v);
            }
        }
    }
}

// AVX2: eight lanes, then the Swift loop's scalar rule for the last channels.

__attribute__((target("avx2")))
static void forward8(const cwide_window *g, const float *x, bool xBlocked, float *y, bool yBlocked, float *argmax) {
    const long c = g->channels, H = g->height, W = g->width, OH = g->outHeight, OW = g->outWidth;
    const strides xs = layout(xBlocked, c, H * W), ys = layout(yBlocked, c, OH * OW);
    for (long n = 0; n < g->batch; n++) for (long oh = 0; oh < OH; oh++) for (long ow = 0; ow < OW; ow++) {
        const long o = n * OH * OW * c + (oh * OW + ow) * ys.pixel;
        const window win = clip(g, oh, ow);
        const float *image = x + n * H * W * c;
        const float *first = image + (win.h0 * W + win.w0) * xs.pixel;
        long k0 = 0;
        for (; k0 + 8 <= c; k0 += 8) {
            __m256 best = _mm256_loadu_ps(first + channel(xs, k0)), at = _mm256_setzero_ps();
            for (long ih = win.h0; ih < win.h1; ih++) for (long iw = win.w0; iw < win.w1; iw++) {
                if (ih == win.h0 && iw == win.w0) continue;
                __m256 v = _mm256_loadu_ps(image + (ih * W + iw) * xs.pixel + channel(xs, k0));
                __m256 better = _mm256_cmp_ps(v, best, _CMP_GT_OQ);
                best = _mm256_blendv_ps(best, v, better);
                at = _mm256_blendv_ps(at, _mm256_set1_ps((float)((ih - win.h0) * g->kernelW + iw - win.w0)), better);
            }
            _mm256_storeu_ps(y + o + channel(ys, k0), best);
            if (argmax) _mm256_storeu_ps(argmax + o + channel(ys, k0), at);
        }
        for (long k = k0; k < c; k++) {
            float best = first[channel(xs, k)];
            long at = 0;
            for (long ih = win.h0; ih < win.h1; ih++) for (long iw = win.w0; iw < win.w1; iw++) {
                float v = image[(ih * W + iw) * xs.pixel + channel(xs, k)];
                if (v > best) { best = v; at = (ih - win.h0) * g->kernelW + iw - win.w0; }
            }
            y[o + channel(ys, k)] = best;
            if (argmax) argmax[o + channel(ys, k)] = (float)at;
        }
    }
}

__attribute__((target("avx2")))
static void backward8(const cwide_window *g, const float *argmax, const float *y, const float *dy, bool yBlocked,
                      float *dx, bool xBlocked, bool relu) {
    const long c = g->channels, H = g->height, W = g->width, OH = g->outHeight, OW = g->outWidth;
    const strides xs = layout(xBlocked, c, H * W), ys = layout(yBlocked, c, OH * OW);
    const bool tiles = g->strideH == g->kernelH && g->strideW == g->kernelW;
    for (long n = 0; n < g->batch; n++) for (long oh = 0; oh < OH; oh++) for (long ow = 0; ow < OW; ow++) {
        const long o = n * OH * OW * c + (oh * OW + ow) * ys.pixel;
        const window win = clip(g, oh, ow);
        float *image = dx + n * H * W * c;
        long k0 = 0;
        for (; k0 + 8 <= c; k0 += 8) {
            const long yk = o + channel(ys, k0);
            __m256 d = _mm256_loadu_ps(dy + yk);
            if (relu) d = _mm256_and_ps(d, _mm256_cmp_ps(_mm256_loadu_ps(y + yk), _mm256_setzero_ps(), _CMP_GT_OQ));
            __m256 at = _mm256_loadu_ps(argmax + yk);
            for (long ih = win.h0; ih < win.h1; ih++) for (long iw = win.w0; iw < win.w1; iw++) {
                float *p = image + (ih * W + iw) * xs.pixel + channel(xs, k0);
                __m256 v = _mm256_and_ps(d, _mm256_cmp_ps(at, _mm256_set1_ps((float)((ih - win.h0) * g->kernelW + iw - win.w0)), _CMP_EQ_OQ));
                if (!tiles) v = _mm256_add_ps(_mm256_loadu_ps(p), v);
                _mm256_storeu_ps(p, v);
            }
        }
        for (long k = k0; k < c; k++) {
            const long yk = o + channel(ys, k);
            float d = relu && !(y[yk] > 0) ? 0 : dy[yk];
            long at = (long)argmax[yk];
            for (long ih = win.h0; ih < win.h1; ih++) for (long iw = win.w0; iw < win.w1; iw++) {
                long i = (ih * W + iw) * xs.pixel + channel(xs, k);
                bool hit = at == (ih - win.h0) * g->kernelW + iw - win.w0;
                if (tiles) image[i] = hit ? d : 0; else if (hit) image[i] += d;
            }
        }
    }
}

bool cwide_maxpool_forward(int lanes, const cwide_window *g, const float *x, bool xBlocked, float *y, bool yBlocked,
                           float *argmax) {
    if (lanes == 16 && cwide_avx512()) forward16(g, x, xBlocked, y, yBlocked, argmax);
    else if (lanes == 8 && cwide_avx2()) forward8(g, x, xBlocked, y, yBlocked, argmax);
    else return false;
    return true;
}

bool cwide_maxpool_backward(int lanes, const cwide_window *g, const float *argmax, const float *y, const float *dy,
                            bool yBlocked, float *dx, bool xBlocked, bool relu) {
    if (lanes == 16 && cwide_avx512()) backward16(g, argmax, y, dy, yBlocked, dx, xBlocked, relu);
    else if (lanes == 8 && cwide_avx2()) backward8(g, argmax, y, dy, yBlocked, dx, xBlocked, relu);
    else return false;
    return true;
}

#else

int cwide_pool_lanes(void) { return 0; }
bool cwide_maxpool_forward(int lanes, const cwide_window *g, const float *x, bool xBlocked, float *y, bool yBlocked,
                           float *argmax) { return false; }
bool cwide_maxpool_backward(int lanes, const cwide_window *g, const float *argmax, const float *y, const float *dy,
                            bool yBlocked, float *dx, bool xBlocked, bool relu) { return false; }

#endif
