#!/usr/bin/env python3
"""Trains a nearest-centroid classifier on the iris CSV that the instance
downloaded itself (see `inputs` in job.yaml). Standard library only.
Writes model.pkl and metrics.json."""

import csv
import json
import pickle
import random

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]

with open("data/iris.csv", newline="") as f:
    rows = [r for r in csv.DictReader(f) if r.get("species")]
random.Random(0).shuffle(rows)
split = int(len(rows) * 0.8)
train, test = rows[:split], rows[split:]

centroids = {}
for species in sorted({r["species"] for r in train}):
    members = [r for r in train if r["species"] == species]
    centroids[species] = [sum(float(r[k]) for r in members) / len(members) for k in FEATURES]


def predict(row):
    x = [float(row[k]) for k in FEATURES]
    return min(centroids, key=lambda s: sum((a - b) ** 2 for a, b in zip(x, centroids[s])))


accuracy = sum(predict(r) == r["species"] for r in test) / max(1, len(test))
print("trained on %d rows, %d classes; test accuracy %.3f" % (len(train), len(centroids), accuracy))
with open("model.pkl", "wb") as f:
    pickle.dump({"centroids": centroids, "features": FEATURES}, f, protocol=4)
with open("metrics.json", "w") as f:
    json.dump({"accuracy": accuracy, "train_rows": len(train), "test_rows": len(test)}, f)
