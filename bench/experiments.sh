#!/usr/bin/env bash
# Times the headline experiments end to end (release build), as a student would run them.
# Records the machine's load: the CPU time other processes used during each run (from
# /proc/stat minus this run's own), so a disturbed run can be recognised and repeated.
# OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are left as the environment sets them; run with
# `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE bench/experiments.sh` to measure without them.
#   bench/experiments.sh [experiment.yaml ...]   (default: fashion_mlp, fashion_search, fashion_cnn)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup
swift build -c release >&2
files=("$@")
[[ ${#files[@]} -gt 0 ]] || files=(experiments/fashion_mlp.yaml experiments/fashion_search.yaml experiments/fashion_cnn.yaml)
hz=$(getconf CLK_TCK)
busy() { awk '/^cpu / {print $2+$3+$4+$7+$8}' /proc/stat; }
echo "experiment,wall_s,own_cpu_s,others_cpu_s,test_accuracy"
for f in "${files[@]}"; do
  out=$(mktemp -d)
  b0=$(busy)
  t0=$(date +%s.%N)
  /usr/bin/time -f "%U %S" -o "$out/time" .build/release/runner "$f" --out "$out/run" --quiet
  t1=$(date +%s.%N)
  b1=$(busy)
  read -r user sys < "$out/time"
  own=$(echo "$user + $sys" | bc -l)
  others=$(echo "($b1 - $b0) / $hz - $own" | bc -l)
  acc=$(python3 -c "import csv,sys; r=list(csv.DictReader(open('$out/run/test.csv'))); print(r[0].get('test_accuracy',''))" 2>/dev/null || echo "")
  printf "%s,%.1f,%.1f,%.1f,%s\n" "$(basename "$f" .yaml)" "$(echo "$t1 - $t0" | bc -l)" "$own" "$others" "$acc"
  rm -rf "$out"
done
