// A oneDNN matmul as the engine's MatmulPlan makes it (f32, strided 2-D, user scratchpad), for the
// probes: `make` a product C = op(A)·B of m×k and k×n with leading dimensions (A read transposed
// when `ta` is set), `run` it on pointers. One thread when run with OMP_NUM_THREADS=1.
#include <dnnl.h>
#include <stdio.h>
#include <stdlib.h>

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
