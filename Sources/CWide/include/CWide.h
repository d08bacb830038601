#ifndef CWIDE_H
#define CWIDE_H
#include <stdbool.h>

/// Whether the CPU and the OS run AVX-512F (the functions below return false otherwise).
bool cwide_avx512(void);

/// Whether the CPU and the OS run AVX2 (with AVX's YMM state).
bool cwide_avx2(void);

/// Whether the calling thread flushes floats below the normal range to zero (x86: FTZ and DAZ
/// both set; AArch64: FPCR.FZ).
bool cwide_flushes_subnormals(void);

/// Sets or clears the calling thread's flushing of floats below the normal range (x86: FTZ and
/// DAZ together). Other bits of the control register (rounding, exception masks) are kept.
void cwide_flush_subnormals(bool on);

/// A pooling window's geometry over NHWC tensors: the engine's WindowGeometry.
typedef struct {
    long batch, height, width, channels;
    long kernelH, kernelW, strideH, strideW;
    long outHeight, outWidth, padTop, padLeft;
} cwide_window;

/// The widest lanes the max-pooling loops below have on this CPU: 16 (AVX-512F), 8 (AVX2) or 0.
int cwide_pool_lanes(void);

/// Max pooling forward, exactly the engine's Swift loop (Pooling.maxForward): y, and with a
/// non-null argmax each maximum's place in its window as a Float (in y's layout). x and y are
/// each NHWC or, `blocked`, oneDNN's nChw16c (channels a multiple of 16). `lanes` is 16 or 8;
/// returns false, touching nothing, when the CPU does not run that width.
bool cwide_maxpool_forward(int lanes, const cwide_window *g, const float *x, bool xBlocked, float *y, bool yBlocked,
                           float *argmax);

/// Max pooling backward, exactly the engine's Swift loop (Pooling.maxBackward) after its zeroing:
/// windows that tile the input store each covered cell, overlapping ones add into dx. argmax,
/// y and dy in one layout, dx in x's (as the forward pass).
/// Returns false, touching nothing, when the CPU does not run that width.
bool cwide_maxpool_backward(int lanes, const cwide_window *g, const float *argmax, const float *y, const float *dy,
                            bool yBlocked, float *dx, bool xBlocked, bool relu);

/// The patch matrix (im2col) of a convolution over a one-channel NHWC input, as the engine's
/// Swift fill (Patches.fill): one row per output (n, oh, ow) of its window's kernelH·kernelW
/// input values in row-major order, +0 for padded cells; values are copied, never computed.
/// Returns false, touching nothing, for more than one channel or without AVX-512.
bool cwide_patches_gray(const cwide_window *g, const float *x, float *p);

/// A convolution `g` (NHWC input, Keras's kernel w (kh, kw, C, filters), few values a patch:
/// kh·kw·C ≤ 32, filters in 8s) with its bias (if not null) and, with `relu`, max(0, ·), then a
/// 2x2 max pool of stride 2 over its output, in one pass (convpool.c): y (batch, pooledH,
/// pooledW, filters) as Pooling.maxForward would write it from the convolution's output, and
/// with a non-null argmax each maximum's place 0...3 in its window as a Float. The convolution
/// output itself is never written. Each output sums its patch's products in kernel order, then
/// adds the bias. False, touching nothing, without AVX2 or when the sizes do not suit
/// (2·pooledH ≤ outHeight, 2·pooledW ≤ outWidth).
bool cwide_convpool_forward(const cwide_window *g, long filters, const float *x, const float *w, const float *bias,
                            bool relu, long pooledH, long pooledW, float *y, float *argmax);

/// The weight gradient of cwide_convpool_forward from the pooled gradient dy, overwriting dw
/// (kh, kw, C, filters) and db (if not null): each window's dy (with `relu`, only where its
/// pooled y > 0) times the patch of the output its argmax names, summed over the batch's
/// windows in order. No input gradient.
bool cwide_convpool_backward(const cwide_window *g, long filters, const float *x, const float *argmax, const float *y,
                             const float *dy, bool relu, long pooledH, long pooledW, float *dw, float *db);

/// The input gradient of a convolution `g` (any kernel, stride and padding; channels and filters
/// in 8s) followed by a 2x2 max pool of stride 2, from the pooled gradient dy: dx (batch, height,
/// width, C), overwritten, = Σ over the windows and filters of dy (with `relu`, only where the
/// pooled y > 0) times the filter's taps, at the patch of the output its argmax names. The
/// kernel by filter: wt (filters, kh, kw, C). Three of each window's four outputs have a zero
/// gradient; this skips them, and the full-size gradient is not read. The sums' order is fixed
/// by the image alone (convpool.c). False, touching nothing, without AVX2 or when the sizes do
/// not suit.
bool cwide_convpool_backward_data(const cwide_window *g, long filters, const float *wt, const float *argmax, const float *y,
                                  const float *dy, bool relu, long pooledH, long pooledW, float *dx);

/// Asks the CPU to bring the cache lines of `bytes` bytes from `p` into the cache (a hint:
/// changes no value, faults on nothing). The batch gather reads a few rows ahead this way:
/// shuffled rows lie anywhere in a data set larger than the caches.
void cwide_prefetch(const void *p, long bytes);

/// A 3x3 stride-1 convolution's tiling for Winograd F(4x4, 3x3) (winograd.c): an NHWC input of
/// batch × height × width × channels, `pad` zeros on every side, an output of outHeight ×
/// outWidth (= height + 2·pad − 2, the same for widths), cut into tilesH × tilesW tiles of 4x4
/// outputs per image (⌈outHeight/4⌉ × ⌈outWidth/4⌉). T = batch·tilesH·tilesW tiles, numbered
/// image by image, row by row.
typedef struct {
    long batch, height, width, channels, pad;
    long outHeight, outWidth, tilesH, tilesW;
} cwide_w43;

/// U (36 planes of ic × oc, row-major) = G g Gᵀ for each (input, output) channel pair of the
/// kernel g in Keras's layout (3, 3, ic, oc), or with `rotate` of g turned 180° (the input
/// gradient's kernel, whose planes the products then take transposed). False, touching nothing,
/// without AVX2 or when oc is not a multiple of 8 (as every cwide_w43 function).
bool cwide_w43_kernel(const float *g, long ic, long oc, bool rotate, float *U);

/// dg (3, 3, ic, oc), overwritten, = Gᵀ dU G: the kernel gradient from the planes' gradients dU.
bool cwide_w43_kernel_backward(const float *dU, long ic, long oc, float *dg);

/// V (36 planes of T × channels) = Bᵀ d B for each tile's 6x6 input block d (zeros outside the input).
bool cwide_w43_input(const cwide_w43 *g, const float *x, float *V);

/// y (batch, outHeight, outWidth, oc) = Aᵀ m A for each tile's 36 products m (planes of T × oc),
/// + bias (if not null), then max(·, 0) with `relu`; outputs beyond outHeight, outWidth dropped.
bool cwide_w43_output(const cwide_w43 *g, long oc, const float *M, const float *bias, bool relu, float *y);

/// dM (36 planes of T × oc) = A dy Aᵀ for each tile's 4x4 block of dy (batch, outHeight,
/// outWidth, oc; zeros beyond the output): the products' gradient, from which the kernel
/// gradient's planes are Vᵀ·dM.
bool cwide_w43_output_backward(const cwide_w43 *g, long oc, const float *dy, float *dM);

#endif
