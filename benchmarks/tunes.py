"""The whole-tune model against its goals (07_tunes' table), side by side with the shipped LSTM, the 5-gram and the
held-out songs, all from one run of several draws (seeds 0, 1 and 2 unless told: 117 tunes a draw swing a goal
such as the repetition or the two-sample accuracy across its line from draw to draw, so the goals are judged on the
mean of the draws, and each draw's figure is printed beside it):

  held-out NLL per step over every step of each held-out song and its end (both models scored the same way),
  pitch bits per note (onsets given), the asked meter read back by `thesis_lib.data.meter` (100 tunes per meter),
  the asked mode read back by the mode analysis, repetition near and far, the median length, the endings (tonic,
  downbeat), the two-sample accuracy against the training songs (T = 1, repetition among the features), the share
  of tunes holding 8 bars of a training song verbatim; then the speed of batched generation (256 tunes) and the
  training time of the weights measured (from their metrics JSON). The backend is Keras's (`KERAS_BACKEND`; the
  figures shipped were made on `jax`, as the weights were).

Run: KERAS_BACKEND=jax .venv/bin/python benchmarks/tunes.py [--weights PATH] [--tunes 117] [--per-meter 100] [--seeds 0 1 2] [--temperature 1]
     [--free-ending]
     [--ship]
--ship writes thesis_lib/pretrained/tunes_figures.json (07 and docs/tunes.md read it), or tunes_figures_tT.json for
another temperature of the tune model (the other rows stay at T = 1); with --free-ending, ..._free_ending.json.
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np

GOALS = {"nll_below_lstm": 0.10, "pitch_bits": 2.10, "meter_read_back": 0.90, "mode_read_back": 0.95,
         "repetition_within": 0.20, "median_steps_within": 0.20, "two_sample_accuracy": 0.60, "copied_8_bars": 0.05}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", default=None, help="a tunes.keras (default: the shipped one)")
    ap.add_argument("--tunes", type=int, default=117, help="tunes per row and draw (the held-out songs are 117)")
    ap.add_argument("--per-meter", type=int, default=100, help="tunes asked for in each of 2/4, 3/4, 4/4, 6/8")
    ap.add_argument("--speed-tunes", type=int, default=256)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2],
                    help="one draw of every set per seed; the goals are judged on the mean of the draws")
    ap.add_argument("--temperature", type=float, default=1.0, help="the tune model's (the other rows stay at T = 1)")
    ap.add_argument("--free-ending", action="store_true",
                    help="the tune model alone decides where a tune ends (generate's --free-ending): without the rule "
                    "that a tune may not end on the other mode's tonic")
    ap.add_argument("--ship", action="store_true", help="write the figures JSON into thesis_lib/pretrained/")
    ap.add_argument("--out", default=None, metavar="FIGURES.json", help="write the figures JSON here")
    ap.add_argument("--markdown", default=None, metavar="FIGURES.json",
                    help="print the goal table and the rows of a figures JSON as markdown (docs/tunes.md), and stop")
    args = ap.parse_args()
    if args.markdown:
        print(markdown(json.loads(Path(args.markdown).read_text(encoding="utf-8"))))
        return

    from thesis_lib import sources
    from thesis_lib.core import backend
    from thesis_lib.core.config import PRETRAINED
    from thesis_lib.core.files import write_json
    from thesis_lib.data.corpus import load_corpus
    from thesis_lib.models import lstm, shipped, tunes

    songs = load_corpus(progress=False).songs
    data = tunes.prepare(songs)
    model, vocab, prov = shipped.load_pretrained("tunes", args.weights)
    net, lvocab, _ = shipped.load_pretrained("lstm")
    scores = {"tunes": tunes.score(model, data.test, vocab), "lstm": lstm.score_songs(net, lvocab,
                                                                                      [t.symbols for t in data.test])}
    by_seed = {seed: draw(args, seed) for seed in args.seeds}

    # speed: the batched generator of 256 tunes, first as a process meets it (each batch shape compiled on first
    # use), then again with another seed (the steady rate of a process that draws more than once, as the CLI's
    # `generate` with its meter checks, the survey's stimuli or this script do)
    t = time.perf_counter()
    sources.melodies("tunes", args.speed_tunes, seed=1002, weights=args.weights, end_in_mode=not args.free_ending)
    first_seconds = time.perf_counter() - t
    t = time.perf_counter()
    speed = sources.melodies("tunes", args.speed_tunes, seed=1001, weights=args.weights,
                             end_in_mode=not args.free_ending).melodies
    seconds = time.perf_counter() - t
    speed = {"tunes": args.speed_tunes, "symbols": sum(m.steps for m in speed), "seconds": seconds,
             "first_draw_seconds": first_seconds, "backend": backend.name()}

    rows = mean_of(list(by_seed.values()))
    checks = goals(scores, rows, speed, prov)
    each = {seed: goals(scores, r, speed, prov) for seed, r in by_seed.items()}
    print(f"held-out songs the tune model can take: {len(data.test)} of 117 (NLL rows); {args.tunes} melodies per "
          f"row and draw, seeds {' '.join(map(str, args.seeds))}, T = 1")
    print(f"NLL per step with the ends: whole-tune model {scores['tunes']['nll']:.4f}, LSTM {scores['lstm']['nll']:.4f} "
          f"(x{scores['tunes']['nll'] / scores['lstm']['nll']:.3f}); pitch bits {scores['tunes']['pitch_bits']:.3f} "
          f"against {scores['lstm']['pitch_bits']:.3f}")
    cols = ("median_steps", "repetition_near", "repetition_far", "ends_tonic", "ends_downbeat", "two_sample_accuracy",
            "copied_8_bars")
    for title, table in [*((f"seed {seed}", r) for seed, r in by_seed.items()), ("mean of the draws", rows)]:
        print(f"\n{title:20s}" + "".join(f"{c[:17]:>18s}" for c in cols))
        for name, row in table.items():
            print(f"{name:20s}" + "".join(f"{row[c]:18.3f}" if row.get(c) is not None else f"{'-':>18s}" for c in cols))
        mine = table["whole-tune model"]
        print(f"asked meter read back: {mine['meter_read_back']}; asked mode read back {mine['mode_read_back']:.3f} "
              f"(minor asked: {mine['minor_read_back']:.3f})")
    print(f"\ngeneration ({speed['backend']}): {args.speed_tunes} tunes, {speed['symbols']:,} symbols in {seconds:.2f} s = "
          f"{speed['symbols'] / seconds:,.0f} symbols/s (the first draw of {args.speed_tunes} in this process, compiling: "
          f"{first_seconds:.1f} s); training of these weights: {prov.get('seconds', float('nan')) / 60:.1f} minutes")
    print("\ngoal                                            mean of draws  goal / reference   met   each draw")
    for goal, (value, target, ok) in checks.items():
        print(f"{goal:48s}{value:10.3f}   {target:12.3f}        {'yes' if ok else 'NO ':3s}   "
              + " ".join(f"{each[seed][goal][0]:.3f}{'' if each[seed][goal][2] else '*'}" for seed in args.seeds))
    print("(* a draw that misses)")
    record = {"command": "benchmarks/tunes.py " + " ".join(
                  f"--{k.replace('_', '-')} {' '.join(map(str, v)) if isinstance(v, list) else v}"
                  for k, v in vars(args).items() if v not in (None, False)),
              "weights": args.weights or "shipped", "test_tunes": len(data.test), "scores": scores, "seeds": args.seeds,
              "rows": rows, "rows_by_seed": {str(k): v for k, v in by_seed.items()}, "speed": speed,
              "training_seconds": prov.get("seconds"),
              "checks": {k: {"measured": v, "target": t_, "met": bool(ok),
                             "by_seed": [each[seed][k][0] for seed in args.seeds],
                             "met_by_seed": [bool(each[seed][k][2]) for seed in args.seeds]}
                         for k, (v, t_, ok) in checks.items()}}
    name = ("tunes_figures" + ("" if args.temperature == 1 else f"_t{args.temperature:g}")
            + ("_free_ending" if args.free_ending else "") + ".json")
    for path in [*([PRETRAINED / name] if args.ship else []), *([Path(args.out)] if args.out else [])]:
        write_json(path, record)
        print(f"wrote {path}")


def draw(args, seed: int) -> dict:
    """One draw of every set at `seed`: the rows of the whole-tune model, the shipped LSTM, the 5-gram and the
    held-out songs, the tune model's meters read back (per asked meter) and its minor tunes' mode read back."""
    from thesis_lib import sources
    from thesis_lib.data.corpus import embedded_split
    from thesis_lib.data.melody import Melody
    from thesis_lib.measures import evaluation as ev
    from thesis_lib.measures import tunes as tune_measures

    reference = ev.embedded_reference(seed)
    held = [Melody.from_song(s) for s in embedded_split()[1]]
    tune = dict(seed=seed, weights=args.weights, temperature=args.temperature, end_in_mode=not args.free_ending)
    sets = {"whole-tune model": sources.melodies("tunes", args.tunes, **tune).melodies,
            "LSTM (shipped)": sources.melodies("lstm", args.tunes, seed=seed).melodies,
            "5-gram": sources.melodies("ngram", args.tunes, seed=seed).melodies,
            "held-out songs": held}
    rows = {}
    for name, mels in sets.items():
        row = tune_measures.figures(mels, asked=name == "whole-tune model")
        scored = ev.evaluate_set(mels, reference, seed)
        row.update(two_sample_accuracy=scored["two_sample_accuracy"], copied_8_bars=ev.copied_bars(mels, reference))
        rows[name] = row
    mine = rows["whole-tune model"]
    per_meter = {meter: tune_measures.figures(sources.melodies("tunes", args.per_meter, meter=meter, **tune).melodies)
                 for meter in ("2/4", "3/4", "4/4", "6/8")}
    mine["meter_read_back"] = {m: f["meter_read_back"][m] for m, f in per_meter.items()}
    mine["mode_read_back_per_meter"] = {m: f["mode_read_back"] for m, f in per_meter.items()}
    minor = sources.melodies("tunes", args.per_meter, mode="minor", **tune).melodies
    mine["minor_read_back"] = tune_measures.figures(minor)["mode_read_back"]
    return rows


def mean_of(values: list):
    """The mean of several draws' figures, key by key (numbers averaged; anything else taken from the first)."""
    first = values[0]
    if isinstance(first, dict):
        return {k: mean_of([v[k] for v in values]) for k in first if all(k in v for v in values)}
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return float(np.mean(values))
    return first


def goals(scores: dict, rows: dict, speed: dict, prov: dict) -> dict:
    """Each goal of the issue: (measured, goal or reference, met)."""
    real, mine, lstm_nll = rows["held-out songs"], rows["whole-tune model"], scores["lstm"]["nll"]
    rate = speed["symbols"] / speed["seconds"]
    return {
        "held-out NLL ≥ 10% below the LSTM's": (scores["tunes"]["nll"], lstm_nll * (1 - GOALS["nll_below_lstm"]),
                                                scores["tunes"]["nll"] <= lstm_nll * (1 - GOALS["nll_below_lstm"])),
        "pitch bits per note ≤ 2.10": (scores["tunes"]["pitch_bits"], 2.10, scores["tunes"]["pitch_bits"] <= 2.10),
        **{f"asked {m} read back ≥ 90%": (v, 0.90, v >= 0.90) for m, v in mine["meter_read_back"].items()},
        "asked mode read back ≥ 95%": (mine["mode_read_back"], 0.95, mine["mode_read_back"] >= 0.95),
        **{f"repetition {k} within 20% of the ballads'": (mine[f"repetition_{k}"], real[f"repetition_{k}"],
                                                          abs(mine[f"repetition_{k}"] / real[f"repetition_{k}"] - 1) <= 0.2)
           for k in ("near", "far")},
        "median length within 20% of the ballads'": (mine["median_steps"], real["median_steps"],
                                                     abs(mine["median_steps"] / real["median_steps"] - 1) <= 0.2),
        "two-sample accuracy ≤ 0.60": (mine["two_sample_accuracy"], 0.60, mine["two_sample_accuracy"] <= 0.60),
        "tunes holding 8 bars of a training song ≤ 5%": (mine["copied_8_bars"], 0.05, mine["copied_8_bars"] <= 0.05),
        "256 tunes at ≥ 10,000 symbols/s": (rate, 10_000, rate >= 10_000),
        "training within 45 minutes": (prov.get("seconds", float("nan")) / 60, 45, prov.get("seconds", 1e9) <= 2700),
    }


def markdown(record: dict) -> str:
    """The goal table and the rows of a figures JSON, as docs/tunes.md shows them."""
    def pct(v: float) -> str:
        return f"{100 * v:.1f}%"

    def num(v: float) -> str:
        return f"{v:,.3f}" if abs(v) < 100 else f"{v:,.0f}"

    seeds = record.get("seeds", [0])
    lines = [(f"| goal | measured (mean of the draws) | each draw (seeds {' · '.join(map(str, seeds))}) "
              "| goal or reference | met |"), "|---|---|---|---|---|"]
    for goal, c in record["checks"].items():
        each = " · ".join(num(v) + ("" if ok else "\\*") for v, ok in zip(c.get("by_seed", [c["measured"]]),
                                                                         c.get("met_by_seed", [c["met"]])))
        lines.append(f"| {goal} | {num(c['measured'])} | {each} | {num(c['target'])} | {'yes' if c['met'] else '**no**'} |")
    lines += ["", ("| set (mean of the draws) | median steps | repetition near | repetition far | ends on the tonic | ends on a downbeat "
                   "| two-sample accuracy | holding 8 bars of a training song |"), "|---|---|---|---|---|---|---|---|"]
    for name, r in record["rows"].items():
        lines.append(f"| {name} | {r['median_steps']:.0f} | {pct(r['repetition_near'])} | {pct(r['repetition_far'])} | "
                     f"{pct(r['ends_tonic'])} | {pct(r['ends_downbeat'])} | {r['two_sample_accuracy']:.3f} | "
                     f"{pct(r['copied_8_bars'])} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
