#!/usr/bin/env bash
# The accuracy study of the PhysGTO issue: PhysGTO and MeshGraphNet (15 x 128) trained for the same
# wall-clock budget on the same cylinder-wake mesh data, scored on its test split beside persistence,
# and compared in one report. Re-running resumes the data and both runs (the budget counts time spent).
# Usage: data-scripts/physgto-vs-mgn.sh [MINUTES_EACH] [TRAJECTORIES] [FRAMES] [OUT_DIR] [sequential|parallel]
#   default: 60 minutes each, 20 trajectories (80/10/10 by trajectory) of 100 frames, runs/physgto-vs-mgn,
#   one run after the other on every core; parallel: both at once, one core each (the same share of
#   the machine for each, in half the time).
set -euo pipefail
cd "$(dirname "$0")/.."
minutes="${1:-60}"
trajectories="${2:-20}"
frames="${3:-100}"
out="${4:-runs/physgto-vs-mgn}"
mode="${5:-sequential}"
data="$out/cylinder_mesh.h5"
./gnnsim generate cylinder-mesh --trajectories "$trajectories" --frames "$frames" --seed 1 --out "$data"
# Both see the data the same way; the normalizers warm up for 20 steps (not DeepMind's 1000: the budget is short).
common=(--set "data.path=$data" --set "training.max_minutes=$minutes" --set training.normalizer_warmup_steps=20
        --set training.log_every=20 --set training.checkpoint_every=100)
resume() { [ -f "$1/checkpoint.pt" ] && echo --resume || true; }
train() { ./gnnsim train "$1" --out "$out/$2" "${common[@]}" $(resume "$out/$2") "${@:3}"; }
case "$mode" in
  sequential)
    train configs/physgto_cylinder.yaml physgto
    train configs/cylinder.yaml meshgraphnet ;;
  parallel)
    train configs/physgto_cylinder.yaml physgto --threads 1 > "$out/physgto.log" 2>&1 &
    physgto=$!
    train configs/cylinder.yaml meshgraphnet --threads 1 > "$out/meshgraphnet.log" 2>&1 &
    meshgraphnet=$!
    failed=0
    wait "$physgto" || { failed=1; echo "PhysGTO's training failed: see $out/physgto.log" >&2; }
    wait "$meshgraphnet" || { failed=1; echo "MeshGraphNet's training failed: see $out/meshgraphnet.log" >&2; }
    [ "$failed" = 0 ] || exit 1 ;;
  *) echo "mode must be sequential or parallel, not $mode" >&2; exit 2 ;;
esac
for run in physgto meshgraphnet; do
  ./gnnsim eval "$out/$run"
  ./gnnsim rollout "$out/$run" --split test --out "$out/$run/rollout.h5"
done
./gnnsim report "$out/physgto" "$out/meshgraphnet" --out "$out/compare.html"
