#!/usr/bin/env bash
# Small CFDBench-layout datasets for trying things out: the first cases of each problem's
# boundary-condition sweep, 2 s of flow (20 frames at CFDBench's 0.1 s; the cylinder 0.05 s at 0.001 s).
# Usage: data-scripts/small-cfdbench.sh [DATA_ROOT]   (default: data/)
set -euo pipefail
cd "$(dirname "$0")/.."
root="${1:-data}"
for problem in cavity tube dam; do
  ./gnnsim generate cfdbench --problem "$problem" --subset bc --cases 5 --t-end 2 --frame-dt 0.1 --out "$root"
done
./gnnsim generate cfdbench --problem cylinder --subset bc --cases 5 --t-end 0.05 --frame-dt 0.001 --out "$root"
./gnnsim info "$root"
