#!/usr/bin/env bash
# Every CFDBench sweep (bc, prop, geo) of every problem at CFDBench's defaults, in CFDBench's layout.
# Hours of CPU time; re-running resumes where it stopped (finished cases are skipped).
# Usage: data-scripts/full-cfdbench.sh [DATA_ROOT]   (default: data/)
set -euo pipefail
cd "$(dirname "$0")/.."
root="${1:-data}"
for problem in cavity tube dam cylinder; do
  for subset in bc prop geo; do
    ./gnnsim generate cfdbench --problem "$problem" --subset "$subset" --out "$root"
  done
done
./gnnsim info "$root"
