#!/usr/bin/env python3
"""Quickstart: a small logistic-regression model trained with mini-batch SGD.

Standard library only. Deterministic given SEED: the data, the shuffling and
the weights depend on nothing else, so a run resumed from a checkpoint ends
with a model.pkl byte-identical to an uninterrupted run's.

Checkpoints go to $SPOTRUN_CHECKPOINT_DIR after every epoch (written to a
temporary name, then renamed); on start the newest one is loaded. After every
epoch it writes "EPOCH/EPOCHS" to $SPOTRUN_PROGRESS_FILE, which spotrun reads.
"""

import math
import os
import pickle
import random
import sys
import time

SEED = int(os.environ.get("SEED", "7"))
EPOCHS = int(os.environ.get("EPOCHS", "8"))
SAMPLES = int(os.environ.get("SAMPLES", "4000"))
FEATURES = 10
LEARNING_RATE = 0.1
BATCH = 32
# Seconds to pause per epoch: makes a tiny job last long enough to interrupt.
EPOCH_SECONDS = float(os.environ.get("EPOCH_SECONDS", "0"))
CKPT_DIR = os.environ.get("SPOTRUN_CHECKPOINT_DIR", "checkpoints")
# spotrun reads the job's progress from here ("3/8": epochs done of all).
PROGRESS_FILE = os.environ.get("SPOTRUN_PROGRESS_FILE")


def make_dataset(seed):
    rng = random.Random(seed)
    true_w = [rng.uniform(-2, 2) for _ in range(FEATURES)]
    data = []
    for _ in range(SAMPLES):
        x = [rng.gauss(0, 1) for _ in range(FEATURES)]
        z = sum(w * v for w, v in zip(true_w, x)) + rng.gauss(0, 0.5)
        data.append((x, 1 if z > 0 else 0))
    return data


def sigmoid(z):
    if z < -60:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))


def train_epoch(weights, bias, data, rng):
    order = list(range(len(data)))
    rng.shuffle(order)
    for start in range(0, len(order), BATCH):
        grad_w = [0.0] * FEATURES
        grad_b = 0.0
        batch = order[start:start + BATCH]
        for i in batch:
            x, y = data[i]
            err = sigmoid(sum(w * v for w, v in zip(weights, x)) + bias) - y
            for j in range(FEATURES):
                grad_w[j] += err * x[j]
            grad_b += err
        for j in range(FEATURES):
            weights[j] -= LEARNING_RATE * grad_w[j] / len(batch)
        bias -= LEARNING_RATE * grad_b / len(batch)
    return weights, bias


def evaluate(weights, bias, data):
    loss, correct = 0.0, 0
    for x, y in data:
        p = min(max(sigmoid(sum(w * v for w, v in zip(weights, x)) + bias), 1e-12), 1 - 1e-12)
        loss -= y * math.log(p) + (1 - y) * math.log(1 - p)
        correct += (p > 0.5) == (y == 1)
    return loss / len(data), correct / len(data)


def latest_checkpoint():
    if not os.path.isdir(CKPT_DIR):
        return None
    names = sorted(n for n in os.listdir(CKPT_DIR) if n.startswith("epoch-") and n.endswith(".pkl"))
    return os.path.join(CKPT_DIR, names[-1]) if names else None


def save_atomic(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        pickle.dump(obj, f, protocol=4)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def main():
    data = make_dataset(SEED)
    rng = random.Random(SEED + 1)
    weights, bias, epoch = [0.0] * FEATURES, 0.0, 0
    ckpt = latest_checkpoint()
    if ckpt:
        with open(ckpt, "rb") as f:
            state = pickle.load(f)
        weights, bias, epoch = state["weights"], state["bias"], state["epoch"]
        rng.setstate(state["rng"])
        print("resumed from %s (epoch %d)" % (os.path.basename(ckpt), epoch), flush=True)
    os.makedirs(CKPT_DIR, exist_ok=True)
    while epoch < EPOCHS:
        weights, bias = train_epoch(weights, bias, data, rng)
        epoch += 1
        if EPOCH_SECONDS:
            time.sleep(EPOCH_SECONDS)
        loss, acc = evaluate(weights, bias, data)
        print("epoch %d/%d loss %.4f accuracy %.3f" % (epoch, EPOCHS, loss, acc), flush=True)
        save_atomic(os.path.join(CKPT_DIR, "epoch-%04d.pkl" % epoch),
                    {"weights": weights, "bias": bias, "epoch": epoch, "rng": rng.getstate()})
        if PROGRESS_FILE:
            with open(PROGRESS_FILE, "w") as f:
                f.write("%d/%d\n" % (epoch, EPOCHS))
    save_atomic("model.pkl", {"weights": weights, "bias": bias, "features": FEATURES,
                              "epochs": EPOCHS, "seed": SEED})
    print("wrote model.pkl", flush=True)


if __name__ == "__main__":
    sys.exit(main())
