#!/usr/bin/env python3
"""The training lesson's experiment written in numpy: a benchmark peer for `initbook run training`.

Not part of initbook. It does the same work as the `training` experiment of content/07-training.md
(ReLU network of 4 hidden layers of 100 units with biases, softmax cross-entropy, mini-batch SGD
with batch 128 and learning rate 0.01 for 400 iterations, once per scheme: N(0, 0.01²), Xavier,
He) on the same digits data set, the same way (80/20 split, batches drawn with replacement, loss
logged at every step, accuracy and distinct units at the end), so that timing the two whole
processes compares like with like. It uses numpy's own RNG, so its numbers are not initbook's
bits; the shape of the results (small std does not learn, He learns best) is the same.

    python3 benches/peers/training_numpy.py [content/data/digits.csv.gz]

numpy's matrix products go to OpenBLAS (threaded, FMA kernels); the schemes run one after
another, as a numpy script would.
"""

import gzip
import json
import sys

import numpy as np

HIDDEN_LAYERS, NODES, BATCH, ITERATIONS, RATE, TEST_FRACTION, SEED = 4, 100, 128, 400, 0.01, 0.2, 42


def load(path):
    with gzip.open(path, "rt") as f:
        table = np.loadtxt(f, delimiter=",")
    features, labels = table[:, :-1], table[:, -1].astype(np.int64)
    largest = np.abs(features).max()
    return features / (largest if largest > 0 else 1.0), labels


def initial_network(scheme, sizes, rng):
    weights, biases = [], []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        std = {"small": 0.01, "xavier": np.sqrt(1.0 / fan_in), "he": np.sqrt(2.0 / fan_in)}[scheme]
        weights.append(rng.standard_normal((fan_in, fan_out)) * std)
        biases.append(np.zeros(fan_out))
    return weights, biases


def forward(weights, biases, x):
    hidden = []
    for w, b in zip(weights[:-1], biases[:-1]):
        x = np.maximum(x @ w + b, 0.0)
        hidden.append(x)
    return hidden, x @ weights[-1] + biases[-1]


def softmax_cross_entropy(logits, labels):
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    total = exp.sum(axis=1, keepdims=True)
    rows = np.arange(len(labels))
    loss = np.mean(np.log(total[:, 0]) - shifted[rows, labels])
    gradient = exp / total
    gradient[rows, labels] -= 1.0
    return loss, gradient / len(labels)


def train_step(weights, biases, x, y):
    hidden, logits = forward(weights, biases, x)
    loss, delta = softmax_cross_entropy(logits, y)
    inputs = [x] + hidden
    for layer in reversed(range(len(weights))):
        grad_w = inputs[layer].T @ delta
        grad_b = delta.sum(axis=0)
        if layer > 0:
            delta = (delta @ weights[layer].T) * (inputs[layer] > 0.0)
        weights[layer] -= RATE * grad_w
        biases[layer] -= RATE * grad_b
    return loss


def accuracy(weights, biases, x, y):
    _, logits = forward(weights, biases, x)
    return float(np.mean(logits.argmax(axis=1) == y)) if len(y) else 0.0


def distinct_units(weights):
    return [len({w[:, j].tobytes() for j in range(w.shape[1])}) for w in weights[:-1]]


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "content/data/digits.csv.gz"
    features, labels = load(path)
    rng = np.random.default_rng(SEED)
    order = rng.permutation(len(labels))
    test_count = int(len(labels) * TEST_FRACTION)
    test, train = order[:test_count], order[test_count:]
    batches = rng.choice(train, size=(ITERATIONS, BATCH), replace=True)
    sizes = [features.shape[1]] + [NODES] * HIDDEN_LAYERS + [int(labels.max()) + 1]

    runs = []
    for scheme in ["small", "xavier", "he"]:
        weights, biases = initial_network(scheme, sizes, np.random.default_rng([SEED, 1]))
        loss = [float(train_step(weights, biases, features[b], labels[b])) for b in batches]
        runs.append(
            {
                "label": scheme,
                "final_loss": loss[-1],
                "train_accuracy": accuracy(weights, biases, features[train], labels[train]),
                "test_accuracy": accuracy(weights, biases, features[test], labels[test]),
                "distinct_units": distinct_units(weights),
            }
        )
    print(json.dumps({"train_samples": len(train), "test_samples": len(test), "runs": runs}))


if __name__ == "__main__":
    main()
