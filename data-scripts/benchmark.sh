#!/usr/bin/env bash
# The leaderboard: every operator on every problem of a suite, trained, rolled out and scored the
# same way, into OUT_DIR/leaderboard.md, leaderboard.csv and report.html. Re-running continues
# where it stopped (finished runs are kept, an interrupted one resumes from its checkpoint).
# Usage: data-scripts/benchmark.sh [SUITE] [OUT_DIR] [BUDGET_MINUTES] [JOBS]
#   default: configs/benchmark/cpu.yaml into runs/benchmark-cpu with each run's own 10 minutes:
#   27 runs, about five hours on two cores (configs/benchmark/gpu.yaml is the GPU suite);
#   BUDGET_MINUTES shares that many training minutes evenly over the suite's runs instead ("" keeps
#   the runs' own); JOBS trains that many runs at a time, one thread each (2 on two cores: about
#   two and a half hours for the CPU suite; the step times then share the machine).
set -euo pipefail
cd "$(dirname "$0")/.."
suite="${1:-configs/benchmark/cpu.yaml}"
out="${2:-runs/benchmark-$(basename "$suite" .yaml)}"
budget=()
[ -n "${3:-}" ] && budget=(--budget-minutes "$3")
jobs=()
[ -n "${4:-}" ] && jobs=(--jobs "$4" --threads 1)
./gnnsim benchmark "$suite" --out "$out" "${budget[@]}" "${jobs[@]}"
