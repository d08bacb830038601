#!/usr/bin/env bash
# Successive halving against the random search it replaces, on the notebook's space
# (experiments/fashion_halving.yaml): the same 81 candidates (trial i has the same values in
# both), 3-fold CV on the 10,000-image subset. Random trains all 81 for 27 epochs; halving
# trains 81 for 1 epoch, the best 27 on to 3, the best 9 on to 9, the best 3 on to 27
# (continuing, not restarting).
# Prints, per strategy and seed: the best mean CV accuracy, the budget in epoch·samples (from
# `runner plan`) and the search's wall time (no refit), plus the CPU others used meanwhile.
# Run it under the build lock on a shared machine: flock /work/build.lock bench/halving.sh
#   bench/halving.sh [seed ...]   (default: 42 1 2)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup
swift build -c release >&2
seeds=("$@")
[[ ${#seeds[@]} -gt 0 ]] || seeds=(42 1 2)
runner=.build/release/runner
hz=$(getconf CLK_TCK)
busy() { awk '/^cpu / {print $2+$3+$4+$7+$8}' /proc/stat; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The random search: the same file with the halving keys taken out and trials: 81.
sed -e 's/^  strategy: halving/  strategy: random\n  trials: 81/' -e '/^  factor:/d' -e '/^  resource:/d' \
    -e '/^  min_resources:/d' -e '/^  candidates:/d' experiments/fashion_halving.yaml > "$work/fashion_random.yaml"
# The search's pick: the leaderboard's first row (halving: the best of its last rung).
best() { python3 -c "import csv; print(next(csv.DictReader(open('$1')))['mean_test_accuracy'])"; }
echo "seed,strategy,best_mean_cv_accuracy,best_trial,epoch_samples,wall_s,others_cpu_s"
for seed in "${seeds[@]}"; do
  plan=$($runner plan experiments/fashion_halving.yaml --seed "$seed" | grep '^budget:')
  halving_budget=$(echo "$plan" | sed -E 's/^budget: ([0-9]+) .*/\1/')
  random_budget=$(echo "$plan" | sed -E 's/.*trials: ([0-9]+) \(.*/\1/')
  for strategy in random halving; do
    file=experiments/fashion_halving.yaml
    [[ $strategy == random ]] && file="$work/fashion_random.yaml"
    budget=$halving_budget
    [[ $strategy == random ]] && budget=$random_budget
    b0=$(busy); t0=$(date +%s.%N)
    /usr/bin/time -f "%U %S" -o "$work/time" $runner "$file" --seed "$seed" --out "$work/$strategy-$seed" --quiet --no-refit
    t1=$(date +%s.%N); b1=$(busy)
    read -r user sys < "$work/time"
    others=$(echo "($b1 - $b0) / $hz - $user - $sys" | bc -l)
    board="$work/$strategy-$seed/leaderboard.csv"
    trial=$(python3 -c "import csv; print(next(csv.DictReader(open('$board')))['trial'])")
    printf "%s,%s,%.4f,%s,%s,%.1f,%.1f\n" "$seed" "$strategy" "$(best "$board")" "$trial" "$budget" "$(echo "$t1 - $t0" | bc -l)" "$others"
  done
done
