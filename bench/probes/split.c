// The backward pass of one Winograd convolution layer on a batch of 32 (blocked activations),
// two threads at once, oneDNN single-threaded in each: as the engine ran it per chunk (each
// thread: backward-data then backward-weights on its own 16 images) against split (one thread
// backward-data on all 32 images, the other backward-weights on all 32), at the notebook CNN's
// four shapes; also per chunk with the two passes in opposite orders on the two threads
// ("mixed"); milliseconds per batch, 3 repetitions of 60, then each call alone.
//   gcc -O2 -o /tmp/split bench/probes/split.c -ldnnl -lpthread && OMP_NUM_THREADS=1 /tmp/split
#include <dnnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static dnnl_engine_t eng;
static dnnl_memory_t mk(const dnnl_memory_desc_t *md) { dnnl_memory_t m; dnnl_memory_create(&m, md, eng, DNNL_MEMORY_ALLOCATE);
  void *p; dnnl_memory_get_data_handle(m, &p); size_t n = dnnl_memory_desc_get_size(md); float *f = p; for (size_t i = 0; i < n/4; i++) f[i] = (float)((i*7919)%1000)/1000.f - 0.5f; return m; }
typedef struct { dnnl_primitive_t p; int n; dnnl_exec_arg_t a[6]; } Call;
typedef struct { Call c[2]; int nc; } Pass;
static Call mkcall(dnnl_primitive_desc_t pd, int n, dnnl_exec_arg_t *a) { Call c; dnnl_primitive_create(&c.p, pd); c.n = n+1;
  for (int i=0;i<n;i++) c.a[i]=a[i]; const dnnl_memory_desc_t *sm = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
  c.a[n].arg = DNNL_ARG_SCRATCHPAD; c.a[n].memory = mk(sm); return c; }
// build bwd_d and bwd_w calls for batch mb
static void build(int mb, int ic, int ih, int oc, Call *bd, Call *bw) {
  dnnl_dims_t sd = {mb, ic, ih, ih}, wd = {oc, ic, 3, 3}, dd = {mb, oc, ih, ih}, bdm = {oc}, strides = {1,1}, pl = {1,1};
  dnnl_memory_desc_t src, wei, dst, bias;
  dnnl_memory_desc_init_by_tag(&src, 4, sd, dnnl_f32, dnnl_nChw16c);
  dnnl_memory_desc_init_by_tag(&dst, 4, dd, dnnl_f32, dnnl_nChw16c);
  dnnl_memory_desc_init_by_tag(&wei, 4, wd, dnnl_f32, dnnl_format_tag_any);
  dnnl_memory_desc_init_by_tag(&bias, 1, bdm, dnnl_f32, dnnl_a);
  dnnl_primitive_attr_t attr; dnnl_primitive_attr_create(&attr); dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user);
  dnnl_convolution_desc_t fd, bdd, bwd; dnnl_primitive_desc_t fpd, bdpd, bwpd;
  dnnl_convolution_forward_desc_init(&fd, dnnl_forward_training, dnnl_convolution_winograd, &src, &wei, &bias, &dst, strides, pl, pl);
  dnnl_primitive_desc_create(&fpd, &fd, attr, eng, NULL);
  const dnnl_memory_desc_t *fw = dnnl_primitive_desc_query_md(fpd, dnnl_query_weights_md, 0);
  dnnl_memory_t ms = mk(&src), md = mk(&dst), mb_ = mk(&bias), mw = mk(fw), mdx = mk(&src);
  dnnl_convolution_backward_data_desc_init(&bdd, dnnl_convolution_winograd, &src, &wei, &dst, strides, pl, pl);
  dnnl_primitive_desc_create(&bdpd, &bdd, attr, eng, fpd);
  const dnnl_memory_desc_t *bwm = dnnl_primitive_desc_query_md(bdpd, dnnl_query_weights_md, 0);
  dnnl_memory_t mbw = mk(bwm);
  dnnl_exec_arg_t b[3] = {{DNNL_ARG_DIFF_DST, md}, {DNNL_ARG_WEIGHTS, mbw}, {DNNL_ARG_DIFF_SRC, mdx}};
  *bd = mkcall(bdpd, 3, b);
  dnnl_convolution_backward_weights_desc_init(&bwd, dnnl_convolution_winograd, &src, &wei, &bias, &dst, strides, pl, pl);
  dnnl_primitive_desc_create(&bwpd, &bwd, attr, eng, fpd);
  const dnnl_memory_desc_t *ww = dnnl_primitive_desc_query_md(bwpd, dnnl_query_diff_weights_md, 0);
  dnnl_memory_t mww = mk(ww), mdb = mk(&bias);
  dnnl_exec_arg_t c[4] = {{DNNL_ARG_SRC, ms}, {DNNL_ARG_DIFF_DST, md}, {DNNL_ARG_DIFF_WEIGHTS, mww}, {DNNL_ARG_DIFF_BIAS, mdb}};
  *bw = mkcall(bwpd, 4, c);
}
typedef struct { Pass *p; int iters; } Job;
static void *work(void *v) { Job *j = v; dnnl_stream_t st; dnnl_stream_create(&st, eng, 0);
  for (int it = 0; it < j->iters; it++) for (int i = 0; i < j->p->nc; i++) dnnl_primitive_execute(j->p->c[i].p, st, j->p->c[i].n, j->p->c[i].a);
  dnnl_stream_wait(st); return 0; }
static double two(Pass *a, Pass *b, int iters) { Job ja = {a, iters}, jb = {b, iters}; pthread_t x, y; double t0 = now();
  pthread_create(&x, 0, work, &ja); pthread_create(&y, 0, work, &jb); pthread_join(x, 0); pthread_join(y, 0); return (now()-t0)/iters*1e3; }
static double one(Pass *a, int iters) { Job ja = {a, iters}; double t0 = now(); work(&ja); return (now()-t0)/iters*1e3; }
int main(int argc, char **argv) {
  dnnl_engine_create(&eng, dnnl_cpu, 0);
  int shapes[][3] = {{256,7,256},{128,7,256},{128,14,128},{64,14,128}};
  for (int s = 0; s < 4; s++) {
    int ic = shapes[s][0], ih = shapes[s][1], oc = shapes[s][2];
    Call d16a, w16a, d16b, w16b, d32, w32;
    build(16, ic, ih, oc, &d16a, &w16a); build(16, ic, ih, oc, &d16b, &w16b); build(32, ic, ih, oc, &d32, &w32);
    Pass A1 = {{d16a, w16a}, 2}, A2 = {{d16b, w16b}, 2}, B1 = {{d32}, 1}, B2 = {{w32}, 1};
    Pass sd16 = {{d16a},1}, sw16 = {{w16a},1}; Pass M1 = {{w16a, d16a}, 2};
    int it = 60;
    two(&A1, &A2, 5); two(&B1, &B2, 5);
    double ta = 0, tb = 0, tm = 0; for (int r = 0; r < 3; r++) { ta += two(&A1, &A2, it); tb += two(&B1, &B2, it); tm += two(&M1, &A2, it); }
    printf("mixed order (w,d | d,w) %.2f ms ratio %.3f\n", tm/3, tm/ta); printf("ic%d %dx%d oc%d: chunks(2x[d16+w16]) %.2f ms   split(d32 | w32) %.2f ms  ratio %.3f | alone: d16 %.2f w16 %.2f d32 %.2f w32 %.2f\n",
      ic, ih, ih, oc, ta/3, tb/3, tb/ta, one(&sd16, it), one(&sw16, it), one(&B1, it), one(&B2, it));
  }
}
