"""The race's Keras peer (Keras 3 on TensorFlow): trains one workload with `model.fit` on 2
intra-op threads (1 inter-op) and writes its result as JSON.

    peer_keras.py WORKLOAD --data FOLDER --result FILE [--quick] [--seed S]

Only the training epochs are timed, by a callback at each epoch's begin and end.
"""

import argparse
import json
import os
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import fashion  # noqa: E402

THREADS = 2
L = keras.layers


def build(name):
    if name == "mlp":
        layers = [L.Input((28, 28)), L.Flatten(), L.Dense(300, activation="relu"), L.Dense(100, activation="relu")]
    elif name == "small_cnn":
        layers = [L.Input((28, 28, 1)),
                  L.Conv2D(32, 3, padding="same", activation="relu"), L.MaxPooling2D(2),
                  L.Conv2D(64, 3, activation="relu"), L.MaxPooling2D(2),
                  L.Flatten(), L.Dense(128, activation="relu"), L.Dropout(0.3)]
    elif name == "notebook_cnn":
        layers = [L.Input((28, 28, 1)),
                  L.Conv2D(64, 7, activation="relu", padding="same"), L.MaxPooling2D(2),
                  L.Conv2D(128, 3, activation="relu", padding="same"), L.Conv2D(128, 3, activation="relu", padding="same"),
                  L.MaxPooling2D(2),
                  L.Conv2D(256, 3, activation="relu", padding="same"), L.Conv2D(256, 3, activation="relu", padding="same"),
                  L.MaxPooling2D(2),
                  L.Flatten(), L.Dense(128, activation="relu"), L.Dropout(0.5), L.Dense(64, activation="relu"),
                  L.Dropout(0.5)]
    else:
        raise ValueError(name)
    return keras.Sequential(layers + [L.Dense(10, activation="softmax")])


class EpochTimer(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.start)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("workload", choices=sorted(k for k in fashion.WORKLOADS if k != "search"))
    p.add_argument("--data", default=fashion.DEFAULT_DATA)
    p.add_argument("--result", required=True)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--seed", type=int, default=42, help="seed of the initialization, the shuffling and dropout (default 42)")
    args = p.parse_args()
    tf.config.threading.set_intra_op_parallelism_threads(THREADS)
    tf.config.threading.set_inter_op_parallelism_threads(1)

    w = fashion.workload(args.workload, args.quick)
    x_train, y_train, x_test, y_test = fashion.load(args.data)
    x_train, x_test = fashion.preprocess(w["preprocess"], x_train, x_test)
    if w["model"] != "mlp":
        x_train, x_test = x_train[..., None], x_test[..., None]  # NHWC, one channel
    keras.utils.set_random_seed(args.seed)  # Python's, NumPy's and TensorFlow's: initialization, shuffling, dropout
    model = build(w["model"])
    opt = keras.optimizers.SGD(w["lr"]) if w["optimizer"] == "sgd" else keras.optimizers.Adam(w["lr"])
    model.compile(loss="sparse_categorical_crossentropy", optimizer=opt, metrics=["accuracy"])
    timer = EpochTimer()
    history = model.fit(x_train, y_train, batch_size=w["batch"], epochs=w["epochs"], shuffle=True, verbose=0,
                        callbacks=[timer])
    _, test_accuracy = model.evaluate(x_test, y_test, batch_size=1000, verbose=0)
    result = dict(epoch_seconds=timer.seconds, samples=len(x_train) * w["epochs"], losses=history.history["loss"],
                  test_accuracy=float(test_accuracy), framework="Keras", version=f"keras {keras.__version__}, "
                  f"tensorflow {tf.__version__}", threads=THREADS, onednn_opts=os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default"))
    with open(args.result, "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
