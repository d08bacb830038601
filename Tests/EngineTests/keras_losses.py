# Known values for Tests/EngineTests/LossOptionTests.swift, computed with Keras itself.
# Pinned: keras==3.12.0, jax==0.10.2 (CPU), numpy; run: KERAS_BACKEND=jax python keras_losses.py
import numpy as np
import keras
from keras import losses, ops

def show(name, loss, y_true, y_pred):
    y_true = np.array(y_true, dtype="float32"); y_pred = np.array(y_pred, dtype="float32")
    v = float(loss(y_true, y_pred))
    yp = ops.convert_to_tensor(y_pred)
    import jax
    g = jax.grad(lambda p: loss(y_true, p))(yp)
    print(f"{name}: value {v:.9g} grad {np.asarray(g).ravel().tolist()}")

print("keras", keras.__version__, keras.backend.backend())
# binary_crossentropy
show("bce logits", losses.BinaryCrossentropy(from_logits=True), [[1, 0], [0, 1]], [[2.0, -1.0], [0.5, 3.0]])
show("bce logits ls0.1", losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1), [[1, 0], [0, 1]], [[2.0, -1.0], [0.5, 3.0]])
show("bce probs ls0.2", losses.BinaryCrossentropy(label_smoothing=0.2), [[1, 0], [0, 1]], [[0.8, 0.3], [0.4, 0.9]])
show("bce logits big", losses.BinaryCrossentropy(from_logits=True), [[1], [0]], [[-1000.0], [1000.0]])
# categorical_crossentropy
show("cce logits", losses.CategoricalCrossentropy(from_logits=True), [[0, 1, 0], [1, 0, 0]], [[1.0, 2.0, 0.5], [0.2, -0.3, 1.5]])
show("cce logits ls0.1", losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1), [[0, 1, 0], [1, 0, 0]], [[1.0, 2.0, 0.5], [0.2, -0.3, 1.5]])
show("cce probs ls0.3", losses.CategoricalCrossentropy(label_smoothing=0.3), [[0, 1, 0], [1, 0, 0]], [[0.2, 0.7, 0.1], [0.5, 0.25, 0.25]])
show("cce logits big", losses.CategoricalCrossentropy(from_logits=True), [[1, 0]], [[0.0, 1000.0]])
# sparse
show("scce logits", losses.SparseCategoricalCrossentropy(from_logits=True), [[1], [0]], [[1.0, 2.0, 0.5], [0.2, -0.3, 1.5]])
# huber
show("huber d0.5", losses.Huber(delta=0.5), [[1, 0], [0, 0]], [[0.5, 2.0], [-1.0, 0.0]])
show("huber d2.5", losses.Huber(delta=2.5), [[1, 0], [0, 0]], [[0.5, 4.0], [-1.0, 0.0]])
