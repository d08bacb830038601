// Max pooling over NHWC on AVX-512 or AVX2 for the engine (see CWide.h and README.md).
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

// A 2x2 window wholly inside the input (Keras's default pool on even sizes): the same steps
// with the four cells' addresses fixed, so the loop is loads, compares and selects.
__attribute__((target("avx512f")))
static inline void forward2x2_16(const float *p, long rowStride, long c, float *y, float *argmax) {
    const float *q = p + rowStride;
    const __m512 one = _mm512_set1_ps(1), two = _mm512_set1_ps(2), three = _mm512_set1_ps(3);
    for (long k0 = 0; k0 < c; k0 += 16) {
        __mmask16 m = c - k0 >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (c - k0)) - 1);
        __m512 best = _mm512_maskz_loadu_ps(m, p + k0), at = _mm512_setzero_ps();
        __m512 v = _mm512_maskz_loadu_ps(m, p + c + k0);
        __mmask16 better = _mm512_cmp_ps_mask(v, best, _CMP_GT_OQ);
        best = _mm512_mask_mov_ps(best, better, v); at = _mm512_mask_mov_ps(at, better, one);
        v = _mm512_maskz_loadu_ps(m, q + k0);
        better = _mm512_cmp_ps_mask(v, best, _CMP_GT_OQ);
        best = _mm512_mask_mov_ps(best, better, v); at = _mm512_mask_mov_ps(at, better, two);
        v = _mm512_maskz_loadu_ps(m, q + c + k0);
        better = _mm512_cmp_ps_mask(v, best, _CMP_GT_OQ);
        best = _mm512_mask_mov_ps(best, better, v); at = _mm512_mask_mov_ps(at, better, three);
        _mm512_mask_storeu_ps(y + k0, m, best);
        if (argmax) _mm512_mask_storeu_ps(argmax + k0, m, at);
    }
}

__attribute__((target("avx512f")))
static void forward16(const cwide_window *g, const float *x, float *y, float *argmax) {
    const long c = g->channels, H = g->height, W = g->width, OH = g->outHeight, OW = g->outWidth, KW = g->kernelW;
    const bool twoByTwo = g->kernelH == 2 && KW == 2;
    for (long n = 0; n < g->batch; n++) for (long oh = 0; oh < OH; oh++) for (long ow = 0; ow < OW; ow++) {
        const long o = ((n * OH + oh) * OW + ow) * c;
        const window win = clip(g, oh, ow);
        const float *first = x + ((n * H + win.h0) * W + win.w0) * c;
        if (twoByTwo && win.h1 - win.h0 == 2 && win.w1 - win.w0 == 2) {
            forward2x2_16(first, W * c, c, y + o, argmax ? argmax + o : NULL);
            continue;
        }
        for (long k0 = 0; k0 < c; k0 += 16) {
            __mmask16 m = c - k0 >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (c - k0)) - 1);
            __m512 best = _mm512_maskz_loadu_ps(m, first + k0), at = _mm512_setzero_ps();
            for (long ih = win.h0; ih < win.h1; ih++) for (long iw = win.w0; iw < win.w1; iw++) {
                if (ih == win.h0 && iw == win.w0) continue;   // the seed: never strictly greater
                __m512 v = _mm512_maskz_loadu_ps(m, x + ((n * H + ih) * W + iw) * c + k0);
                __mmask16 better = _mm512_cmp_ps_mask(v, best, _CMP_GT_OQ);
                best = _mm512_mask_mov_ps(best, better, v);
                at = _mm512_mask_mov_ps(at, better, _mm512_set1_ps((float)((ih - win.h0) * KW + iw - win.w0)));
            }
            _mm512_mask_storeu_ps(y + o + k0, m, best);
            if (argmax) _mm512_mask_storeu_ps(argmax + o + k0, m, at);
        }
    }
}

// The tiling 2x2 case of backward16 with the four cells' addresses fixed.
__attribute__((target("avx512f")))
static inline void backward2x2_16(const float *argmax, const float *y, const float *dy, float *p, long rowStride, long c,
                                  bool relu) {
    float *q = p + rowStride;
    const __m512 zero = _mm512_setzero_ps(), one = _mm512_set1_ps(1), two = _mm512_set1_ps(2), three = _mm512_set1_ps(3);
    for (long k0 = 0; k0 < c; k0 += 16) {
        __mmask16 m = c - k0 >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (c - k0)) - 1);
        __m512 d = _mm512_maskz_loadu_ps(m, dy + k0);
        if (relu) d = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(_mm512_maskz_loadu_ps(m, y + k0), zero, _CMP_GT_OQ), d);
        __m512 at = _mm512_maskz_loadu_ps(m, argmax + k0);
        _mm512_mask_storeu_ps(p + k0, m, _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(at, zero, _CMP_EQ_OQ), d));
        _mm512_mask_storeu_ps(p + c + k0, m, _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(at, one, _CMP_EQ_OQ), d));
        _mm512_mask_storeu_ps(q + k0, m, _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(at, two, _CMP_EQ_OQ), d));
        _mm512_mask_storeu_ps(q + c + k0, m, _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(at, three, _CMP_EQ_OQ), d));
    }
}

__attribute__((target("avx512f")))
static void backward16(const cwide_window *g, const float *argmax, const float *y, const float *dy, float *dx, bool relu) {
    const long c = g->channels, H = g->height, W = g->width, OH = g->outHeight, OW = g->outWidth, KW = g->kernelW;
    const bool tiles = g->strideH == g->kernelH && g->strideW == KW;
    const bool twoByTwo = tiles && g->kernelH == 2 && KW == 2;
    for (long n = 0; n < g->batch; n++) for (long oh = 0; oh < OH; oh++) for (long ow = 0; ow < OW; ow++) {
        const long o = ((n * OH + oh) * OW + ow) * c;
        const window win = clip(g, oh, ow);
        if (twoByTwo && win.h1 - win.h0 == 2 && win.w1 - win.w0 == 2) {
            backward2x2_16(argmax + o, y + o, dy + o, dx + ((n * H + win.h0) * W + win.w0) * c, W * c, c, relu);
            continue;
        }
        for (long k0 = 0; k0 < c; k0 += 16) {
            __mmask16 m = c - k0 >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (c - k0)) - 1);
            __m512 d = _mm512_maskz_loadu_ps(m, dy + o + k0);
            if (relu) d = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(_mm512_maskz_loadu_ps(m, y + o + k0), _mm512_setzero_ps(), _CMP_GT_OQ), d);
            __m512 at = _mm512_maskz_loadu_ps(m, argmax + o + k0);
            for (long ih = win.h0; ih < win.h1; ih++) for (long iw = win.w0; iw < win.w1; iw++) {
                float *p = dx + ((n * H + ih) * W + iw) * c + k0;
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
static void forward8(const cwide_window *g, const float *x, float *y, float *argmax) {
    const long c = g->channels;
    for (long n = 0; n < g->batch; n++) for (long oh = 0; oh < g->outHeight; oh++) for (long ow = 0; ow < g->outWidth; ow++) {
        const long o = ((n * g->outHeight + oh) * g->outWidth + ow) * c;
        const window win = clip(g, oh, ow);
        const float *first = x + ((n * g->height + win.h0) * g->width + win.w0) * c;
        long k0 = 0;
        for (; k0 + 8 <= c; k0 += 8) {
            __m256 best = _mm256_loadu_ps(first + k0), at = _mm256_setzero_ps();
            for (long ih = win.h0; ih < win.h1; ih++) for (long iw = win.w0; iw < win.w1; iw++) {
                if (ih == win.h0 && iw == win.w0) continue;
                __m256 v = _mm256_loadu_ps(x + ((n * g->height + ih) * g->width + iw) * c + k0);
                __m256 better = _mm256_cmp_ps(v, best, _CMP_GT_OQ);
                best = _mm256_blendv_ps(best, v, better);
                at = _mm256_blendv_ps(at, _mm256_set1_ps((float)((ih - win.h0) * g->kernelW + iw - win.w0)), better);
            }
            _mm256_storeu_ps(y + o + k0, best);
            if (argmax) _mm256_storeu_ps(argmax + o + k0, at);
        }
        for (long k = k0; k < c; k++) {
            float best = first[k];
            long at = 0;
            for (long ih = win.h0; ih < win.h1; ih++) for (long iw = win.w0; iw < win.w1; iw++) {
                float v = x[((n * g->height + ih) * g->width + iw) * c + k];
                if (v > best) { best = v; at = (ih - win.h0) * g->kernelW + iw - win.w0; }
            }
            y[o + k] = best;
            if (argmax) argmax[o + k] = (float)at;
        }
    }
}

__attribute__((target("avx2")))
static void backward8(const cwide_window *g, const float *argmax, const float *y, const float *dy, float *dx, bool relu) {
    const long c = g->channels;
    const bool tiles = g->strideH == g->kernelH && g->strideW == g->kernelW;
    for (long n = 0; n < g->batch; n++) for (long oh = 0; oh < g->outHeight; oh++) for (long ow = 0; ow < g->outWidth; ow++) {
        const long o = ((n * g->outHeight + oh) * g->outWidth + ow) * c;
        const window win = clip(g, oh, ow);
        long k0 = 0;
        for (; k0 + 8 <= c; k0 += 8) {
            __m256 d = _mm256_loadu_ps(dy + o + k0);
            if (relu) d = _mm256_and_ps(d, _mm256_cmp_ps(_mm256_loadu_ps(y + o + k0), _mm256_setzero_ps(), _CMP_GT_OQ));
            __m256 at = _mm256_loadu_ps(argmax + o + k0);
            for (long ih = win.h0; ih < win.h1; ih++) for (long iw = win.w0; iw < win.w1; iw++) {
                float *p = dx + ((n * g->height + ih) * g->width + iw) * c + k0;
                __m256 v = _mm256_and_ps(d, _mm256_cmp_ps(at, _mm256_set1_ps((float)((ih - win.h0) * g->kernelW + iw - win.w0)), _CMP_EQ_OQ));
                if (!tiles) v = _mm256_add_ps(_mm256_loadu_ps(p), v);
                _mm256_storeu_ps(p, v);
            }
        }
        for (long k = k0; k < c; k++) {
            float d = relu && !(y[o + k] > 0) ? 0 : dy[o + k];
            long at = (long)argmax[o + k];
            for (long ih = win.h0; ih < win.h1; ih++) for (long iw = win.w0; iw < win.w1; iw++) {
                long i = ((n * g->height + ih) * g->width + iw) * c + k;
                bool hit = at == (ih - win.h0) * g->kernelW + iw - win.w0;
                if (tiles) dx[i] = hit ? d : 0; else if (hit) dx[i] += d;
            }
        }
    }
}

bool cwide_maxpool_forward(int lanes, const cwide_window *g, const float *x, float *y, float *argmax) {
    if (lanes == 16 && cwide_avx512()) forward16(g, x, y, argmax);
    else if (lanes == 8 && cwide_avx2()) forward8(g, x, y, argmax);
    else return false;
    return true;
}

bool cwide_maxpool_backward(int lanes, const cwide_window *g, const float *argmax, const float *y, const float *dy, float *dx, bool relu) {
    if (lanes == 16 && cwide_avx512()) backward16(g, argmax, y, dy, dx, relu);
    else if (lanes == 8 && cwide_avx2()) backward8(g, argmax, y, dy, dx, relu);
    else return false;
    return true;
}

#else

int cwide_pool_lanes(void) { return 0; }
bool cwide_maxpool_forward(int lanes, const cwide_window *g, const float *x, float *y, float *argmax) { return false; }
bool cwide_maxpool_backward(int lanes, const cwide_window *g, const float *argmax, const float *y, const float *dy, float *dx, bool relu) { return false; }

#endif
