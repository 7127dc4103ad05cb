"""LSTM training throughput and peak memory on the full embedded corpus: the one-hot-inside-the-model
pipeline (integer windows from the stream, batch by batch) vs a materialised one-hot array of every
training window (the textbook way), each in its own process so peak RSS is its own.

Target (2-core CPU): peak RSS of training <= 1.5 GB.
Run: .venv/bin/python benchmarks/lstm_training.py [--batches 40]
"""

import argparse

from _child import run_child

CHILD = r"""
import json, resource, sys, time
import numpy as np
from thesis_lib.models import lstm
from thesis_lib.data.corpus import load_corpus
from thesis_lib.data.encoding import encode_events, windows
mode, batches = sys.argv[1], int(sys.argv[2])
songs = load_corpus(progress=False).songs
data = lstm.prepare_data([encode_events(s.events) for s in songs])
V, n, bs = len(data.vocab), data.stream.sequence_length, 128
if mode == "one-hot in model":
    model = lstm.compile_model(lstm.build_model(V), data.vocab)
    x, y = windows(data.stream, data.train_starts[:batches * bs])   # integer ids: (N, 64) and (N,)
    fit = lambda: model.fit(x, y, batch_size=bs, epochs=1, verbose=0, shuffle=False)
else:
    from thesis_lib.core.backend import keras
    x = np.zeros((len(data.train_starts), n, V), np.float32)   # every training window, one-hot
    for i in range(0, len(x), 8192):
        s = data.train_starts[i:i + 8192]
        w = data.stream.ids[s[:, None] + np.arange(n)[None, :]]
        x[i:i + len(s)] = np.eye(V, dtype=np.float32)[w]
    y = data.stream.ids[data.train_starts + n]
    inp = keras.Input((n, V))
    h = keras.layers.LSTM(256, return_sequences=True)(inp)
    h = keras.layers.Dropout(0.3)(keras.layers.LSTM(256)(h))
    model = keras.Model(inp, keras.layers.Dense(V, activation="softmax")(h))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    k = batches * bs
    fit = lambda: model.fit(x[:k], y[:k], batch_size=bs, epochs=1, verbose=0, shuffle=False)
fit()                                    # first epoch: tracing
t = time.perf_counter(); fit(); dt = time.perf_counter() - t
print(json.dumps({"windows_per_s": batches * bs / dt, "train_windows": len(data.train_starts),
                  "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6}))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--batches", type=int, default=40, help="batches of 128 timed per pipeline")
    args = ap.parse_args()
    res = {}
    for mode in ("one-hot in model", "materialised one-hot array"):
        res[mode] = run_child(CHILD, mode, args.batches, label=mode)
    a, b = res["one-hot in model"], res["materialised one-hot array"]
    print(f"LSTM training, full corpus ({a['train_windows']:,} training windows), batch 128, "
          f"{args.batches} timed batches each")
    for name, r in res.items():
        epoch_min = r["train_windows"] / r["windows_per_s"] / 60
        print(f"  {name:28s} {r['windows_per_s']:8.0f} windows/s   peak RSS {r['peak_rss_gb']:5.2f} GB   "
              f"(one thesis epoch ~ {epoch_min:.0f} min)")
    print(f"ratios (materialised / in model): speed x{b['windows_per_s'] / a['windows_per_s']:.2f}, "
          f"peak RSS x{b['peak_rss_gb'] / a['peak_rss_gb']:.1f}")
    print(f"target: peak RSS <= 1.5 GB with one-hot in model: {'met' if a['peak_rss_gb'] <= 1.5 else 'NOT met'}")


if __name__ == "__main__":
    main()
