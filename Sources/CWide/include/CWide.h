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

#endif
