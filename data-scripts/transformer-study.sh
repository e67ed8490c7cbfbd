#!/usr/bin/env bash
# The accuracy study of the mesh-transformer issue, on the cylinder-wake mesh data of the PhysGTO study
# (data-scripts/physgto-vs-mgn.sh: the same recipe, so its PhysGTO and MeshGraphNet runs sit beside):
#   1. the small transformer trained for MINUTES on one core (the PhysGTO study's budget per model);
#   2. at the same time, on the other core, the ablation of the attention mask's augmentations, each
#      variant trained for ABLATION_MINUTES: none (the mesh), k-hop (2), random jumps (2 per node),
#      dilated windows (rings 2 and 4 hops away) and global tokens (4 per graph);
#   3. every run scored on the test split, their RMSE printed side by side beside persistence (CSV), and
#      one comparison report of the small transformer, the PhysGTO study's runs where they exist, and
#      the ablation's variants.
# Runs go PARALLEL at a time (default 2), one core each, so every run has the same share of the
# machine; ONLY (transformer, ablation or all) picks which runs this call trains.
# Re-running resumes the data and every run (the budgets count time already spent).
# Usage: data-scripts/transformer-study.sh [MINUTES] [ABLATION_MINUTES] [OUT_DIR] [STUDY_DIR] [PARALLEL] [ONLY]
#   default: 60 and 12 minutes, runs/transformer-study, the PhysGTO study in runs/physgto-vs-mgn, 2, all.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes="${1:-60}"
ablation_minutes="${2:-12}"
out="${3:-runs/transformer-study}"
study="${4:-runs/physgto-vs-mgn}"
parallel="${5:-2}"
only="${6:-all}"
data="$study/cylinder_mesh.h5"
mkdir -p "$out"
./gnnsim generate cylinder-mesh --trajectories 20 --frames 100 --seed 1 --out "$data"
# As the PhysGTO study: the normalizers warm up for 20 steps (not 1000: the budget is short).
common=(--set "data.path=$data" --set training.normalizer_warmup_steps=20
        --set training.log_every=20 --set training.checkpoint_every=100 --threads 1)
resume() { [ -f "$1/checkpoint.pt" ] && echo --resume || true; }
train() { # NAME MINUTES [--set ...]
  ./gnnsim train configs/transformer_small_cylinder.yaml --out "$out/$1" "${common[@]}" \
    --set "training.max_minutes=$2" $(resume "$out/$1") "${@:3}" > "$out/$1.log" 2>&1
}
runs=()
case "$only" in
  transformer|all) runs+=("transformer $minutes") ;;&
  ablation|all)
    runs+=("mask-mesh $ablation_minutes"
           "mask-khop2 $ablation_minutes --set model.k_hop=2"
           "mask-jumps $ablation_minutes --set model.random_jumps=2"
           "mask-dilated $ablation_minutes --set model.dilation=2 --set model.window=2"
           "mask-global $ablation_minutes --set model.global_tokens=4") ;;
  transformer) ;;
  *) echo "ONLY must be transformer, ablation or all, not $only" >&2; exit 2 ;;
esac
pids=() names=()
for run in "${runs[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do wait -n || true; done
  read -r -a words <<< "$run"
  train "${words[@]}" &
  pids+=($!) names+=("${words[0]}")
done
failed=0
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || { failed=1; echo "the training of ${names[$i]} failed: see $out/${names[$i]}.log" >&2; }
done
[ "$failed" = 0 ] || exit 1
for name in "${names[@]}"; do ./gnnsim eval "$out/$name" --threads "$parallel" > "$out/$name/eval.txt"; done
echo "run,steps,rmse_1,rmse_1..50,rmse_all,persistence_rmse_all"
for name in "${names[@]}"; do
  /usr/bin/python3 - "$out/$name" "$name" <<'PY'
import json, sys
run, name = sys.argv[1], sys.argv[2]
mean = json.load(open(f"{run}/eval.json"))["mean"]
steps = json.load(open(f"{run}/checkpoint.json"))["step"]
model = {m["horizon"]: m["rmse"] for m in mean["model"]}
print(f"{name},{steps},{model[1]:.4g},{model.get(50, float('nan')):.4g},{mean['model'][-1]['rmse']:.4g},{mean['persistence'][-1]['rmse']:.4g}")
PY
done
if [ -f "$out/transformer/checkpoint.pt" ]; then
  ./gnnsim rollout "$out/transformer" --split test --out "$out/transformer/rollout.h5"
  # One comparison: the small transformer, the PhysGTO study's runs where they exist, the ablation's variants.
  compared=("$out/transformer")
  for run in "$study/physgto" "$study/meshgraphnet" "$out"/mask-*/; do [ -f "${run%/}/eval.json" ] && compared+=("${run%/}"); done
  ./gnnsim report "${compared[@]}" --out "$out/compare.html"
fi
