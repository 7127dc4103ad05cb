"""Training speed on Keras's two backends, side by side in one run: each backend in a process of its own (Keras picks
its backend once, at import), timing epochs of the whole-tune model (its lookback arm, the training tunes, batch 8)
and batches of the Table-1 LSTM (every-step mode, 64-step windows, batch 128), after a first epoch or batch that
compiles. Prints seconds per epoch or per batch, the first (compiling) one apart, and the ratios.

Run: .venv/bin/python benchmarks/backends.py [--epochs 3] [--batches 20]   (needs the jax extra)
"""

import argparse
import os

from _child import run_child

CHILD = r"""
import json, statistics, sys, time
import numpy as np
from thesis_lib.core import backend
from thesis_lib.core.config import get_profile
from thesis_lib.data.corpus import load_corpus
from thesis_lib.data.encoding import encode_events, windows
from thesis_lib.models import lstm, tunes
epochs, batches = int(sys.argv[1]), int(sys.argv[2])
songs = load_corpus(progress=False).songs
s = tunes.Settings(arm="lookback")
data = tunes.prepare(songs, s=s)
model = tunes.compile_model(tunes.build(len(data.vocab), s), s)
b = tunes.Batches(data.train, data.vocab, s.arm, s.batch_tunes, shuffle=True)
tune_epochs = []
for _ in range(epochs):
    t = time.perf_counter()
    for k in range(len(b)):
        model.train_on_batch(*b[k])
    b.on_epoch_end()
    tune_epochs.append(time.perf_counter() - t)
ld = lstm.prepare_data([encode_events(x.events) for x in songs])
net = lstm.compile_model(lstm.build_model(len(ld.vocab), every_step=True), ld.vocab)
x, y = windows(ld.stream, ld.train_starts[::16][: 128 * batches], every_step=True)
lstm_batches = []
for k in range(batches):
    t = time.perf_counter()
    net.train_on_batch(x[128 * k:128 * (k + 1)], y[128 * k:128 * (k + 1)])
    lstm_batches.append(time.perf_counter() - t)
print(json.dumps({"backend": backend.name(), "tune_first": tune_epochs[0],
                  "tune_epoch": statistics.median(tune_epochs[1:]), "lstm_first": lstm_batches[0],
                  "lstm_batch": statistics.median(lstm_batches[1:]), "tunes": len(data.train)}))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batches", type=int, default=20)
    args = ap.parse_args()
    rows = {}
    for name in ("tensorflow", "jax"):
        rows[name] = run_child(CHILD, args.epochs, args.batches, label=name, env={"KERAS_BACKEND": name})
    tf, jx = rows["tensorflow"], rows["jax"]
    print(f"on {os.cpu_count()} CPU cores; the whole-tune model: {tf['tunes']} training tunes an epoch, batch 8; "
          f"the Table-1 LSTM: batches of 128 windows of 64 steps (every-step loss)")
    for name, r in rows.items():
        print(f"  {name:10s} tune model {r['tune_epoch']:6.1f} s/epoch (first {r['tune_first']:5.1f} s)   "
              f"LSTM {r['lstm_batch'] * 1000:6.0f} ms/batch (first {r['lstm_first']:5.1f} s)")
    print(f"JAX / TensorFlow: tune model x{jx['tune_epoch'] / tf['tune_epoch']:.2f}, LSTM "
          f"x{jx['lstm_batch'] / tf['lstm_batch']:.2f} of the time")


if __name__ == "__main__":
    main()
