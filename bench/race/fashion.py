"""What the race's peers share: the Fashion-MNIST files, the preprocessing and the workloads.

The runner reads the same IDX files itself (bench/race/workloads/*.yaml); the peers read
them here, so every framework trains on the same images in the same preprocessing.
"""

import gzip
import os

import numpy as np

DEFAULT_DATA = "/usr/share/datasets/fashion-mnist"

# One entry per workload. `model` names an architecture that each peer builds its own way;
# the runner's side is the YAML file of the same name under bench/race/workloads/.
WORKLOADS = {
    "mlp_sgd32": dict(model="mlp", optimizer="sgd", lr=0.01, batch=32, epochs=2, preprocess="scale"),
    "mlp_sgd256": dict(model="mlp", optimizer="sgd", lr=0.01, batch=256, epochs=2, preprocess="scale"),
    "mlp_adam32": dict(model="mlp", optimizer="adam", lr=0.001, batch=32, epochs=2, preprocess="scale"),
    "small_cnn": dict(model="small_cnn", optimizer="adam", lr=0.001, batch=64, epochs=2, preprocess="standardize"),
    "notebook_cnn": dict(model="notebook_cnn", optimizer="sgd", lr=0.01, batch=32, epochs=1, preprocess="standardize"),
    # The notebook's RandomizedSearchCV cell (experiments/fashion_search.yaml).
    "search": dict(trials=10, folds=3, epochs=5, batch=32, subset=10000, preprocess="scale"),
}

# --quick: the same workloads, shorter (a smoke run of the harness, not a measurement).
QUICK = {
    "epochs": 1,
    "search": dict(trials=3, epochs=2, subset=3000),
}


def workload(name, quick=False):
    w = dict(WORKLOADS[name])
    if quick:
        if name == "search":
            w.update(QUICK["search"])
        else:
            w["epochs"] = QUICK["epochs"]
    return w


def _read_idx(folder, stem):
    """An IDX file `stem` of `folder`, raw or gzipped, as a NumPy array."""
    for path, opener in ((os.path.join(folder, stem), open), (os.path.join(folder, stem + ".gz"), gzip.open)):
        if os.path.exists(path):
            with opener(path, "rb") as f:
                raw = f.read()
            dims = raw[3]
            shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims))
            return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)
    raise SystemExit(f"missing {os.path.join(folder, stem)}(.gz): install the Debian package dataset-fashion-mnist")


def load(folder=DEFAULT_DATA):
    """(x_train, y_train, x_test, y_test): images as float32 (N, 28, 28), labels as int64."""
    x_train = _read_idx(folder, "train-images-idx3-ubyte").astype(np.float32)
    y_train = _read_idx(folder, "train-labels-idx1-ubyte").astype(np.int64)
    x_test = _read_idx(folder, "t10k-images-idx3-ubyte").astype(np.float32)
    y_test = _read_idx(folder, "t10k-labels-idx1-ubyte").astype(np.int64)
    return x_train, y_train, x_test, y_test


def preprocess(method, x_train, x_test):
    """The runner's `preprocess`: scale is x / 255; standardize is per pixel, population std,
    fitted on the training images (scikit-learn's StandardScaler)."""
    if method == "scale":
        return x_train / np.float32(255), x_test / np.float32(255)
    if method == "standardize":
        mean = x_train.mean(axis=0, dtype=np.float64)
        std = x_train.std(axis=0, dtype=np.float64)
        std[std == 0] = 1
        mean, std = mean.astype(np.float32), std.astype(np.float32)
        return (x_train - mean) / std, (x_test - mean) / std
    raise ValueError(method)


def stratified_subset(y, size, seed=42):
    """Indices of a stratified random subset of `size` labels (sorted)."""
    rng = np.random.default_rng(seed)
    picked = []
    classes = np.unique(y)
    for c in classes:
        idx = np.flatnonzero(y == c)
        k = int(round(size * len(idx) / len(y)))
        picked.append(rng.choice(idx, size=k, replace=False))
    return np.sort(np.concatenate(picked))[:size]


def write_subset(folder, train, test, source=DEFAULT_DATA):
    """Writes the first `train` training and `test` test images of `source` as raw IDX files in
    `folder` (for --quick and the untimed verbose runs); every framework then reads those."""
    os.makedirs(folder, exist_ok=True)
    for stem, count in (("train-images-idx3-ubyte", train), ("train-labels-idx1-ubyte", train),
                        ("t10k-images-idx3-ubyte", test), ("t10k-labels-idx1-ubyte", test)):
        a = _read_idx(source, stem)[:count]
        header = bytes([0, 0, 8, a.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in a.shape)
        with open(os.path.join(folder, stem), "wb") as f:
            f.write(header + a.tobytes())
