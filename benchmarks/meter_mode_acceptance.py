"""How often each model writes each meter and mode: the acceptance rates of `generate --meter/--mode`. The models
are not conditioned on either, so `generate` draws and keeps the melodies whose inferred meter (thesis_lib.data.meter)
and analysed mode match; the share of N seeded draws that fall in each cell is the rate a user gets.

Run: .venv/bin/python benchmarks/meter_mode_acceptance.py [-n 400] [--models lstm,ngram,gan,gan-improved]
"""

import argparse
from collections import Counter

from thesis_lib import sources
from thesis_lib.data import meter
from thesis_lib.models import shipped


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=400, help="melodies drawn per model (seed 0)")
    ap.add_argument("--models", default="real,lstm,ngram,gan,gan-improved")
    args = ap.parse_args()
    cells = [(m, md) for m in meter.METERS for md in ("major", "minor")]
    print(f"share of {args.n} melodies per model (seed 0) that `generate --meter M --mode D` accepts")
    print("| model | " + " | ".join(f"{m} {md}" for m, md in cells) + " | any meter, major | any meter, minor |")
    print("|---" * (len(cells) + 3) + "|")
    for model in args.models.split(","):
        if model in sources.GENERATORS and not shipped.available(model):
            continue
        batch = sources.melodies(model, args.n, seed=0)
        seen = Counter((m.meter, m.mode) for m in batch.melodies if not m.is_empty)
        total = sum(seen.values())
        modes = Counter(md for (_, md), k in seen.items() for _ in range(k))
        print(f"| {model} | " + " | ".join(f"{seen[c] / total:.1%}" for c in cells)
              + f" | {modes['major'] / total:.1%} | {modes['minor'] / total:.1%} |", flush=True)


if __name__ == "__main__":
    main()
