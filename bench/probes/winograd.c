// Our Winograd F(4x4, 3x3) (Sources/CWide/winograd.c's transforms, the 36 products in one oneDNN
// batched matmul, as Engine's Winograd4x4) at the notebook and small CNNs' 3x3 shapes, 16 images:
// first its error against a double-precision sum, then milliseconds per call of the forward,
// backward-data and backward-weights passes, one thread. Each pass here makes its kernel
// transform itself (in the engine the chunks of a step share one). Compare with oneDNN's direct
// kernels under the same cap: bench/probes/wino.c.
//   S=Sources/CWide; gcc -O2 -ffp-contract=off -I$S/include -o /tmp/w43 bench/probes/winograd.c
//       $S/winograd.c $S/cpu.c -ldnnl -lm && ONEDNN_MAX_CPU_ISA=AVX2 OMP_NUM_THREADS=1 /tmp/w43
#include "CWide.h"
#include <dnnl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

// C[b] = op(A[b])·op(B[b]) for b < B, through oneDNN matmul (3-D descriptors, packed planes).
typedef struct { dnnl_primitive_t p; dnnl_stream_t s; dnnl_memory_t a, b, c, sc; } bmm;
static dnnl_engine_t mm_eng;
static void mmdesc(dnnl_memory_desc_t *d, long B, long rows, long cols, long ld, long plane, int trans) {
  dnnl_dims_t dims = {B, rows, cols}, st = {plane, trans ? 1 : ld, trans ? ld : 1};
  dnnl_memory_desc_init_by_strides(d, 3, dims, dnnl_f32, st);
}
static bmm bmm_make(long B, int ta, int tb, long m, long n, long k) {
  if (!mm_eng) dnnl_engine_create(&mm_eng, dnnl_cpu, 0);
  bmm r; dnnl_memory_desc_t a, b, c;
  long lda = ta ? m : k, ldb = tb ? k : n;
  mmdesc(&a, B, m, k, lda, m * k, ta); mmdesc(&b, B, k, n, ldb, k * n, tb); mmdesc(&c, B, m, n, n, m * n, 0);
  dnnl_matmul_desc_t md; dnnl_matmul_desc_init(&md, &a, &b, NULL, &c);
  dnnl_primitive_attr_t at; dnnl_primitive_attr_create(&at); dnnl_primitive_attr_set_scratchpad_mode(at, dnnl_scratchpad_mode_user);
  dnnl_primitive_desc_t pd; if (dnnl_primitive_desc_create(&pd, &md, at, mm_eng, NULL)) { printf("no matmul pd\n"); exit(1); }
  const char *impl; dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl);
  static int said; if (said++ < 3) printf("  matmul impl %s\n", impl);
  dnnl_primitive_create(&r.p, pd); dnnl_stream_create(&r.s, mm_eng, dnnl_stream_default_flags);
  dnnl_memory_create(&r.a, &a, mm_eng, DNNL_MEMORY_NONE); dnnl_memory_create(&r.b, &b, mm_eng, DNNL_MEMORY_NONE);
  dnnl_memory_create(&r.c, &c, mm_eng, DNNL_MEMORY_NONE);
  dnnl_memory_create(&r.sc, dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0), mm_eng, DNNL_MEMORY_ALLOCATE);
  return r;
}
static void bmm_run(bmm *r, const float *a, const float *b, float *c) {
  dnnl_memory_set_data_handle(r->a, (void *)a); dnnl_memory_set_data_handle(r->b, (void *)b); dnnl_memory_set_data_handle(r->c, c);
  dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, r->a}, {DNNL_ARG_WEIGHTS, r->b}, {DNNL_ARG_DST, r->c}, {DNNL_ARG_SCRATCHPAD, r->sc}};
  dnnl_primitive_execute(r->p, r->s, 4, args); dnnl_stream_wait(r->s);
}
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static float *rnd(long n) { float *p = aligned_alloc(64, ((n * 4 + 63) / 64) * 64); for (long i = 0; i < n; i++) p[i] = (float)rand() / RAND_MAX - 0.5f; return p; }
static float *zal(long n) { float *p = aligned_alloc(64, ((n * 4 + 63) / 64) * 64); memset(p, 0, n * 4); return p; }
typedef struct { cwide_w43 f, b; long ic, oc, T, Tb; float *V, *M, *U, *Ur, *dU; bmm mf, md, mw; } plan;
static plan mkplan(long n, long h, long ic, long oc, long pad) {
  plan p; p.ic = ic; p.oc = oc;
  long oh = h + 2 * pad - 2;
  p.f = (cwide_w43){n, h, h, ic, pad, oh, oh, (oh + 3) / 4, (oh + 3) / 4};
  p.b = (cwide_w43){n, oh, oh, oc, 2 - pad, h, h, (h + 3) / 4, (h + 3) / 4};
  p.T = n * p.f.tilesH * p.f.tilesW; p.Tb = n * p.b.tilesH * p.b.tilesW;
  long vs = 36 * (p.T * ic > p.Tb * oc ? p.T * ic : p.Tb * oc), ms = 36 * (p.T * oc > p.Tb * ic ? p.T * oc : p.Tb * ic);
  p.V = zal(vs); p.M = zal(ms); p.U = zal(36 * ic * oc); p.Ur = zal(36 * ic * oc); p.dU = zal(36 * ic * oc);
  p.mf = bmm_make(36, 0, 0, p.T, oc, ic); p.md = bmm_make(36, 0, 1, p.Tb, ic, oc); p.mw = bmm_make(36, 1, 0, ic, oc, p.T);
  return p;
}
static void fwd(plan *p, const float *x, const float *w, const float *bias, float *y, int relu) {
  cwide_w43_kernel(w, p->ic, p->oc, 0, p->U);
  cwide_w43_input(&p->f, x, p->V);
  bmm_run(&p->mf, p->V, p->U, p->M);
  cwide_w43_output(&p->f, p->oc, p->M, bias, relu, y);
}
static void bwdd(plan *p, const float *w, const float *dy, float *dx) {
  cwide_w43_kernel(w, p->ic, p->oc, 1, p->Ur);
  cwide_w43_input(&p->b, dy, p->V);
  bmm_run(&p->md, p->V, p->Ur, p->M);
  cwide_w43_output(&p->b, p->ic, p->M, NULL, 0, dx);
}
static void bwdw(plan *p, const float *x, const float *dy, float *dw) {
  cwide_w43_input(&p->f, x, p->V);
  cwide_w43_output_backward(&p->f, p->oc, dy, p->M);
  bmm_run(&p->mw, p->V, p->M, p->dU);
  cwide_w43_kernel_backward(p->dU, p->ic, p->oc, dw);
}
static void ref(long n, long h, long ic, long oc, long pad, const float *x, const float *w, const float *dy,
                double *y, double *dx, double *dw) {
  long oh = h + 2 * pad - 2;
  memset(y, 0, n * oh * oh * oc * 8); memset(dx, 0, n * h * h * ic * 8); memset(dw, 0, 9 * ic * oc * 8);
  for (long b = 0; b < n; b++) for (long r = 0; r < oh; r++) for (long s = 0; s < oh; s++)
    for (long i = 0; i < 3; i++) for (long j = 0; j < 3; j++) {
      long rr = r + i - pad, ss = s + j - pad;
      if (rr < 0 || rr >= h || ss < 0 || ss >= h) continue;
      for (long c = 0; c < ic; c++) for (long o = 0; o < oc; o++) {
        double xv = x[((b * h + rr) * h + ss) * ic + c], wv = w[((i * 3 + j) * ic + c) * oc + o], g = dy[((b * oh + r) * oh + s) * oc + o];
        y[((b * oh + r) * oh + s) * oc + o] += xv * wv;
        dx[((b * h + rr) * h + ss) * ic + c] += g * wv;
        dw[((i * 3 + j) * ic + c) * oc + o] += g * xv;
      }
    }
}
static double maxrel(const float *a, const double *b, long n) {
  double m = 0, s = 0; for (long i = 0; i < n; i++) { double d = fabs(a[i] - b[i]); if (d > m) m = d; if (fabs(b[i]) > s) s = fabs(b[i]); }
  return m / s;
}
int main(int argc, char **argv) {
  long cs[][5] = {{2, 7, 16, 8, 1}, {2, 6, 8, 16, 1}, {2, 9, 8, 8, 0}, {1, 5, 16, 24, 0}, {2, 14, 64, 128, 1}, {2, 7, 256, 256, 1}};
  for (int t = 0; t < 6; t++) {
    long n = cs[t][0], h = cs[t][1], ic = cs[t][2], oc = cs[t][3], pad = cs[t][4], oh = h + 2 * pad - 2;
    float *x = rnd(n * h * h * ic), *w = rnd(9 * ic * oc), *dy = rnd(n * oh * oh * oc);
    float *y = zal(n * oh * oh * oc), *dx = zal(n * h * h * ic), *dw = zal(9 * ic * oc);
    double *ry = malloc(n * oh * oh * oc * 8), *rdx = malloc(n * h * h * ic * 8), *rdw = malloc(9 * ic * oc * 8);
    plan p = mkplan(n, h, ic, oc, pad);
    fwd(&p, x, w, NULL, y, 0); bwdd(&p, w, dy, dx); bwdw(&p, x, dy, dw);
    ref(n, h, ic, oc, pad, x, w, dy, ry, rdx, rdw);
    printf("check n%ld h%ld ic%ld oc%ld pad%ld: y %.2e dx %.2e dw %.2e\n", n, h, ic, oc, pad,
           maxrel(y, ry, n * oh * oh * oc), maxrel(dx, rdx, n * h * h * ic), maxrel(dw, rdw, 9 * ic * oc));
  }
  long shapes[][5] = {{16, 14, 64, 128, 1}, {16, 14, 128, 128, 1}, {16, 7, 128, 256, 1}, {16, 7, 256, 256, 1}, {16, 14, 32, 64, 0}};
  int iters = argc > 1 ? atoi(argv[1]) : 20;
  for (int t = 0; t < 5; t++) {
    long n = shapes[t][0], h = shapes[t][1], ic = shapes[t][2], oc = shapes[t][3], pad = shapes[t][4], oh = h + 2 * pad - 2;
    float *x = rnd(n * h * h * ic), *w = rnd(9 * ic * oc), *dy = rnd(n * oh * oh * oc), *bias = rnd(oc);
    float *y = zal(n * oh * oh * oc), *dx = zal(n * h * h * ic), *dw = zal(9 * ic * oc);
    plan p = mkplan(n, h, ic, oc, pad);
    for (int i = 0; i < 3; i++) { fwd(&p, x, w, bias, y, 1); bwdd(&p, w, dy, dx); bwdw(&p, x, dy, dw); }
    double tf, tb, tw, ti, to, tk;
    double t0 = now(); for (int i = 0; i < iters; i++) fwd(&p, x, w, bias, y, 1); tf = (now() - t0) / iters * 1e3;
    t0 = now(); for (int i = 0; i < iters; i++) bwdd(&p, w, dy, dx); tb = (now() - t0) / iters * 1e3;
    t0 = now(); for (int i = 0; i < iters; i++) bwdw(&p, x, dy, dw); tw = (now() - t0) / iters * 1e3;
    t0 = now(); for (int i = 0; i < iters; i++) cwide_w43_input(&p.f, x, p.V); ti = (now() - t0) / iters * 1e3;
    t0 = now(); for (int i = 0; i < iters; i++) cwide_w43_output(&p.f, oc, p.M, bias, 1, y); to = (now() - t0) / iters * 1e3;
    t0 = now(); for (int i = 0; i < iters; i++) cwide_w43_kernel(w, ic, oc, 0, p.U); tk = (now() - t0) / iters * 1e3;
    printf("mb%ld ic%ld %ldx%ld oc%ld pad%ld  w43 fwd %.3f bwd_d %.3f bwd_w %.3f total %.3f ms  (input %.3f output %.3f kernel %.3f)\n",
           n, ic, h, h, oc, pad, tf, tb, tw, tf + tb + tw, ti, to, tk);
  }
}
