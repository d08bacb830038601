#include <oneapi/dnnl/dnnl.h>

// DNNL_MEMORY_ALLOCATE is a cast macro Swift does not import.
static inline void *cdnnl_memory_allocate(void) { return DNNL_MEMORY_ALLOCATE; }

// oneDNN runs its kernels on the OpenMP runtime (libgomp); these set its thread count.
// Declared here because omp.h lives in GCC's private include folder, which Swift's clang does not search.
void omp_set_num_threads(int);
int omp_get_max_threads(void);
