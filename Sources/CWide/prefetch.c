// A hint that memory is read soon (see CWide.h and README.md).
#include "CWide.h"

void cwide_prefetch(const void *p, long bytes) {
    if (bytes <= 0) return;
    const char *c = p;
    for (long i = 0; i < bytes; i += 64) __builtin_prefetch(c + i, 0, 3);
    __builtin_prefetch(c + bytes - 1, 0, 3);   // the last line when p is not on a line's start
}
