"""Which inputs make the whole-tune model write whole tunes (07_tunes' ablation): every arm trained for the same number
of epochs through the CLI (each command recorded, its minutes too: a budget of epochs is fair on a machine whose
speed varies), then scored on the held-out songs (NLL per step with the ends,
pitch bits per note) and by 117 tunes of its own (seed 0, T = 1, meter and mode drawn from the ballads' shares):
repetition near and far, median length, the endings, and the asked meter and mode read back. The held-out ballads
and the shipped LSTM, scored the same way, are the rows to compare with. A finished arm is reused.

Arms (models/tunes.py): plain (meter and mode only), position (+ bar position and bar number), lookback
(+ what sounded one and two bars earlier, Magenta's lookback RNN), phrase (lookback 1, 2, 4, 8 bars), copy (the
phrase arm, its output a mixture of its prediction and the lookback symbols), copy8 (the copy arm looking back,
and copying, every bar from 1 to 8 back), attention (a causal Transformer decoder over the position inputs). Every
arm trains with dropout 0.3 and no style at the output, whatever the profile ships.

Run: KERAS_BACKEND=jax .venv/bin/python benchmarks/tunes_ablation.py [--epochs 30]
     [--out outputs/benchmarks/tunes_ablation] [--only lookback,phrase] [--ship]
Writes OUT/ablation.json, prints the table; --ship copies it to thesis_lib/pretrained/tunes_ablation.json (07 reads it).
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ARMS = ("plain", "position", "lookback", "phrase", "copy", "copy8", "attention")
DROPOUT = 0.3   # every arm's, whatever the profile ships (0.5): the rows compare inputs, not recipes
COLUMNS = ("nll", "pitch_bits", "repetition_near", "repetition_far", "median_steps", "ends_tonic", "ends_downbeat",
           "mode_read_back", "meter_read_back_min")


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "thesis_lib.cli", *args]


def references(n: int, seed: int) -> dict:
    """The held-out ballads and the shipped LSTM, scored as the arms are."""
    from thesis_lib import sources
    from thesis_lib.data.corpus import embedded_split, load_corpus
    from thesis_lib.data.melody import Melody
    from thesis_lib.measures import tunes as tune_measures
    from thesis_lib.models import lstm, shipped, tunes

    songs = load_corpus(progress=False).songs
    data = tunes.prepare(songs)
    real = [Melody.from_song(s) for s in embedded_split()[1]]  # all 117 held-out songs, whatever their meter
    model, vocab, _ = shipped.load_pretrained("lstm")
    lstm_scores = lstm.score_songs(model, vocab, [t.symbols for t in data.test])
    lstm_tunes = sources.melodies("lstm", n, seed=seed).melodies
    return {"held-out ballads": {**tune_measures.figures(real)},
            "LSTM (shipped)": {**tune_measures.figures(lstm_tunes, asked=False), "nll": lstm_scores["nll"],
                               "pitch_bits": lstm_scores["pitch_bits"]}}


def score(weights: Path, n: int, seed: int) -> dict:
    """An arm's held-out scores (from its metrics JSON) and the figures of n tunes of its own."""
    from thesis_lib import sources
    from thesis_lib.measures import tunes as tune_measures

    metrics = json.loads(weights.with_name("tunes_metrics.json").read_text())
    t = time.perf_counter()
    batch = sources.melodies("tunes", n, seed=seed, weights=weights)
    seconds = time.perf_counter() - t
    fig = tune_measures.figures(batch.melodies)
    symbols = sum(m.steps for m in batch.melodies)
    return {**fig, "nll": metrics["scores"]["test"]["nll"], "pitch_bits": metrics["scores"]["test"]["pitch_bits"],
            "validation_nll": metrics["scores"]["validation"]["nll"], "kept_epoch": metrics["kept_epoch"],
            "epochs_run": metrics["epochs_run"], "train_seconds": metrics["seconds"],
            "generation_symbols_per_second": symbols / seconds,
            "meter_read_back_min": min(fig["meter_read_back"].values()) if fig["meter_read_back"] else None}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--tunes", type=int, default=117)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="outputs/benchmarks/tunes_ablation")
    ap.add_argument("--only", default=None)
    ap.add_argument("--ship", action="store_true")
    args = ap.parse_args()
    out = Path(args.out)
    arms = args.only.split(",") if args.only else ARMS
    from thesis_lib.core import backend
    from thesis_lib.core.config import PRETRAINED

    # the rows of earlier runs: this folder's, else the shipped table's (so that `--only ARM --ship` adds a row)
    earlier = next((p for p in (out / "ablation.json", PRETRAINED / "tunes_ablation.json") if p.exists()), None)
    record = json.loads(earlier.read_text()) if earlier else {}

    record.update(epochs=args.epochs, tunes=args.tunes, seed=args.seed, backend=backend.name(),
                  arms=record.get("arms", {}))
    for arm in arms:
        folder = out / arm
        command = ["train", "--model", "tunes", "--profile", "full", "--arm", arm, "--epochs", str(args.epochs),
                   "--dropout", str(DROPOUT), "--no-style-out", "--seed", str(args.seed), "--out", str(folder)]
        if not (folder / "tunes.keras").exists():
            print(f"training {arm}: thesis-music {' '.join(command)}", flush=True)
            subprocess.run(cli(*command), check=True)
        record["arms"][arm] = {"command": f"KERAS_BACKEND={backend.name()} thesis-music " + " ".join(command),
                               **score(folder / "tunes.keras", args.tunes, args.seed)}
        (out / "ablation.json").write_text(json.dumps(record, indent=1))
    record["references"] = references(args.tunes, args.seed)
    (out / "ablation.json").write_text(json.dumps(record, indent=1))
    rows = {**{f"arm: {a}": record["arms"][a] for a in ARMS if a in record["arms"]}, **record["references"]}
    print(f"\n{args.tunes} tunes per arm (seed {args.seed}, T = 1), {args.epochs} epochs of training each "
          f"({backend.name()}); NLL and pitch bits on the held-out songs; minutes: "
          + ", ".join(f"{a} {r['train_seconds'] / 60:.1f}" for a, r in record["arms"].items()))
    print(f"{'':24s}" + "".join(f"{c[:15]:>16s}" for c in COLUMNS))
    for name, row in rows.items():
        print(f"{name:24s}" + "".join(f"{row[c]:16.3f}" if isinstance(row.get(c), float) else f"{'-':>16s}"
                                      for c in COLUMNS))
    if args.ship:
        from thesis_lib.core.files import write_json

        write_json(PRETRAINED / "tunes_ablation.json", record)
        print(f"wrote {PRETRAINED / 'tunes_ablation.json'}")


if __name__ == "__main__":
    main()
