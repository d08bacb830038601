#!/usr/bin/env python3
"""Reads a model file written by runner with the reference safetensors library and prints
each tensor's name, dtype and shape, then the metadata keys (and the architecture JSON).

    pip install safetensors numpy
    python3 bench/safetensors_check.py runs/x/best.safetensors
"""
import json
import sys

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file


def main(path: str) -> int:
    tensors = load_file(path)
    for name in sorted(tensors):
        t = tensors[name]
        print(f"{name}\t{t.dtype}\t{tuple(t.shape)}\tmean={float(np.mean(t)):.6g}")
    with safe_open(path, framework="numpy") as f:
        metadata = f.metadata() or {}
    for key in sorted(metadata):
        value = metadata[key]
        if key == "architecture":
            arch = json.loads(value)
            print(f"metadata {key}: input_shape={arch['input_shape']}, layers="
                  + ", ".join(f"{l['name']}({l['kind']})" for l in arch["layers"]))
        else:
            print(f"metadata {key}: {value}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: safetensors_check.py FILE.safetensors", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
