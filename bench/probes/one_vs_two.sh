#!/bin/sh
# The MLP at batch 256 on one thread and on two: runner and PyTorch's race peer, interleaved,
# samples/s over the two training epochs. Run from the repository's root after bench/race/run
# has built .build/release/runner and bench/race/.venv, under the lock and the race's caps:
#   ONEDNN_MAX_CPU_ISA=AVX2 MKL_ENABLE_INSTRUCTIONS=AVX2 ATEN_CPU_CAPABILITY=avx2 \
#     flock /work/build.lock bench/probes/one_vs_two.sh [ROUNDS]
set -e
for r in $(seq 1 "${1:-3}"); do
  for t in 1 2; do
    seconds=$(.build/release/runner bench/race/workloads/mlp_sgd256.yaml --out /tmp/one_vs_two --kernels portable \
      --set threads=$t 2>&1 | grep -o "epoch [0-9]/2.*, [0-9.]* s$" | grep -o "[0-9.]* s$" | tr -d ' s' | paste -sd+ | bc)
    echo "round $r runner, $t thread(s): $(echo "120000 / ($seconds)" | bc) samples/s"
    bench/race/.venv/bin/python bench/race/peer_torch.py mlp_sgd256 --threads "$t" --result /tmp/one_vs_two.json
    echo "round $r PyTorch, $t thread(s): $(bench/race/.venv/bin/python -c "import json; d = json.load(open('/tmp/one_vs_two.json')); print(round(d['samples'] / sum(d['epoch_seconds'])))") samples/s"
  done
done
