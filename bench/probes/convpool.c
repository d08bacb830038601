// CWide's convpool.c (a first convolution with its bias and ReLU and the 2x2 max pool after it,
// one pass) on small_cnn's first layer, 16 images a call: its bits against plain loops that sum
// in the same order (forward: y and argmax; backward: kernel and bias gradients), then the best
// of 7 rounds of 300 calls each way, as seconds per 60,000 images on one thread.
//   S=Sources/CWide; gcc -O2 -ffp-contract=off -I$S/include -o /tmp/convpool bench/probes/convpool.c
//       $S/convpool.c $S/cpu.c -lm && /tmp/convpool 1    # 1: same padding (28x28), 0: valid (26x26)
#include "CWide.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <time.h>
static float rnd(void) { return (float)rand() / RAND_MAX * 2 - 1; }
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
int main(int argc, char **argv) {
  long N = 16, H = 28, W = 28, C = 1, F = 32, KH = 3, KW = 3;
  int padv = argc > 1 ? atoi(argv[1]) : 1;   // 1 same, 0 valid
  cwide_window g = {N, H, W, C, KH, KW, 1, 1, padv ? H : H - 2, padv ? W : W - 2, padv, padv};
  long OH = g.outHeight, OW = g.outWidth, PH = OH / 2, PW = OW / 2, K = KH * KW * C;
  float *x = malloc(N*H*W*C*4), *w = malloc(K*F*4), *b = malloc(F*4);
  for (long i = 0; i < N*H*W*C; i++) x[i] = rnd();
  for (long i = 0; i < K*F; i++) w[i] = rnd() * 0.3f;
  for (long i = 0; i < F; i++) b[i] = rnd() * 0.1f;
  float *y = malloc(N*PH*PW*F*4), *am = malloc(N*PH*PW*F*4), *ry = malloc(N*PH*PW*F*4), *ram = malloc(N*PH*PW*F*4);
  if (!cwide_convpool_forward(&g, F, x, w, b, true, PH, PW, y, am)) { puts("refused"); return 1; }
  // reference: conv+bias+relu per pixel in k order, pool first-wins strict >
  for (long n = 0; n < N; n++) for (long ph = 0; ph < PH; ph++) for (long pw = 0; pw < PW; pw++) for (long f = 0; f < F; f++) {
    float best = 0; int at = 0;
    for (int a = 0; a < 4; a++) {
      long oh = 2*ph + a/2, ow = 2*pw + a%2; float acc = 0; int first = 1;
      for (long i = 0; i < KH; i++) for (long j = 0; j < KW; j++) for (long c = 0; c < C; c++) {
        long ih = oh - padv + i, iw = ow - padv + j;
        float v = (ih >= 0 && ih < H && iw >= 0 && iw < W) ? x[((n*H+ih)*W+iw)*C+c] : 0;
        float p = v * w[((i*KW+j)*C+c)*F+f];
        acc = first ? p : acc + p; first = 0;
      }
      acc = acc + b[f]; if (!(acc >= 0)) acc = acc != acc ? acc : (acc < 0 ? 0 : acc);
      if (a == 0 || acc > best) { if (a) at = a; best = acc; }
    }
    long o = ((n*PH+ph)*PW+pw)*F+f; ry[o] = best; ram[o] = at;
  }
  long bad = 0; for (long i = 0; i < N*PH*PW*F; i++) if (memcmp(&y[i], &ry[i], 4) || am[i] != ram[i]) bad++;
  printf("forward mismatches %ld of %ld\n", bad, N*PH*PW*F);
  float *dy = malloc(N*PH*PW*F*4), *dw = malloc(K*F*4), *db = malloc(F*4), *rdw = calloc(K*F, 4), *rdb = calloc(F, 4);
  for (long i = 0; i < N*PH*PW*F; i++) dy[i] = rnd();
  cwide_convpool_backward(&g, F, x, am, y, dy, true, PH, PW, dw, db);
  for (long n = 0; n < N; n++) for (long ph = 0; ph < PH; ph++) for (long pw = 0; pw < PW; pw++) for (long f = 0; f < F; f++) {
    long o = ((n*PH+ph)*PW+pw)*F+f; float d = y[o] > 0 ? dy[o] : 0; int a = (int)am[o];
    long oh = 2*ph + a/2, ow = 2*pw + a%2;
    for (long i = 0; i < KH; i++) for (long j = 0; j < KW; j++) for (long c = 0; c < C; c++) {
      long ih = oh - padv + i, iw = ow - padv + j;
      float v = (ih >= 0 && ih < H && iw >= 0 && iw < W) ? x[((n*H+ih)*W+iw)*C+c] : 0;
      long k = (i*KW+j)*C+c; rdw[k*F+f] = rdw[k*F+f] + v * d;
    }
    rdb[f] = rdb[f] + d;
  }
  bad = 0; for (long i = 0; i < K*F; i++) if (memcmp(&dw[i], &rdw[i], 4)) bad++;
  for (long i = 0; i < F; i++) if (memcmp(&db[i], &rdb[i], 4)) bad++;
  printf("backward mismatches %ld of %ld\n", bad, K*F+F);
  double bf = 1e9, bb = 1e9;
  for (int round = 0; round < 7; round++) {
    int reps = 300; double t0 = now();
    for (int r = 0; r < reps; r++) cwide_convpool_forward(&g, F, x, w, b, true, PH, PW, y, am);
    double t1 = now();
    for (int r = 0; r < reps; r++) cwide_convpool_backward(&g, F, x, am, y, dy, true, PH, PW, dw, db);
    double t2 = now();
    if ((t1-t0)/reps < bf) bf = (t1-t0)/reps;
    if ((t2-t1)/reps < bb) bb = (t2-t1)/reps;
  }
  printf("best of 7: forward %.1f us/chunk of %ld (%.2f s per 60k), backward %.1f us (%.2f s per 60k)\n", bf*1e6, N, bf*60000/N, bb*1e6, bb*60000/N);
  return 0;
}
