#!/usr/bin/env bash
# The mesh transformer's mask augmentations on a short budget (issue 19's ablation): the small model
# trained with the mesh adjacency alone, then with each augmentation, each for the same wall-clock
# budget on one core, scored on the test split of the same cylinder-wake data; one table at the end.
# Re-running resumes every run (the budget counts time spent).
# Usage: data-scripts/transformer-ablation.sh [MINUTES_EACH] [DATA] [OUT_DIR]
#   default: 6 minutes each, the PhysGTO study's data (runs/physgto-vs-mgn/cylinder_mesh.h5), runs/transformer-ablation
set -euo pipefail
cd "$(dirname "$0")/.."
minutes="${1:-6}"
data="${2:-runs/physgto-vs-mgn/cylinder_mesh.h5}"
out="${3:-runs/transformer-ablation}"
[ -f "$data" ] || ./gnnsim generate cylinder-mesh --trajectories 20 --frames 100 --seed 1 --out "$data"
variants=(
  "none|"
  "k_hop_2|--set model.k_hop=2"
  "random_jumps_1|--set model.random_jumps=1"
  "dilated_2x2|--set model.dilation=2 --set model.window=2"
  "global_tokens_4|--set model.global_tokens=4"
)
for variant in "${variants[@]}"; do
  name="${variant%%|*}"
  read -r -a extra <<< "${variant#*|}"
  resume=(); [ -f "$out/$name/checkpoint.pt" ] && resume=(--resume)
  ./gnnsim train configs/transformer_small_cylinder.yaml --out "$out/$name" --threads 1 --set "data.path=$data" \
    --set "training.max_minutes=$minutes" --set training.normalizer_warmup_steps=20 --set training.log_every=50 \
    --set training.checkpoint_every=500 "${extra[@]}" "${resume[@]}"
  ./gnnsim eval "$out/$name" --threads 1 > "$out/$name/eval.txt"
done
echo "variant,steps,rmse_1,rmse_1..50,rmse_all"
for variant in "${variants[@]}"; do
  name="${variant%%|*}"
  /usr/bin/python3 - "$out/$name" "$name" <<'PY'
import json, sys
run, name = sys.argv[1], sys.argv[2]
model = json.load(open(f"{run}/eval.json"))["mean"]["model"]
steps = json.load(open(f"{run}/checkpoint.json"))["step"]
by = {m["horizon"]: m["rmse"] for m in model}
print(f"{name},{steps},{by[1]:.4g},{by.get(50, float('nan')):.4g},{model[-1]['rmse']:.4g}")
PY
done
