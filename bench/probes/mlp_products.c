// The MLP's matrix products (784-300-100-10, batch 256) through oneDNN matmul as the engine's
// MatmulPlan makes them, milliseconds per training step of the products named, one thread:
// the first layer's forward in row chunks of 32, 64, 128 and 256, and its weight gradient as
// 98-row slices of Xᵀ·dZ (the engine's split) or as column slices with the whole Xᵀ.
//   gcc -O2 -o /tmp/mlpp bench/probes/mlp_products.c -ldnnl
//   OMP_NUM_THREADS=1 /tmp/mlpp; ONEDNN_MAX_CPU_ISA=AVX2 OMP_NUM_THREADS=1 /tmp/mlpp
#include <dnnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

typedef struct { dnnl_primitive_t p; dnnl_stream_t s; dnnl_memory_t a, b, c, sc; const char *impl; } product;
static dnnl_engine_t engine;

// rows × cols, row-major with leading dimension ld, or the transpose of a cols × rows one.
static void desc(dnnl_memory_desc_t *d, long rows, long cols, long ld, int trans) {
    dnnl_dims_t dims = {rows, cols}, strides = {trans ? 1 : ld, trans ? ld : 1};
    dnnl_memory_desc_init_by_strides(d, 2, dims, dnnl_f32, strides);
}

static product make(int ta, long m, long n, long k, long lda, long ldb, long ldc) {
    if (!engine) dnnl_engine_create(&engine, dnnl_cpu, 0);
    product r;
    dnnl_memory_desc_t a, b, c;
    desc(&a, m, k, lda, ta); desc(&b, k, n, ldb, 0); desc(&c, m, n, ldc, 0);
    dnnl_matmul_desc_t md;
    dnnl_matmul_desc_init(&md, &a, &b, NULL, &c);
    dnnl_primitive_attr_t attr;
    dnnl_primitive_attr_create(&attr);
    dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user);
    dnnl_primitive_desc_t pd;
    if (dnnl_primitive_desc_create(&pd, &md, attr, engine, NULL)) { printf("no matmul for %ldx%ldx%ld\n", m, n, k); exit(1); }
    dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &r.impl);
    dnnl_primitive_create(&r.p, pd);
    dnnl_stream_create(&r.s, engine, dnnl_stream_default_flags);
    dnnl_memory_create(&r.a, &a, engine, DNNL_MEMORY_NONE);
    dnnl_memory_create(&r.b, &b, engine, DNNL_MEMORY_NONE);
    dnnl_memory_create(&r.c, &c, engine, DNNL_MEMORY_NONE);
    dnnl_memory_create(&r.sc, dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0), engine, DNNL_MEMORY_ALLOCATE);
    return r;
}

static void run(product *r, const float *a, const float *b, float *c) {
    dnnl_memory_set_data_handle(r->a, (void *)a);
    dnnl_memory_set_data_handle(r->b, (void *)b);
    dnnl_memory_set_data_handle(r->c, c);
    dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, r->a}, {DNNL_ARG_WEIGHTS, r->b}, {DNNL_ARG_DST, r->c}, {DNNL_ARG_SCRATCHPAD, r->sc}};
    dnnl_primitive_execute(r->p, r->s, 4, args);
    dnnl_stream_wait(r->s);
}

static float *C;

// `calls` products per step, the ith at a + i·astep, b + i·bstep, C + i·cstep: best of 5 × 300 steps.
static void bench(const char *name, int ta, long m, long n, long k, long lda, long ldb, long ldc, int calls,
                  const float *a, long astep, const float *b, long bstep, long cstep) {
    product p = make(ta, m, n, k, lda, ldb, ldc);
    for (int r = 0; r < 20; r++) for (int i = 0; i < calls; i++) run(&p, a + i * astep, b + i * bstep, C + i * cstep);
    double best = 1e9;
    for (int rep = 0; rep < 5; rep++) {
        double t0 = now();
        for (int r = 0; r < 300; r++) for (int i = 0; i < calls; i++) run(&p, a + i * astep, b + i * bstep, C + i * cstep);
        double t = (now() - t0) / 300;
        if (t < best) best = t;
    }
    printf("%-40s %-16s %7.4f ms/step %5.0f GFLOP/s\n", name, p.impl, best * 1e3, 2.0 * m * n * k * calls / best / 1e9);
}

int main(void) {
    long B = 256, K = 784, N = 300;
    float *x = malloc(B * K * 4), *w = malloc(K * N * 4), *dz = malloc(B * N * 4);
    C = malloc(K * N * 4);
    for (long j = 0; j < B * K; j++) x[j] = (j % 97) * 0.01f;
    for (long j = 0; j < K * N; j++) w[j] = (j % 89) * 0.01f;
    for (long j = 0; j < B * N; j++) dz[j] = (j % 83) * 0.01f;
    bench("forward, 8 chunks of 32 rows", 0, 32, N, K, K, N, N, 8, x, 32 * K, w, 0, 32 * N);
    bench("forward, 4 chunks of 64 rows", 0, 64, N, K, K, N, N, 4, x, 64 * K, w, 0, 64 * N);
    bench("forward, 2 chunks of 128 rows", 0, 128, N, K, K, N, N, 2, x, 128 * K, w, 0, 128 * N);
    bench("forward, 256 rows", 0, 256, N, K, K, N, N, 1, x, 0, w, 0, 0);
    bench("weight gradient, 8 row slices of 98", 1, 98, N, B, K, N, N, 8, x, 98, dz, 0, 98 * N);
    bench("weight gradient, 4 column slices of 75", 1, K, 75, B, K, N, N, 4, x, 0, dz, 75, 75);
    bench("weight gradient, whole", 1, K, N, B, K, N, N, 1, x, 0, dz, 0, 0);
    return 0;
}
