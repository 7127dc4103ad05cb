"""Meter and pickup inference (`thesis_lib.data.meter`) measured on the ballads whose files state a meter: 5-fold
cross-validation, so every song is inferred by a model that never saw it. Prints the shares, the confusion
table and the commonest wrong pickups; with --parts, also the shares without the later parts of the model;
with --ship, fits on every song and writes thesis_lib/pretrained/meter_model.json with these figures.

Run: .venv/bin/python benchmarks/meter_inference.py [--parts] [--ship]
"""

import argparse
import time
from collections import Counter
from unittest import mock

from rapidfuzz.distance import Indel

from thesis_lib.core.files import write_json
from thesis_lib.data import meter
from thesis_lib.data.corpus import load_corpus
from thesis_lib.data.encoding import bar_steps


def barred_apart(songs, alike: float = 0.9, tokens=None) -> tuple[int, int]:
    """Pairs of songs (in METERS) whose event strings are at least `alike` similar (Indel), and how many of them
    are written in different meters or with their bar lines in different places where their events align. By
    default the strings are the rhythms (lengths, rest or note): a ceiling on any reading of the rhythm; with
    `meter._tokens` (pitch and length) the pairs are variants of one tune, and the count is how consistently
    the collection's editors bar one tune."""
    songs = [s for s in songs if s.meter in meter.METERS]
    if tokens is None:
        token = {}
        tokens = lambda events: "".join(chr(0x100 + token.setdefault((p is None, n), len(token)))  # noqa: E731
                                        for p, n in events)
    strings = [tokens(s.events) for s in songs]
    pairs = apart = 0
    for i in range(len(songs)):
        for j in range(i + 1, len(songs)):
            if Indel.normalized_similarity(strings[i], strings[j], score_cutoff=alike) < alike:
                continue
            pairs += 1
            if songs[i].meter != songs[j].meter:
                apart += 1
                continue
            apart += songs[i].pickup != meter.aligned_pickup(songs[i].events, songs[j].events, songs[j].pickup,
                                                             bar_steps(songs[j].meter), tokens)
    return pairs, apart


def line_lengths(songs) -> dict[str, float]:
    """Per meter, the median length in sixteenths of a line of the ABC file (Essen writes a phrase per line),
    taken as the song's length over its number of music lines."""
    import numpy as np

    from thesis_lib.data.corpus import discover

    texts = {t.source: t.text or "" for t in discover(None)[0]}
    per = {}
    for s in songs:
        lines = [ln for ln in texts.get(s.source, "").splitlines()[1:] if ln.strip() and ln[1:2] != ":"]
        if s.meter in meter.METERS and lines:
            per.setdefault(s.meter, []).append(s.steps / len(lines))
    return {m: float(np.median(per[m])) for m in meter.METERS if m in per}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--parts", action="store_true", help="also measure the model without variants, phase changes")
    ap.add_argument("--ship", action="store_true", help="write thesis_lib/pretrained/meter_model.json")
    args = ap.parse_args()
    songs = load_corpus(progress=False).songs
    if args.parts:
        no_variants = mock.patch.object(meter.MeterModel, "variant", lambda self, events: None)
        for name, switch in (("position model and context classifier", float("inf")),
                             ("... with phase changes", meter.SWITCH)):
            with no_variants, mock.patch.object(meter, "SWITCH", switch):
                cv = meter.cross_validate(songs)
            print(f"{name}: meter right {cv['meter']:.1%}, meter and pickup right {cv['meter_and_pickup']:.1%}")
    t = time.perf_counter()
    cv = meter.cross_validate(songs)
    seconds = time.perf_counter() - t
    others = Counter(s.meter for s in songs if s.meter and s.meter not in meter.METERS)
    print(f"{cv['n']} ballads state one of {', '.join(meter.METERS)}; {cv['other']} state another meter "
          f"({dict(others.most_common())}); {sum(s.meter is None for s in songs)} state none")
    print(f"5-fold cross-validation ({seconds:.0f} s): meter right {cv['meter']:.1%}, "
          f"meter and pickup right {cv['meter_and_pickup']:.1%}")
    print(meter.confusion(cv["rows"]).to_string())
    wrong = Counter((m, p, q) for m, p, n, q in cv["rows"] if m == n and p != q)
    stated = Counter((m, p) for m, p, _, _ in cv["rows"])
    print(f"{sum(wrong.values())} songs have the meter right and the pickup wrong; the commonest "
          "(meter, stated pickup -> inferred, in 16ths):")
    for (m, p, q), k in wrong.most_common(5):
        print(f"  {m}: {p} -> {q}: {k} of the {stated[(m, p)]} songs stating {m} with pickup {p}")
    pairs, apart = barred_apart(songs)
    print(f"{pairs} pairs of these ballads have rhythms at least 90% alike; {apart} of them are written in "
          "another meter or with their bar lines elsewhere")
    pairs, apart = barred_apart(songs, meter.VARIANT, meter._tokens)
    print(f"{pairs} pairs of these ballads are variants of one tune (notes, pitch and length, at least "
          f"{meter.VARIANT:.0%} alike); the files bar {pairs - apart} of them alike ({1 - apart / pairs:.0%})")
    print("median length of a line (a phrase) of the files, in sixteenths and in bars: " + ", ".join(
        f"{m} {n:.0f} ({n / bar_steps(m):.2g} bars)" for m, n in line_lengths(songs).items()))
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
