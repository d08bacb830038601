#ifndef CWIDE_H
#define CWIDE_H
#include <stdbool.h>

/// Whether the CPU and the OS run AVX-512F (the functions below return false otherwise).
bool cwide_avx512(void);

/// Keras's Adam step on n elements, 16 lanes at a time (AVX-512), exactly the engine's Swift
/// rule (Adam.swift), operation for operation and without fused multiply-adds:
///   m = m + (g - m) * b1;  v = v + (g * g - v) * b2;  w = w - m * alpha / (sqrt(v) + eps)
/// Returns false, touching nothing, when the CPU has no AVX-512.
bool cwide_adam(float *w, const float *g, float *m, float *v, long n, float alpha, float b1, float b2, float eps);

/// Whether the calling thread flushes floats below the normal range to zero (x86: FTZ and DAZ
/// both set; AArch64: FPCR.FZ).
bool cwide_flushes_subnormals(void);

/// Sets or clears the calling thread's flushing of floats below the normal range (x86: FTZ and
/// DAZ together). Other bits of the control register (rounding, exception masks) are kept.
void cwide_flush_subnormals(bool on);

#endif
