// Which vector widths this CPU and OS run, for the wide loops (see CWide.h and README.md).
#include "CWide.h"

#if defined(__x86_64__)
#include <cpuid.h>

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

#else

bool cwide_avx512(void) { return false; }

#endif
