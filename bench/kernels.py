#!/usr/bin/env python3
"""The price of portable kernels: EngineBench's small CNN and MLP under each kernel setting,
interleaved, each run holding /work/build.lock (the machine is shared); prints the median
samples/s of each setting and its cost against native.

    cd bench && swift build -c release && python3 kernels.py [ROUNDS] [THREADS]

Settings (only the timed child's environment changes):
  native    OpenBLAS and oneDNN pick by CPU (OPENBLAS_CORETYPE, DNNL_MAX_CPU_ISA unset)
  portable  OPENBLAS_CORETYPE=Haswell DNNL_MAX_CPU_ISA=AVX2 (what `runner --kernels portable` sets)
"""
import os, re, statistics, subprocess, sys

rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
threads = sys.argv[2] if len(sys.argv) > 2 else "1"
lock = os.environ.get("RACE_LOCK", "/work/build.lock")
settings = {
    "native": {},
    "portable": {"OPENBLAS_CORETYPE": "Haswell", "DNNL_MAX_CPU_ISA": "AVX2"},
}
work = {"cnn": "1920", "mlp": "25600"}
results = {(w, s): [] for w in work for s in settings}
kernels = {}
for r in range(rounds):
    for w, n in work.items():
        for s, extra in settings.items():
            env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "DNNL_MAX_CPU_ISA", "OPENBLAS_L2_SIZE")}
            env.update(extra)
            out = subprocess.run(["flock", lock, ".build/release/EngineBench", w, threads, n], env=env,
                                 capture_output=True, text=True, check=True).stdout
            results[(w, s)].append(int(re.search(r"(\d+) samples/s", out).group(1)))
            kernels[s] = re.search(r"OpenBLAS core: (\S+), oneDNN ISA: (\S+);", out).groups()
            print(f"round {r + 1} {w} {s}: {results[(w, s)][-1]} samples/s", file=sys.stderr, flush=True)
print(f"{rounds} rounds, {threads} thread(s), median samples/s (cost against native)")
for s in settings:
    print(f"  {s:9} OpenBLAS {kernels[s][0]:9} oneDNN {kernels[s][1]:16}", end="")
    for w in work:
        m, base = statistics.median(results[(w, s)]), statistics.median(results[(w, "native")])
        print(f"  {w} {m:7.0f} ({(base / m - 1) * 100:+5.1f}% time)", end="")
    print()
