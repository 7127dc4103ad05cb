"""`thesis-music evaluate`: the objective metrics of any melodies against a reference set, or a model's held-out
scores beside its baselines."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..core.errors import UsageError


def add_parser(sub) -> None:
    """The verb's arguments."""
    v = sub.add_parser("evaluate", help="score melodies against a reference set (objective metrics)",
                       description="Per-feature overlapped area (OA, 1 = like the reference) and KL divergence of "
                       "distance distributions after Yang & Lerch (2018), novelty (longest run copied from the "
                       "reference), diversity, bar fill and a real-vs-generated classifier (0.5 = indistinguishable). "
                       "Files: .krn .abc .mid .musicxml .mxl, and .txt symbols as `generate` writes; folders are "
                       "searched recursively and each melody counts once.")
    v.add_argument("paths", nargs="*", metavar="PATH")
    v.add_argument("--model", choices=["lstm"], default=None,
                   help="score the model itself on the held-out ballads (NLL, note-onset accuracy, pitch bits per "
                   "note as IDyOM reports them), beside the majority-class and n-gram baselines")
    v.add_argument("--weights", default=None, help="with --model: a .keras file instead of the shipped one")
    v.add_argument("--reference", default="embedded",
                   help="embedded (the ballads the LSTM trained on) or a file/folder of melodies")
    v.add_argument("--json", default=None, metavar="OUT", help="also write the metrics, sources and skips as JSON")
    v.add_argument("--seed", type=int, default=0)
    v.set_defaults(func=evaluate)


def evaluate(args: argparse.Namespace) -> int:
    """Score melody files against a reference set: the metrics table on stdout, a JSON on request."""
    import json

    from ..measures import evaluation as ev
    from ..measures.metrics import FEATURES
    from ..sources.read import from_files

    if args.model:
        return evaluate_model(args)
    if not args.paths:
        raise UsageError("give melody files or folders to score, or --model lstm to score the model itself")
    names, melodies, skipped = from_files(args.paths)
    for source, reason in skipped:
        print(f"{source}: skipped: {reason}", file=sys.stderr)
    if not melodies:
        print(f"thesis-music evaluate: no melody could be read ({len(skipped)} skipped)", file=sys.stderr)
        return 1
    if args.reference == "embedded":
        reference = ev.embedded_reference(args.seed)
    else:
        _, ref_melodies, ref_skipped = from_files([args.reference])
        for source, reason in ref_skipped:
            print(f"{source}: skipped: {reason}", file=sys.stderr)
        if len(ref_melodies) < 2:
            print(f"thesis-music evaluate: the reference {args.reference} needs at least 2 melodies", file=sys.stderr)
            return 1
        reference = ev.Reference.build(args.reference, ref_melodies, seed=args.seed)
    ref_name, ref_melodies = reference.name, reference.melodies
    row = ev.evaluate_set(melodies, reference, seed=args.seed)
    print(f"thesis-music evaluate: {len(melodies)} melodies ({len(skipped)} skipped) against {ref_name} "
          f"({len(ref_melodies)} melodies)", file=sys.stderr)
    width = max(map(len, FEATURES))
    print(f"{'feature':<{width}}  {'OA':>6}  {'KL':>7}")
    for f in FEATURES:
        print(f"{f:<{width}}  {row[f'oa_{f}']:6.3f}  {row[f'kl_{f}']:7.3f}")
    print(f"{'mean':<{width}}  {row['mean_oa']:6.3f}  {row['mean_kl']:7.3f}")
    print()
    for key in ev.SUMMARY_COLUMNS:
        value = row[key]
        print(f"{key:<{width}}  " + ("n/a (too short or too few)" if value is None else
                                     f"{value:.3f}" if isinstance(value, float) else str(value)))
    if args.json:
        out = {"command": "thesis-music " + " ".join(args.argv), "reference": ref_name,
               "reference_melodies": len(ref_melodies), "melodies": names,
               "skipped": [{"source": s, "reason": r} for s, r in skipped], "metrics": row}
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    return 0


def evaluate_model(args: argparse.Namespace) -> int:
    """The model table of 04 for a trained LSTM: held-out NLL, accuracy, note-onset accuracy and pitch bits per
    note, beside the majority-class and n-gram baselines fitted on the same split."""
    import json

    from ..data.corpus import load_corpus
    from ..data.encoding import encode_events
    from ..models import lstm, markov, shipped
    from ..models.scoring import model_table, score_predictions, window_targets

    model, vocab, prov = shipped.load_pretrained("lstm", args.weights)
    songs = load_corpus(progress=False).songs
    data = lstm.prepare_data([encode_events(s.events) for s in songs], vocab, seed=prov.get("seed", args.seed))
    rows, _, _ = markov.baseline_scores(data.stream, data.train_starts, data.val_starts, vocab)
    probs = lstm.predict_windows(model, data.stream, data.val_starts)
    rows["LSTM"] = score_predictions(probs, window_targets(data.stream, data.val_starts), vocab)
    table = model_table(rows, ("nll", "accuracy", "acc_note", "pitch_bits"))
    print(f"thesis-music evaluate: {args.weights or 'the shipped LSTM'} on {data.summary()['songs_val']} held-out "
          f"ballads ({len(data.val_starts):,} steps, {rows['LSTM']['n_notes']:,} notes)", file=sys.stderr)
    print(table.to_string(float_format=lambda v: f"{v:.3f}"))
    print("pitch_bits: -log2 P(pitch of each note | its onset), renormalised over the pitch symbols; IDyOM reaches "
          "2.1-2.7 on Essen songs in their own keys (Pearce 2005), ours are transposed to C major / A minor")
    if args.json:
        Path(args.json).write_text(json.dumps({"command": "thesis-music " + " ".join(args.argv), "scores": rows},
                                              indent=1) + "\n")
    return 0
