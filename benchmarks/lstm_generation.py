"""LSTM generation speed: the thesis's naive 64-step window per symbol vs stateful generation of one
melody and of a batch of 256, measured side by side in one run, per symbol; plus how often the
stateful and the windowed generator agree at T = 0.

Targets (2-core CPU): stateful batch >= 50x the naive reference per symbol, >= 10,000 symbols/s.
Run: .venv/bin/python benchmarks/lstm_generation.py [--weights PATH]
"""

import argparse
import os

from thesis_lib import lstm
from thesis_lib.encoding import Vocabulary


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", default=None, help="a .keras file (default: the shipped one)")
    ap.add_argument("--steps", type=int, default=256)
    ap.add_argument("--batch", type=int, default=256)
    args = ap.parse_args()
    if args.weights:
        model = lstm.load(args.weights)
        vocab = Vocabulary.load(args.weights.replace(".keras", "_vocab.json"))
    else:
        model, vocab, _ = lstm.load_pretrained()
    speed = lstm.generation_speed(model, vocab, steps=args.steps, batch=args.batch, naive_steps=64)
    naive = speed["naive 64-step window"]
    print(f"LSTM generation on {os.cpu_count()} CPU cores, {len(vocab)} symbols, {args.steps} steps")
    for name, sps in speed.items():
        print(f"  {name:28s} {sps:12,.0f} symbols/s   x{sps / naive:8.1f} vs naive")
    batched = speed[f"stateful, batch of {args.batch}"]
    print(f"target: batch >= 50x naive per symbol: {'met' if batched >= 50 * naive else 'NOT met'} "
          f"(x{batched / naive:.0f}); >= 10,000 symbols/s: {'met' if batched >= 10_000 else 'NOT met'}")

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
