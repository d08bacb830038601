#include "CWide.h"

// FTZ (MXCSR bit 15) flushes results below the normal range to zero; DAZ (bit 6) reads such
// inputs as zero. SSE and AVX instructions obey both; the x87 unit is not used here.
#if defined(__x86_64__)
#include <xmmintrin.h>

static const unsigned flush = 0x8040;

bool cwide_flushes_subnormals(void) { return (_mm_getcsr() & flush) == flush; }

void cwide_flush_subnormals(bool on) {
    unsigned csr = _mm_getcsr();
    _mm_setcsr(on ? (csr | flush) : (csr & ~flush));
}

#elif defined(__aarch64__)
// FPCR.FZ (bit 24) does both on AArch64.
static unsigned long fpcr(void) { unsigned long r; __asm__ volatile("mrs %0, fpcr" : "=r"(r)); return r; }

bool cwide_flushes_subnormals(void) { return (fpcr() >> 24) & 1; }

void cwide_flush_subnormals(bool on) {
    unsigned long r = on ? (fpcr() | (1ul << 24)) : (fpcr() & ~(1ul << 24));
    __asm__ volatile("msr fpcr, %0" : : "r"(r));
}

#else
bool cwide_flushes_subnormals(void) { return false; }
void cwide_flush_subnormals(bool on) { (void)on; }
#endif
