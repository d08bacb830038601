"""The race's PyTorch peer: trains one workload on 2 threads and writes its result as JSON.

    peer_torch.py WORKLOAD --data FOLDER --result FILE [--quick] [--seed S]

Data are tensors in memory; batches are slices of a shuffled index (no DataLoader). Layers start
as Keras's do (Glorot-uniform kernels, zero biases) and Adam's epsilon is Keras's 1e-7, so the
three contestants train the same model; neither choice changes PyTorch's speed. Only the training epochs are timed. The `search` workload is
the notebook's search done with Optuna (random sampler) and a 3-fold CV of PyTorch MLPs.
"""

import argparse
import json
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import fashion

THREADS = 2


def build(name):
    if name == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(),
                             nn.Linear(100, 10))
    if name == "small_cnn":
        # experiments/fashion_cnn.yaml: 28 -same-> 28 -pool-> 14 -valid-> 12 -pool-> 6
        return nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(64 * 6 * 6, 128), nn.ReLU(), nn.Dropout(0.3), nn.Linear(128, 10))
    if name == "notebook_cnn":
        # The notebook of seed 001: 28 -> 14 -> 7 -> 3
        return nn.Sequential(
            nn.Conv2d(1, 64, 7, padding=3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(64, 128, 3, padding=1), nn.ReLU(), nn.Conv2d(128, 128, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(128, 256, 3, padding=1), nn.ReLU(), nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(256 * 3 * 3, 128), nn.ReLU(), nn.Dropout(0.5),
            nn.Linear(128, 64), nn.ReLU(), nn.Dropout(0.5), nn.Linear(64, 10))
    raise ValueError(name)


def keras_init(model):
    """Keras's defaults: glorot_uniform kernels (fans as Keras counts them), zero biases."""
    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    return model


def optimizer(kind, params, lr):
    return torch.optim.SGD(params, lr=lr) if kind == "sgd" else torch.optim.Adam(params, lr=lr, eps=1e-7)


def train_epochs(model, opt, x, y, batch, epochs, generator):
    """Trains; returns each epoch's seconds and mean loss."""
    seconds, losses = [], []
    n = len(x)
    model.train()
    for _ in range(epochs):
        start = time.perf_counter()
        order = torch.randperm(n, generator=generator)
        total = torch.zeros(())
        for i in range(0, n, batch):
            idx = order[i:i + batch]
            xb, yb = x[idx], y[idx]
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(xb), yb)  # softmax + sparse categorical cross-entropy
            loss.backward()
            opt.step()
            total += loss.detach() * len(idx)
        seconds.append(time.perf_counter() - start)
        losses.append(float(total) / n)
    return seconds, losses


@torch.no_grad()
def accuracy(model, x, y):
    model.eval()
    correct = sum(int((model(x[i:i + 1000]).argmax(1) == y[i:i + 1000]).sum()) for i in range(0, len(x), 1000))
    return correct / len(x)


def train_workload(name, w, data, seed):
    x_train, y_train, x_test, y_test = data
    x_train, x_test = fashion.preprocess(w["preprocess"], x_train, x_test)
    if w["model"] != "mlp":
        x_train, x_test = x_train[:, None], x_test[:, None]  # NCHW, one channel
    x, y = torch.from_numpy(np.ascontiguousarray(x_train)), torch.from_numpy(y_train)
    xt, yt = torch.from_numpy(np.ascontiguousarray(x_test)), torch.from_numpy(y_test)
    torch.manual_seed(seed)  # the initialization and dropout
    model = keras_init(build(w["model"]))
    opt = optimizer(w["optimizer"], model.parameters(), w["lr"])
    seconds, losses = train_epochs(model, opt, x, y, w["batch"], w["epochs"], torch.Generator().manual_seed(seed))
    return dict(epoch_seconds=seconds, samples=len(x) * w["epochs"], losses=losses, test_accuracy=accuracy(model, xt, yt))


def mlp(n_hidden, n_neurons):
    layers, width = [nn.Flatten()], 784
    for _ in range(n_hidden):
        layers += [nn.Linear(width, n_neurons), nn.ReLU()]
        width = n_neurons
    return nn.Sequential(*layers, nn.Linear(width, 10))


def search(w, data):
    """Optuna's random sampler proposes (n_hidden, n_neurons, learning_rate) as the notebook's
    RandomizedSearchCV did; each trial is scored by stratified 3-fold CV."""
    import optuna
    from sklearn.model_selection import StratifiedKFold

    x_all, y_all, _, _ = data
    keep = fashion.stratified_subset(y_all, w["subset"])
    x_np, _ = fashion.preprocess(w["preprocess"], x_all[keep], x_all[:1])
    x, y = torch.from_numpy(np.ascontiguousarray(x_np)), torch.from_numpy(y_all[keep])
    folds = list(StratifiedKFold(n_splits=w["folds"], shuffle=True, random_state=42).split(x_np, y_all[keep]))

    def objective(trial):
        n_hidden = trial.suggest_int("n_hidden", 0, 3)
        n_neurons = trial.suggest_int("n_neurons", 1, 99)
        lr = trial.suggest_float("learning_rate", 3e-4, 3e-2, log=True)
        scores = []
        for k, (train, test) in enumerate(folds):
            torch.manual_seed(trial.number * 10 + k)
            model = keras_init(mlp(n_hidden, n_neurons))
            opt = torch.optim.SGD(model.parameters(), lr=lr)
            train_epochs(model, opt, x[train], y[train], w["batch"], w["epochs"], torch.Generator().manual_seed(k))
            scores.append(accuracy(model, x[test], y[test]))
        return float(np.mean(scores))

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.RandomSampler(seed=42))
    start = time.perf_counter()
    study.optimize(objective, n_trials=w["trials"])
    return dict(search_seconds=time.perf_counter() - start, best_score=study.best_value)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("workload", choices=sorted(fashion.WORKLOADS))
    p.add_argument("--data", default=fashion.DEFAULT_DATA)
    p.add_argument("--result", required=True)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--seed", type=int, default=42,
                   help="seed of the initialization, the shuffling and dropout (default 42; the search keeps its own)")
    p.add_argument("--threads", type=int, default=THREADS,
                   help=f"torch.set_num_threads (default {THREADS}, as the race runs every contestant)")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    data = fashion.load(args.data)
    w = fashion.workload(args.workload, args.quick)
    result = search(w, data) if args.workload == "search" else train_workload(args.workload, w, data, args.seed)
    result.update(framework="PyTorch", version=torch.__version__, threads=torch.get_num_threads(),
                  cpu_capability=torch.backends.cpu.get_cpu_capability(), mkl=torch.backends.mkl.is_available(),
                  mkldnn=torch.backends.mkldnn.is_available())
    with open(args.result, "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
