// oneDNN's direct convolutions (nhwc activations, the engine's layout) against its Winograd
// F(4x4, 3x3) kernels (blocked activations) at the 3x3 shapes of the small and notebook CNNs,
// 16 images: forward, backward data and backward weights, milliseconds per call, one thread.
//   gcc -O2 -o /tmp/wino bench/probes/wino.c -ldnnl && OMP_NUM_THREADS=1 /tmp/wino
// Winograd exists in oneDNN 2.6 only for AVX-512 (avx512_core); elsewhere its rows fail.
#include <dnnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#define CHECK(x) do { dnnl_status_t s = (x); if (s != dnnl_success) { printf("fail %s: %d\n", #x, s); return -1; } } while (0)
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static dnnl_engine_t eng; static dnnl_stream_t st;
static dnnl_memory_t mk(const dnnl_memory_desc_t *md) { dnnl_memory_t m; dnnl_memory_create(&m, md, eng, DNNL_MEMORY_ALLOCATE);
  void *p; dnnl_memory_get_data_handle(m, &p); size_t n = dnnl_memory_desc_get_size(md); float *f = p; for (size_t i = 0; i < n/4; i++) f[i] = (float)((i*7919)%1000)/1000.f - 0.5f; return m; }
static double run(dnnl_primitive_desc_t pd, int nargs, dnnl_exec_arg_t *args, int iters) {
  dnnl_primitive_t p; dnnl_primitive_create(&p, pd);
  const dnnl_memory_desc_t *sm = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
  dnnl_memory_t s = mk(sm); args[nargs].arg = DNNL_ARG_SCRATCHPAD; args[nargs].memory = s;
  for (int i = 0; i < 5; i++) dnnl_primitive_execute(p, st, nargs+1, args);
  dnnl_stream_wait(st);
  double t0 = now();
  for (int i = 0; i < iters; i++) dnnl_primitive_execute(p, st, nargs+1, args);
  dnnl_stream_wait(st);
  return (now() - t0) / iters * 1e3;
}
static int probe(int mb, int ic, int ih, int oc, int pad, dnnl_alg_kind_t alg, int iters) {
  int oh = ih + 2*pad - 2;
  dnnl_dims_t sd = {mb, ic, ih, ih}, wd = {oc, ic, 3, 3}, dd = {mb, oc, oh, oh}, bd = {oc};
  dnnl_dims_t strides = {1, 1}, pl = {pad, pad};
  dnnl_memory_desc_t src, wei, dst, bias;
  dnnl_format_tag_t dt = alg == dnnl_convolution_direct ? dnnl_nhwc : dnnl_format_tag_any;
  dnnl_memory_desc_init_by_tag(&src, 4, sd, dnnl_f32, dt);
  dnnl_memory_desc_init_by_tag(&dst, 4, dd, dnnl_f32, dt);
  dnnl_memory_desc_init_by_tag(&wei, 4, wd, dnnl_f32, dnnl_format_tag_any);
  dnnl_memory_desc_init_by_tag(&bias, 1, bd, dnnl_f32, dnnl_a);
  dnnl_primitive_attr_t attr; dnnl_primitive_attr_create(&attr); dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user);
  dnnl_convolution_desc_t fd, bdd, bwd;
  CHECK(dnnl_convolution_forward_desc_init(&fd, dnnl_forward_training, alg, &src, &wei, &bias, &dst, strides, pl, pl));
  dnnl_primitive_desc_t fpd, bdpd, bwpd;
  if (dnnl_primitive_desc_create(&fpd, &fd, attr, eng, NULL) != dnnl_success) { printf("  no fwd pd\n"); return -1; }
  const char *impl; dnnl_primitive_desc_query(fpd, dnnl_query_impl_info_str, 0, &impl);
  const dnnl_memory_desc_t *fs = dnnl_primitive_desc_query_md(fpd, dnnl_query_src_md, 0);
  const dnnl_memory_desc_t *fw = dnnl_primitive_desc_query_md(fpd, dnnl_query_weights_md, 0);
  const dnnl_memory_desc_t *fdst = dnnl_primitive_desc_query_md(fpd, dnnl_query_dst_md, 0);
  dnnl_memory_t ms = mk(fs), mw = mk(fw), md = mk(fdst), mb_ = mk(&bias);
  dnnl_exec_arg_t a[8] = {{DNNL_ARG_SRC, ms}, {DNNL_ARG_WEIGHTS, mw}, {DNNL_ARG_BIAS, mb_}, {DNNL_ARG_DST, md}};
  double tf = run(fpd, 4, a, iters);
  CHECK(dnnl_convolution_backward_data_desc_init(&bdd, alg, fs, &wei, fdst, strides, pl, pl));
  double tb = -1, tw = -1; const char *ib = "-", *iw = "-";
  if (dnnl_primitive_desc_create(&bdpd, &bdd, attr, eng, fpd) == dnnl_success) {
    dnnl_primitive_desc_query(bdpd, dnnl_query_impl_info_str, 0, &ib);
    const dnnl_memory_desc_t *bw = dnnl_primitive_desc_query_md(bdpd, dnnl_query_weights_md, 0);
    dnnl_memory_t mbw = mk(bw);
    dnnl_exec_arg_t b[8] = {{DNNL_ARG_DIFF_DST, md}, {DNNL_ARG_WEIGHTS, mbw}, {DNNL_ARG_DIFF_SRC, ms}};
    tb = run(bdpd, 3, b, iters);
  }
  CHECK(dnnl_convolution_backward_weights_desc_init(&bwd, alg, fs, &wei, &bias, fdst, strides, pl, pl));
  if (dnnl_primitive_desc_create(&bwpd, &bwd, attr, eng, fpd) == dnnl_success) {
    dnnl_primitive_desc_query(bwpd, dnnl_query_impl_info_str, 0, &iw);
    const dnnl_memory_desc_t *ww = dnnl_primitive_desc_query_md(bwpd, dnnl_query_diff_weights_md, 0);
    dnnl_memory_t mww = mk(ww);
    dnnl_exec_arg_t c[8] = {{DNNL_ARG_SRC, ms}, {DNNL_ARG_DIFF_DST, md}, {DNNL_ARG_DIFF_WEIGHTS, mww}, {DNNL_ARG_DIFF_BIAS, mb_}};
    tw = run(bwpd, 4, c, iters);
  }
  printf("mb%d ic%d %dx%d oc%d pad%d %-8s fwd %.3f (%s)  bwd_d %.3f (%s)  bwd_w %.3f (%s)  total %.3f ms\n", mb, ic, ih, ih, oc, pad,
         alg == dnnl_convolution_direct ? "direct" : "winograd", tf, impl, tb, ib, tw, iw, tf + (tb > 0 ? tb : 0) + (tw > 0 ? tw : 0));
  return 0;
}
int main(int argc, char **argv) {
  dnnl_engine_create(&eng, dnnl_cpu, 0); dnnl_stream_create(&st, eng, dnnl_stream_default_flags);
  int shapes[][5] = {{16, 32, 14, 64, 0}, {16, 64, 14, 128, 1}, {16, 128, 14, 128, 1}, {16, 128, 7, 256, 1}, {16, 256, 7, 256, 1}, {32, 32, 14, 64, 0}};
  for (int i = 0; i < 6; i++) {
    int it = 200;
    probe(shapes[i][0], shapes[i][1], shapes[i][2], shapes[i][3], shapes[i][4], dnnl_convolution_direct, it);
    probe(shapes[i][0], shapes[i][1], shapes[i][2], shapes[i][3], shapes[i][4], dnnl_convolution_winograd, it);
  }
}
