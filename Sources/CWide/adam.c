// Elementwise optimizer loops on AVX-512 for the engine (see CWide.h and README.md).
#include "CWide.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

static int avx512_state = -1;

bool cwide_avx512(void) {
    if (avx512_state < 0) {
        unsigned a, b, c, d, ok = 0;
        // AVX-512F (CPUID.7.0:EBX bit 16), and the OS saving the opmask and ZMM state
        // (XCR0 bits 1, 2, 5, 6, 7) through XSAVE (CPUID.1:ECX bit 27).
        if (__get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 27)) && __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 16))) {
            unsigned lo, hi;
            __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
            ok = (lo & 0xe6) == 0xe6;
        }
        avx512_state = ok;
    }
    return avx512_state == 1;
}

__attribute__((target("avx512f")))
static void adam16(float *w, const float *g, float *m, float *v, long n, float alpha, float b1, float b2, float eps) {
    const __m512 B1 = _mm512_set1_ps(b1), B2 = _mm512_set1_ps(b2), A = _mm512_set1_ps(alpha), E = _mm512_set1_ps(eps);
    for (long i = 0; i < n; i += 16) {
        // The tail's missing lanes are zeros: they compute zeros and are not stored.
        __mmask16 k = n - i >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (n - i)) - 1);
        __m512 gi = _mm512_maskz_loadu_ps(k, g + i), mi = _mm512_maskz_loadu_ps(k, m + i);
        __m512 vi = _mm512_maskz_loadu_ps(k, v + i), wi = _mm512_maskz_loadu_ps(k, w + i);
        mi = _mm512_add_ps(mi, _mm512_mul_ps(_mm512_sub_ps(gi, mi), B1));
        vi = _mm512_add_ps(vi, _mm512_mul_ps(_mm512_sub_ps(_mm512_mul_ps(gi, gi), vi), B2));
        wi = _mm512_sub_ps(wi, _mm512_div_ps(_mm512_mul_ps(mi, A), _mm512_add_ps(_mm512_sqrt_ps(vi), E)));
        _mm512_mask_storeu_ps(m + i, k, mi);
        _mm512_mask_storeu_ps(v + i, k, vi);
        _mm512_mask_storeu_ps(w + i, k, wi);
    }
}

bool cwide_adam(float *w, const float *g, float *m, float *v, long n, float alpha, float b1, float b2, float eps) {
    if (!cwide_avx512()) return false;
    adam16(w, g, m, v, n, alpha, b1, b2, eps);
    return true;
}

#else

bool cwide_avx512(void) { return false; }
bool cwide_adam(float *w, const float *g, float *m, float *v, long n, float alpha, float b1, float b2, float eps) { return false; }

#endif
