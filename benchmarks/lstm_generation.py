"""LSTM generation speed: the thesis's naive 64-step window per symbol vs stateful generation of one
melody and of a batch of 256, measured side by side in one run, per symbol; the whole
`thesis-music generate -n 256 --formats txt` against `sources.melodies` alone (what writing the files costs
beyond the generator); and how often the stateful and the windowed generator agree at T = 0.

Targets (2-core CPU): stateful batch >= 50x the naive reference per symbol, >= 10,000 symbols/s;
`generate --formats txt` within 20% of `sources.melodies` alone (start-up excluded).
Run: .venv/bin/python benchmarks/lstm_generation.py [--weights PATH]
"""

import argparse
import os
import statistics
import tempfile
import time

import numpy as np

from thesis_lib import sources
from thesis_lib.cli import main as thesis_music
from thesis_lib.core.backend import compiled
from thesis_lib.core.config import DELIMITER
from thesis_lib.core.sampling import sample
from thesis_lib.models import lstm, shipped


def generation_speed(model, vocab, *, steps: int = 128, batch: int = 256,
                     naive_steps: int = 32) -> dict:
    """Symbols per second: naive 64-step windows, stateful single melody, stateful batch of `batch`.

    Every symbol is computed (no melody stops early), so the figures are per symbol, like for like.
    """
    gen = lstm.Generator(model, vocab)
    probe = np.array([vocab.id(DELIMITER)])
    gen._feed(probe, [np.zeros((1, gen.units), np.float32)] * 4)  # trace once before timing
    call = compiled(model)  # compiled for the backend, like the stateful step
    ids = list(vocab.encode([DELIMITER] * gen.context))
    call(np.array([ids], np.int32))  # trace once before timing
    timings = {}
    t = time.perf_counter()
    for _ in range(naive_steps):
        p = np.asarray(call(np.array([ids[-gen.context:]], np.int32)))
        ids.append(int(p.argmax()))
    timings["naive 64-step window"] = naive_steps / (time.perf_counter() - t)
    for name, n in (("stateful, 1 melody", 1), (f"stateful, batch of {batch}", batch)):
        states = [np.zeros((n, gen.units), np.float32) for _ in range(4)]
        x = np.full(n, probe[0])
        gen._feed(x, states)  # trace this batch size
        t = time.perf_counter()
        for _ in range(steps):
            p, states = gen._feed(x, states)
            x = sample(p, 1.0, np.random.default_rng(0)).astype(np.int32)
        timings[name] = n * steps / (time.perf_counter() - t)
    return timings


def generate_verb(n: int, steps: int, repeats: int = 3) -> dict:
    """Seconds of `sources.melodies("lstm", n)` alone and of the whole `generate --formats txt` verb (in this
    process, after one warm-up call of each: the model is loaded and traced, start-up excluded); the median of
    `repeats` interleaved passes, and the symbols each wrote."""
    args = ["generate", "-n", str(n), "--max-steps", str(steps), "--seed", "0", "--formats", "txt"]
    times = {"sources.melodies alone": [], "generate --formats txt": []}
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(repeats + 1):
            t = time.perf_counter()
            batch = sources.melodies("lstm", n, seed=0, max_steps=steps)
            alone = time.perf_counter() - t
            t = time.perf_counter()
            assert thesis_music([*args, "--out", f"{tmp}/{k}"]) == 0
            verb = time.perf_counter() - t
            if k:  # the first pass is the warm-up
                times["sources.melodies alone"].append(alone)
                times["generate --formats txt"].append(verb)
    symbols = sum(m.steps for m in batch.melodies)
    return {"symbols": symbols, **{name: statistics.median(v) for name, v in times.items()}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", default=None, help="a .keras file (default: the shipped one)")
    ap.add_argument("--steps", type=int, default=256)
    ap.add_argument("--batch", type=int, default=256)
    args = ap.parse_args()
    model, vocab, _ = shipped.load_pretrained("lstm", args.weights)
    speed = generation_speed(model, vocab, steps=args.steps, batch=args.batch, naive_steps=64)
    naive = speed["naive 64-step window"]
    print(f"LSTM generation on {os.cpu_count()} CPU cores, {len(vocab)} symbols, {args.steps} steps")
    for name, sps in speed.items():
        print(f"  {name:28s} {sps:12,.0f} symbols/s   x{sps / naive:8.1f} vs naive")
    batched = speed[f"stateful, batch of {args.batch}"]
    print(f"target: batch >= 50x naive per symbol: {'met' if batched >= 50 * naive else 'NOT met'} "
          f"(x{batched / naive:.0f}); >= 10,000 symbols/s: {'met' if batched >= 10_000 else 'NOT met'}")

    import io
    from contextlib import redirect_stderr, redirect_stdout

    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):  # generate prints a line per melody
        verb = generate_verb(args.batch, args.steps)
    ratio = verb["generate --formats txt"] / verb["sources.melodies alone"]
    print(f"{args.batch} melodies of at most {args.steps} steps ({verb['symbols']:,} symbols), median of 3 passes:")
    for name in ("sources.melodies alone", "generate --formats txt"):
        print(f"  {name:28s} {verb[name]:8.2f} s  {verb['symbols'] / verb[name]:12,.0f} symbols/s   "
              f"x{verb['symbols'] / verb[name] / naive:8.1f} vs naive")
    print(f"target: generate --formats txt within 20% of sources.melodies alone: "
          f"{'met' if ratio <= 1.2 else 'NOT met'} (x{ratio:.2f})")

    # Same argmax melody? The stateful generator remembers the whole melody, the windowed one only the
    # last 64 symbols, so they can part ways after 64 symbols (a test checks exact agreement with the
    # whole-history reference).
    gen = lstm.Generator(model, vocab)
    a = gen.generate(1, temperature=0, max_steps=256)[0]
    b = lstm.generate_naive(model, vocab, temperature=0, max_steps=256)
    same = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    print(f"T = 0: stateful {len(a)} symbols, naive 64-window {len(b)} symbols, identical for the first "
          f"{same}{' (all)' if a == b else ''}")


if __name__ == "__main__":
    main()
