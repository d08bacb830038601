// Which vector widths this CPU and OS run, for the wide loops (see CWide.h and README.md).
#include "CWide.h"

#if defined(__x86_64__)
#include <cpuid.h>

// Whether CPUID.1:ECX has all of `leaf1Ecx` (always XSAVE, bit 27), CPUID.7.0:EBX all of
// `leaf7Ebx`, and the OS saves all of the register state `xcr0` names (XGETBV).
static bool runs(unsigned leaf1Ecx, unsigned leaf7Ebx, unsigned xcr0) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || (c & leaf1Ecx) != leaf1Ecx) return false;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || (b & leaf7Ebx) != leaf7Ebx) return false;
    unsigned lo, hi;
    __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (lo & xcr0) == xcr0;
}

static int avx512_state = -1, avx2_state = -1;

bool cwide_avx512(void) {
    // AVX-512F (EBX bit 16); XCR0 bits 1, 2, 5, 6, 7: XMM, YMM, opmask and ZMM state.
    if (avx512_state < 0) avx512_state = runs(1u << 27, 1u << 16, 0xe6);
    return avx512_state == 1;
}

bool cwide_avx2(void) {
    // AVX (ECX bit 28) and AVX2 (EBX bit 5); XCR0 bits 1, 2: XMM and YMM state.
    if (avx2_state < 0) avx2_state = runs((1u << 27) | (1u << 28), 1u << 5, 0x6);
    return avx2_state == 1;
}

#else

bool cwide_avx512(void) { return false; }
bool cwide_avx2(void) { return false; }

#endif
