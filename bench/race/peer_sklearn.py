"""The race's scikit-learn peer for the notebook search: RandomizedSearchCV over an
MLPClassifier built from (n_hidden, n_neurons, learning_rate) as the notebook's build_model,
plain SGD (no momentum, no L2), batch 32, 3-fold CV, on 2 worker processes of one BLAS
thread each (as runner's --jobs 2). Only the search is timed; no refit.

    peer_sklearn.py search --data FOLDER --result FILE [--quick]
"""

import argparse
import json
import time
import warnings

import numpy as np
import sklearn
from scipy.stats import loguniform, randint
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import RandomizedSearchCV
from sklearn.neural_network import MLPClassifier

import fashion

JOBS = 2


class NotebookMLP(ClassifierMixin, BaseEstimator):
    """The notebook's build_model(n_hidden, n_neurons, learning_rate) as an estimator."""

    def __init__(self, n_hidden=1, n_neurons=30, learning_rate=3e-3, epochs=5, batch_size=32):
        self.n_hidden = n_hidden
        self.n_neurons = n_neurons
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size

    def fit(self, x, y):
        self.model_ = MLPClassifier(hidden_layer_sizes=(self.n_neurons,) * self.n_hidden, solver="sgd",
                                    learning_rate_init=self.learning_rate, momentum=0.0, alpha=0.0,
                                    batch_size=self.batch_size, max_iter=self.epochs, tol=0.0,
                                    n_iter_no_change=self.epochs + 1, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # a fixed number of epochs, as Keras
            self.model_.fit(x, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, x):
        return self.model_.predict(x)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("workload", choices=["search"])
    p.add_argument("--data", default=fashion.DEFAULT_DATA)
    p.add_argument("--result", required=True)
    p.add_argument("--quick", action="store_true")
    args = p.parse_args()
    w = fashion.workload("search", args.quick)
    x_all, y_all, _, _ = fashion.load(args.data)
    keep = fashion.stratified_subset(y_all, w["subset"])
    x, _ = fashion.preprocess(w["preprocess"], x_all[keep].reshape(len(keep), -1), x_all[:1].reshape(1, -1))
    y = y_all[keep]
    space = {"n_hidden": randint(0, 4), "n_neurons": randint(1, 100), "learning_rate": loguniform(3e-4, 3e-2)}
    search = RandomizedSearchCV(NotebookMLP(epochs=w["epochs"], batch_size=w["batch"]), space, n_iter=w["trials"],
                                cv=w["folds"], scoring="accuracy", refit=False, n_jobs=JOBS, random_state=42)
    start = time.perf_counter()
    search.fit(x, y)
    seconds = time.perf_counter() - start
    blas = ""
    try:
        from threadpoolctl import threadpool_info
        blas = ", ".join(f"{i.get('internal_api')} {i.get('version')} {i.get('architecture', '')}".strip()
                         for i in threadpool_info() if i.get("user_api") == "blas")
    except ImportError:
        pass
    result = dict(search_seconds=seconds, best_score=float(search.best_score_), framework="scikit-learn",
                  version=f"scikit-learn {sklearn.__version__}, numpy {np.__version__}", threads=JOBS, blas=blas)
    with open(args.result, "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
