#!/usr/bin/python3
"""Writes a small learning_to_simulate particle dataset without TensorFlow, for GnnSim's reader test.

The bytes are built from the protocol-buffer wire format and the TFRecord framing by hand (no
GnnSim code involved): each record a tf.train.SequenceExample with context "key" (int64) and
"particle_type" (the int64 types as raw bytes), and feature list "position" (per step the float32
positions [N, 2] as raw bytes); records framed as length, masked CRC32C of the length, data,
masked CRC32C of the data. Also writes metadata.json.

Usage: write_gns_tfrecord.py DIRECTORY
  trajectory k (k = 0, 1) has 3 + k particles of type 5 + k and 4 steps; particle i of step t
  sits at (0.1 + 0.01 i + 0.001 t, 0.5 - 0.002 t k).
"""
import json
import os
import struct
import sys

import numpy as np


def varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def field(number, payload):
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def feature_bytes(value):
    return field(1, field(1, value))                      # Feature.bytes_list { value }


def feature_int64(values):
    return field(3, field(1, b"".join(varint(v) for v in values)))   # Feature.int64_list { packed value }


def features(mapping):
    return b"".join(field(1, field(1, key.encode()) + field(2, value)) for key, value in mapping.items())


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def masked(crc):
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def record(data):
    length = struct.pack("<Q", len(data))
    return length + struct.pack("<I", masked(crc32c(length))) + data + struct.pack("<I", masked(crc32c(data)))


def trajectory(k):
    n, steps = 3 + k, 4
    positions = np.array([[[0.1 + 0.01 * i + 0.001 * t, 0.5 - 0.002 * t * k] for i in range(n)] for t in range(steps)], dtype="<f4")
    types = np.full(n, 5 + k, dtype="<i8")
    context = features({"key": feature_int64([k]), "particle_type": feature_bytes(types.tobytes())})
    steps_list = b"".join(field(1, feature_bytes(p.tobytes())) for p in positions)
    return field(1, context) + field(2, features({"position": steps_list}))


def main(directory):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "test.tfrecord"), "wb") as out:
        for k in range(2):
            out.write(record(trajectory(k)))
    metadata = {"bounds": [[0.1, 0.9], [0.1, 0.9]], "sequence_length": 3, "default_connectivity_radius": 0.015, "dim": 2, "dt": 0.0025,
                "vel_mean": [0.0, 0.0], "vel_std": [1.0, 1.0], "acc_mean": [0.0, 0.0], "acc_std": [1.0, 1.0]}
    with open(os.path.join(directory, "metadata.json"), "w") as out:
        json.dump(metadata, out)


if __name__ == "__main__":
    main(sys.argv[1])
