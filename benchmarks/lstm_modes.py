"""Last-step (the thesis) vs every-step training of the same Table-1 model on the full corpus: each
gets the same wall-clock budget, epochs of the same number of windows (a fresh random draw each), and
the same validation (next symbol after a full window of a held-out song, a random 25% each epoch).
Prints which reaches the target loss sooner; figures/lstm_modes.png shows both curves against seconds.

Run: .venv/bin/python benchmarks/lstm_modes.py [--minutes 8] [--windows 8192]
"""

import argparse
import tempfile
from pathlib import Path

from thesis_lib.core.config import get_profile
from thesis_lib.data.corpus import load_corpus
from thesis_lib.data.encoding import encode_events
from thesis_lib.models import lstm
from thesis_lib.models.checkpoint import time_to_reach
from thesis_lib.render import plots


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=8.0, help="training budget per mode")
    ap.add_argument("--windows", type=int, default=8192, help="windows per epoch, both modes")
    ap.add_argument("--out", default="outputs/benchmarks", help="folder for the plot")
    args = ap.parse_args()
    songs = load_corpus(progress=False).songs
    data = lstm.prepare_data([encode_events(s.events) for s in songs])
    profile = get_profile("full", lstm_windows_per_epoch=args.windows)
    runs = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, every in (("last-step (thesis)", False), ("every-step", True)):
            runs[name] = lstm.train(data, profile, Path(tmp) / str(every), every_step=every, epochs=10_000,
                                    max_seconds=args.minutes * 60, val_share=0.25, verbose=0)
    target = max(r.history[-1]["val_loss"] for r in runs.values())
    print(f"full corpus: {data.summary()}; {args.minutes:g} min per mode, {args.windows} windows per epoch")
    for name, r in runs.items():
        t = time_to_reach(r.history, target)
        print(f"  {name:20s} epochs {len(r.history):3d}  held-out NLL (all windows) {r.val['nll']:.4f}  "
              f"note-onset accuracy {r.val['acc_note']:.3f}  reached {target:.4f} after "
              f"{'never' if t is None else f'{t:.0f} s'}")
    a, b = (time_to_reach(r.history, target) for r in runs.values())
    if a and b:
        print(f"ratio: every-step reaches the target x{a / b:.1f} sooner than last-step")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    plots.save(plots.loss_against_time({k: r.history for k, r in runs.items()}, target), out / "lstm_modes.png")
    print(f"plot: {out / 'lstm_modes.png'}")


if __name__ == "__main__":
    main()
