#!/usr/bin/env bash
# Cylinder-wake trajectories on unstructured meshes (like DeepMind's cylinder_flow), train/valid/test
# files with different seeds. Re-running resumes an interrupted file.
# Usage: data-scripts/cylinder-mesh.sh [OUT_DIR] [TRAIN_TRAJECTORIES] [FRAMES]
#   default: data/cylinder_mesh, 8 training trajectories (2 valid, 2 test) of 100 frames;
#   DeepMind's sizes are 1000 / 100 / 100 trajectories of 600 frames.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-data/cylinder_mesh}"
train="${2:-8}"
frames="${3:-100}"
held_out=$(( train / 4 > 1 ? train / 4 : 1 ))
./gnnsim generate cylinder-mesh --trajectories "$train" --frames "$frames" --seed 0 --out "$out/train.h5"
./gnnsim generate cylinder-mesh --trajectories "$held_out" --frames "$frames" --seed 1 --out "$out/valid.h5"
./gnnsim generate cylinder-mesh --trajectories "$held_out" --frames "$frames" --seed 2 --out "$out/test.h5"
./gnnsim info "$out/train.h5"
