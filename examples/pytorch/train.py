#!/usr/bin/env python3
"""A small CNN trained with PyTorch on scikit-learn's handwritten digits.

The data is `sklearn.datasets.load_digits()` (1797 8x8 images, shipped with
scikit-learn: no network needed), split 80/20 into training and validation
sets by SEED. Each epoch prints the training loss and the validation loss and
accuracy, and writes "EPOCH/EPOCHS" to $SPOTRUN_PROGRESS_FILE.

Checkpoints hold the model, the optimizer, the gradient scaler and every
random state, plus where in the epoch training is. One is written (to a
temporary name, then renamed) after every epoch and, on SIGTERM (what spotrun
sends on a spot interruption notice), after the batch in progress; on start
the newest one in $SPOTRUN_CHECKPOINT_DIR is loaded. On the CPU training is
deterministic, so a run resumed any number of times ends with the same
weights as an uninterrupted one. With a GPU it trains there, in mixed
precision (float16 autocast with a gradient scaler).

Outputs: model.pt (the model's state dict) and metrics.json (per-epoch
figures, the device, the final accuracy).
"""

import os
import signal
import sys

# Installed before the heavy imports: a notice that comes while torch loads
# still gets its checkpoint.
STOP = []
signal.signal(signal.SIGTERM, lambda signum, frame: STOP.append(signum))

import contextlib  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from torch import nn  # noqa: E402

SEED = int(os.environ.get("SEED", "7"))
EPOCHS = int(os.environ.get("EPOCHS", "8"))
BATCH = int(os.environ.get("BATCH", "32"))
LEARNING_RATE = float(os.environ.get("LEARNING_RATE", "0.006"))
# Seconds to pause per epoch: makes this small job last long enough to interrupt.
EPOCH_SECONDS = float(os.environ.get("EPOCH_SECONDS", "0"))
# CPU threads; one keeps the CPU run deterministic and light on a shared machine.
THREADS = int(os.environ.get("TORCH_THREADS", "1"))
CKPT_DIR = os.environ.get("SPOTRUN_CHECKPOINT_DIR", "checkpoints")
PROGRESS_FILE = os.environ.get("SPOTRUN_PROGRESS_FILE")
KEEP_CHECKPOINTS = 2


class DigitsNet(nn.Module):
    """Two 3x3 convolutions with max pooling (8x8 -> 4x4 -> 2x2), then two dense layers."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(32 * 2 * 2, 64), nn.ReLU(),
                                        nn.Linear(64, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


def load_data(device):
    digits = load_digits()
    x = torch.from_numpy((digits.images / 16.0).astype(np.float32)).unsqueeze(1)
    y = torch.from_numpy(digits.target.astype(np.int64))
    order = torch.from_numpy(np.random.RandomState(SEED).permutation(len(y)))
    cut = int(0.8 * len(y))
    train, val = order[:cut], order[cut:]
    return (x[train].to(device), y[train].to(device)), (x[val].to(device), y[val].to(device))


class Trainer:
    """The training state, all of it in the checkpoint."""

    def __init__(self, device):
        self.device = device
        self.amp = device.type == "cuda"
        torch.manual_seed(SEED)
        self.model = DigitsNet().to(device)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=LEARNING_RATE)
        self.scaler = make_scaler(self.amp)
        self.shuffle = torch.Generator().manual_seed(SEED + 1)
        self.epoch = 0        # Epochs finished.
        self.batch = 0        # Batches of the current epoch finished.
        self.order = None     # The current epoch's order of training samples.
        self.loss_sum = 0.0   # Training loss over the current epoch's batches so far.
        self.history = []

    def state(self):
        s = {"model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(),
             "scaler": self.scaler.state_dict(), "shuffle": self.shuffle.get_state(),
             "torch_rng": torch.get_rng_state(), "epoch": self.epoch, "batch": self.batch,
             "order": self.order, "loss_sum": self.loss_sum, "history": self.history}
        if self.amp:
            s["cuda_rng"] = torch.cuda.get_rng_state_all()
        return s

    def restore(self, s):
        self.model.load_state_dict(s["model"])
        self.optimizer.load_state_dict(s["optimizer"])
        if s["scaler"]:
            self.scaler.load_state_dict(s["scaler"])
        self.shuffle.set_state(s["shuffle"])
        torch.set_rng_state(s["torch_rng"])
        if self.amp and "cuda_rng" in s:
            torch.cuda.set_rng_state_all(s["cuda_rng"])
        self.epoch, self.batch, self.order = s["epoch"], s["batch"], s["order"]
        self.loss_sum, self.history = s["loss_sum"], s["history"]

    def autocast(self):
        """float16 autocast on the GPU; nothing on the CPU."""
        if self.amp:
            return torch.autocast(device_type="cuda", dtype=torch.float16)
        return contextlib.nullcontext()

    def step(self, x, y):
        self.model.train()
        self.optimizer.zero_grad(set_to_none=True)
        with self.autocast():
            loss = nn.functional.cross_entropy(self.model(x), y)
        self.scaler.scale(loss).backward()
        self.scaler.step(self.optimizer)
        self.scaler.update()
        return loss.item()

    def train_until_epoch_end(self, train):
        """Runs the current epoch's remaining batches; False when stopped by SIGTERM."""
        x, y = train
        if self.order is None:
            self.order = torch.randperm(len(y), generator=self.shuffle)
            self.batch, self.loss_sum = 0, 0.0
        batches = (len(y) + BATCH - 1) // BATCH
        while self.batch < batches:
            if STOP:
                return False
            idx = self.order[self.batch * BATCH:(self.batch + 1) * BATCH].to(self.device)
            self.loss_sum += self.step(x[idx], y[idx]) * len(idx)
            self.batch += 1
        return True

    def evaluate(self, data):
        x, y = data
        self.model.eval()
        with torch.no_grad(), self.autocast():
            logits = self.model(x)
            loss = nn.functional.cross_entropy(logits.float(), y).item()
        return loss, (logits.argmax(1) == y).float().mean().item()

    def finish_epoch(self, train, val):
        train_loss = self.loss_sum / len(train[1])
        self.epoch, self.batch, self.order = self.epoch + 1, 0, None
        val_loss, val_acc = self.evaluate(val)
        self.history.append({"epoch": self.epoch, "train_loss": train_loss, "val_loss": val_loss,
                             "val_accuracy": val_acc})
        print("epoch %d/%d train_loss %.4f val_loss %.4f val_accuracy %.4f" %
              (self.epoch, EPOCHS, train_loss, val_loss, val_acc), flush=True)


def make_scaler(enabled):
    if hasattr(torch, "amp") and hasattr(torch.amp, "GradScaler"):
        return torch.amp.GradScaler("cuda", enabled=enabled)
    return torch.cuda.amp.GradScaler(enabled=enabled)


def checkpoint_name(t):
    return "step-%04d-%04d.pt" % (t.epoch, t.batch)


def newest_checkpoint():
    if not os.path.isdir(CKPT_DIR):
        return None
    names = sorted(n for n in os.listdir(CKPT_DIR) if n.startswith("step-") and n.endswith(".pt"))
    return os.path.join(CKPT_DIR, names[-1]) if names else None


def save_atomic(obj, path):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        torch.save(obj, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def save_checkpoint(t):
    os.makedirs(CKPT_DIR, exist_ok=True)
    save_atomic(t.state(), os.path.join(CKPT_DIR, checkpoint_name(t)))
    names = sorted(n for n in os.listdir(CKPT_DIR) if n.startswith("step-") and n.endswith(".pt"))
    for old in names[:-KEEP_CHECKPOINTS]:
        os.remove(os.path.join(CKPT_DIR, old))


def write_progress(t):
    if PROGRESS_FILE:
        with open(PROGRESS_FILE, "w") as f:
            f.write("%d/%d\n" % (t.epoch, EPOCHS))


def write_outputs(t):
    save_atomic(t.model.state_dict(), "model.pt")
    metrics = {"device": str(t.device), "mixed_precision": t.amp, "epochs": t.history,
               "val_accuracy": t.history[-1]["val_accuracy"] if t.history else None,
               "seed": SEED, "torch": torch.__version__}
    with open("metrics.json.tmp", "w") as f:
        json.dump(metrics, f, indent=2)
    os.replace("metrics.json.tmp", "metrics.json")
    print("wrote model.pt and metrics.json (val_accuracy %.4f)" % metrics["val_accuracy"],
          flush=True)


def main():
    torch.set_num_threads(THREADS)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.type == "cpu":
        torch.use_deterministic_algorithms(True)
    print("training on %s (torch %s, %s GPU(s) given by spotrun)" %
          (device, torch.__version__, os.environ.get("SPOTRUN_NUM_GPUS", "?")), flush=True)
    train, val = load_data(device)
    t = Trainer(device)
    ckpt = newest_checkpoint()
    if ckpt:
        t.restore(torch.load(ckpt, map_location="cpu"))
        print("resumed from %s (epoch %d, batch %d)" % (os.path.basename(ckpt), t.epoch, t.batch),
              flush=True)
    while t.epoch < EPOCHS:
        if not t.train_until_epoch_end(train):
            save_checkpoint(t)
            print("SIGTERM: checkpoint %s written; exiting" % checkpoint_name(t), flush=True)
            return 143
        t.finish_epoch(train, val)
        if EPOCH_SECONDS:
            time.sleep(EPOCH_SECONDS)
        save_checkpoint(t)
        write_progress(t)
    write_outputs(t)
    return 0


if __name__ == "__main__":
    sys.exit(main())
