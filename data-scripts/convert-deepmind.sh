#!/usr/bin/env bash
# Converts a downloaded DeepMind MeshGraphNets dataset folder (meta.json + train/valid/test.tfrecord,
# e.g. cylinder_flow) to GnnSim's HDF5 trajectories, one file per split present.
# Usage: data-scripts/convert-deepmind.sh DATASET_DIR [OUT_DIR]   (default OUT_DIR: DATASET_DIR)
set -euo pipefail
cd "$(dirname "$0")/.."
source_dir="${1:?usage: data-scripts/convert-deepmind.sh DATASET_DIR [OUT_DIR]}"
out="${2:-$source_dir}"
for split in train valid test; do
  if [ -f "$source_dir/$split.tfrecord" ]; then
    ./gnnsim convert tfrecord "$source_dir" --split "$split" --out "$out/$split.h5"
  fi
done
./gnnsim info "$source_dir"
