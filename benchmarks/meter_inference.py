"""Meter and pickup inference (`thesis_lib.meter`) measured on the ballads whose files state a meter: 5-fold
cross-validation, so every song is inferred by a model that never saw it. Prints the shares and the confusion
table; with --ship, fits on every song and writes thesis_lib/pretrained/meter_model.json with these figures.

Run: .venv/bin/python benchmarks/meter_inference.py [--ship]
"""

import argparse
import time
from collections import Counter

from thesis_lib import meter
from thesis_lib.corpus import load_corpus
from thesis_lib.files import write_json


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ship", action="store_true", help="write thesis_lib/pretrained/meter_model.json")
    args = ap.parse_args()
    songs = load_corpus(progress=False).songs
    t = time.perf_counter()
    cv = meter.cross_validate(songs)
    seconds = time.perf_counter() - t
    others = Counter(s.meter for s in songs if s.meter and s.meter not in meter.METERS)
    print(f"{cv['n']} ballads state one of {', '.join(meter.METERS)}; {cv['other']} state another meter "
          f"({dict(others.most_common())}); {sum(s.meter is None for s in songs)} state none")
    print(f"5-fold cross-validation ({seconds:.0f} s): meter right {cv['meter']:.1%}, "
          f"meter and pickup right {cv['meter_and_pickup']:.1%}")
    print(meter.confusion(cv["rows"]).to_string())
    if args.ship:
        model = meter.fit(songs)
        path = meter.shipped_path()
        write_json(path, {"command": "benchmarks/meter_inference.py --ship",
                          "trained_on": f"{cv['n']} embedded ballads stating {', '.join(meter.METERS)}",
                          "cross_validation": {k: cv[k] for k in ("n", "other", "meter", "meter_and_pickup")},
                          "confusion": meter.confusion(cv["rows"]).to_dict(), "model": model.to_json()})
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
