#!/usr/bin/python3
"""Writes GNS's PyTorch particle datasets with numpy, as GNS's tools do, for the reader test:
DIR/train.npz in the Python 3.10+ layout (one entry gns_data, an object array of
(positions [T, N, 2] float32, particle types [N] int64, material feature) tuples), DIR/valid.npz in the
earlier layout (one entry per trajectory, each the pickled (positions float64, types) pair), and
DIR/metadata.json. Positions: particle i at step t is at (0.1 + 0.01 i + 0.001 t, 0.5 - 0.002 t k) in trajectory k.

Usage: write_gns_npz.py DIR
"""
import json
import os
import sys

import numpy as np


def trajectory(k, particles, steps, dtype):
    positions = np.zeros((steps, particles, 2), dtype=dtype)
    for t in range(steps):
        for i in range(particles):
            positions[t, i] = (0.1 + 0.01 * i + 0.001 * t, 0.5 - 0.002 * t * k)
    return positions, np.full(particles, 5 + k, dtype=np.int64)


def main(directory):
    os.makedirs(directory, exist_ok=True)
    data = np.empty(2, dtype=object)
    for k in range(2):
        positions, types = trajectory(k, 3 + k, 4, np.float32)
        data[k] = (positions, types, np.full(3 + k, 0.5))
    np.savez_compressed(os.path.join(directory, "train.npz"), gns_data=data)
    earlier = {}
    for k in range(2):
        pair = np.empty(2, dtype=object)
        pair[0], pair[1] = trajectory(k, 3 + k, 4, np.float64)
        earlier[f"simulation_trajectory_{k}"] = pair
    np.savez_compressed(os.path.join(directory, "valid.npz"), **earlier)
    metadata = {"bounds": [[0.1, 0.9], [0.1, 0.9]], "sequence_length": 3, "default_connectivity_radius": 0.015, "dim": 2, "dt": 0.0025,
                "vel_mean": [0, 0], "vel_std": [1, 1], "acc_mean": [0, 0], "acc_std": [1, 1]}
    with open(os.path.join(directory, "metadata.json"), "w") as out:
        json.dump(metadata, out)


if __name__ == "__main__":
    main(sys.argv[1])
