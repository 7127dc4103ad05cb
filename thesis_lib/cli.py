"""`thesis-music`: the command line over the library: encode, train, generate, evaluate, survey, run (papermill).

The verbs that train models and draw melodies live in `cli_models`; this module holds the parser and the rest.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from typing import Sequence

from .cli_models import generate, train
from .config import BPM, MAX_STEPS
from .errors import ThesisError, UsageError

def _encode(args: argparse.Namespace) -> int:
    """Print SOURCE<TAB>SYMBOLS per kept song (stdout) and SOURCE: skipped: REASON per rejected one (stderr)."""
    from .corpus import load_corpus
    from .encoding import encode_events

    corpus = load_corpus(args.paths or None, transpose=args.transpose, cache=not args.no_cache,
                         require_songs=False)
    for skip in corpus.skipped:
        print(f"{skip.source}: skipped: {skip.reason}", file=sys.stderr)
    for song in corpus.songs:
        print(f"{song.source}\t{' '.join(encode_events(song.events, args.scheme))}")
    if not corpus.songs:
        print(f"thesis-music encode: no song could be encoded ({len(corpus.skipped)} skipped)", file=sys.stderr)
        return 1
    return 0


def _run(args: argparse.Namespace) -> int:
    """Execute the notebook series with papermill in a profile."""
    from .series import run_series

    for path in run_series(args.profile, corpus=args.corpus, seed=args.seed, output_dir=args.out,
                           only=args.only.split(",") if args.only else None):
        print(path)
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    """Score melody files against a reference set: the metrics table on stdout, a JSON on request."""
    import json

    from . import evaluation as ev
    from .metrics import FEATURES
    from .sources import from_files

    if args.model:
        return _evaluate_model(args)
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


def _evaluate_model(args: argparse.Namespace) -> int:
    """The model table of 04 for a trained LSTM: held-out NLL, accuracy, note-onset accuracy and pitch bits per
    note, beside the majority-class and n-gram baselines fitted on the same split."""
    import json

    from . import lstm, markov, shipped
    from .corpus import load_corpus
    from .encoding import encode_events
    from .scoring import model_table, score_predictions, window_targets

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


def _survey(args: argparse.Namespace) -> int:
    """The listening survey: make stimuli, serve the participants' page, export and analyse the answers."""
    from . import survey
    from .survey_store import AnswerStore

    stimuli_path = Path(args.stimuli or survey.STIMULI)
    responses = Path(args.responses or survey.RESPONSES)
    if args.action == "stimuli":
        if stimuli_path.exists() and not args.force:
            raise UsageError(f"{stimuli_path} exists (answers may belong to it); pass --force to make a new round")
        record = survey.make_stimuli(args.per_source, args.seed)
        survey.save_stimuli(record, stimuli_path)
        counts = {}
        for s in record["stimuli"]:
            counts[s["source"]] = counts.get(s["source"], 0) + 1
        print(f"{stimuli_path}: {len(record['stimuli'])} stimuli of {record['steps']} steps at {record['bpm']} bpm, "
              f"seed {args.seed}: {counts}")
        return 0
    stimuli = survey.load_stimuli(stimuli_path)
    if args.action == "serve":
        from .survey_app import serve

        process = serve(stimuli_path, responses, port=args.port, host=args.host)
        shown = "localhost" if args.host in ("127.0.0.1", "0.0.0.0") else args.host
        print(f"thesis-music survey: participants open http://{shown}:{args.port}/ "
              + ("(on this network: this machine's address instead of localhost) " if args.host == "0.0.0.0" else "")
              + f"- answers go to {responses}; Ctrl-C stops the server", flush=True)
        def stop(signum, frame):  # `kill` or a service manager: stop Voilà too, never leave it serving alone
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        try:
            return process.wait()
        except KeyboardInterrupt:
            return 0
        finally:
            if process.poll() is None:
                process.terminate()
                process.wait(30)
    out = Path(args.out or survey.EXPORT)
    if args.action == "export":
        AnswerStore(responses, [s["id"] for s in stimuli]).export(out, stimuli)
        df, _ = survey.load_responses(out)
        print(f"{out}: {len(df)} answers from {df['participant'].nunique()} participants")
        return 0
    df, problems, out = survey.read_answers(responses, stimuli_path, out)
    for p in problems:
        print(p, file=sys.stderr)
    print(survey.status_line(df, problems, out))
    if len(df) == 0:
        return 0
    result = survey.analyse(df, seed=args.seed)
    print(survey.report(result))
    if args.plot:
        from . import plots

        plots.save(plots.survey_ratings(df, list(result.per_source.index)), args.plot)
        print(f"Fig. 18: {args.plot}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every verb."""
    p = argparse.ArgumentParser(prog="thesis-music", description="Folk-melody generation after the thesis "
                                "(Essen ballads, 16th-note time series, LSTM and DCGAN).")
    sub = p.add_subparsers(dest="verb", required=True)

    e = sub.add_parser("encode", help="print songs as 16th-note symbol sequences",
                       description="Encode songs as 16th-note symbols, one line per song: SOURCE<TAB>SYMBOLS. "
                       "With no PATH: the embedded Essen ballads. Files: .krn .abc .mid .musicxml .mxl; "
                       "folders are searched recursively.")
    e.add_argument("paths", nargs="*", metavar="PATH")
    e.add_argument("--scheme", choices=["thesis", "per-pitch-hold"], default="thesis",
                   help="thesis: `60 _ _`; per-pitch-hold: `60 _60 _60` (the GAN's)")
    e.add_argument("--transpose", choices=["thesis", "nearest"], default="thesis",
                   help="thesis: tonic in octave 4 to C4/A4; nearest: the same key, shift within -6..+5")
    e.add_argument("--no-cache", action="store_true", help="parse again instead of reading data/cache/")
    e.set_defaults(func=_encode)

    t = sub.add_parser("train", help="train a model (writes weights, vocabulary and a metrics JSON)",
                       description="Train the Table-1 LSTM on a split by song (10%% held out), or the Tables 2-3 "
                       "DCGAN / WGAN-GP on 64-step windows. Resumes from OUT/checkpoint/ after an interruption.")
    t.add_argument("--model", choices=["lstm", "gan", "gan-improved"], default="lstm")
    t.add_argument("--variant", default=None, help="gan: dcgan (default) or wgan-gp; gan-improved: seqgan "
                   "(default), wgan-1d, wgan-1d-st or dcgan-fm (05's ablation)")
    t.add_argument("--scheme", choices=["per-pitch-hold", "thesis"], default="per-pitch-hold",
                   help="GAN only: per-pitch holds (folded to 64 columns) or the single hold that collapses")
    t.add_argument("--profile", choices=["quick", "full"], default="quick")
    t.add_argument("--corpus", default=None, help="a file or folder instead of the embedded ballads")
    t.add_argument("--out", required=True, help="folder for the weights, the vocabulary and a metrics JSON")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--epochs", type=int, default=None, help="override the profile's epochs")
    t.add_argument("--max-songs", type=int, default=None, help="override the profile's song cap")
    t.add_argument("--windows-per-epoch", type=int, default=None,
                   help="shorter epochs: a fresh random draw of this many windows each (default: the profile's)")
    t.add_argument("--keep", choices=["last", "best"], default="last",
                   help="ship the last epoch, or the best: the LSTM's lowest held-out loss, the GAN's least "
                   "collapsed generator (early stopping; the run and its history go on)")
    t.add_argument("--dropout", type=float, default=None, help="LSTM only: override the profile's dropout (0.3)")
    t.add_argument("--stride", type=int, default=None,
                   help="LSTM every-step only: a window every STRIDE steps (the profile's 16)")
    t.add_argument("--every-step", action="store_true", help="loss at all 64 positions (same Table-1 weights)")
    t.add_argument("--max-minutes", type=float, default=None, help="stop after the epoch that passes this time")
    t.add_argument("--val-fraction", type=float, default=0.1)
    t.add_argument("--val-share", type=float, default=1.0,
                   help="per-epoch validation on this random share of the held-out windows (final scores: all)")
    t.add_argument("--restart", action="store_true", help="ignore OUT/checkpoint/ and start afresh")
    t.add_argument("--jit-compile", action="store_true", help="XLA-compile the training step (for a GPU)")
    t.add_argument("--steps-per-execution", type=int, default=None, help="training steps per compiled call")
    t.add_argument("--mixed-precision", action="store_true", help="float16 compute, float32 weights (for a GPU)")
    t.set_defaults(func=train)

    g = sub.add_parser("generate", help="generate melodies (MIDI, MusicXML, symbols, WAV)",
                       description="LSTM and n-gram: from 64 `/` (or a primer) until the model writes `/`. "
                       "GANs: 64 steps from noise. Without --weights: the weights shipped in thesis_lib/pretrained/. "
                       "Each score is barred in the meter and pickup its rhythm fits.")
    g.add_argument("--model", choices=["lstm", "gan", "gan-improved", "wgan-gp", "ngram", "random"], default="lstm",
                   help="gan is the thesis's DCGAN; ngram and random are the baselines of the comparison table")
    g.add_argument("--weights", default=None, help="a .keras file; its vocabulary is NAME_vocab.json beside it")
    g.add_argument("-n", type=int, default=4, help="how many melodies")
    g.add_argument("--temperature", type=float, default=1.0, help="0 = always the likeliest symbol (§3.1)")
    g.add_argument("--primer", default=None, help="a melody file, or symbols such as \"60 _ _ _ 64 _ 67 _\"")
    g.add_argument("--max-steps", type=int, default=MAX_STEPS, help="most new 16th steps per melody")
    g.add_argument("--seed", type=int, default=None, help="same seed, same melodies (default: a new one, printed)")
    g.add_argument("--meter", choices=["2/4", "3/4", "4/4", "6/8"], default=None,
                   help="keep only melodies whose rhythm fits this meter (the models are not conditioned on it)")
    g.add_argument("--mode", choices=["major", "minor"], default=None, help="keep only melodies in this mode")
    g.add_argument("--max-draws", type=int, default=1000,
                   help="with --meter/--mode: draw at most this many melodies; exit 1 if fewer than -n match")
    g.add_argument("--key", default=None, help="write in this key instead of C major / A minor: D, Em, Bb, F#m")
    g.add_argument("--bpm", type=float, default=BPM, help="tempo of MIDI and WAV (quarter notes per minute)")
    g.add_argument("--formats", default="mid,musicxml,txt,wav", help="any of mid,musicxml,txt,wav,svg (notation)")
    g.add_argument("--out", required=True)
    g.set_defaults(func=generate)

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
    v.set_defaults(func=_evaluate)

    s = sub.add_parser("survey", help="the listening survey: stimuli, the participants' web page, answers",
                       description="A teacher's round: `survey stimuli` once, `survey serve` while the class answers "
                       "in their browsers, then `survey analyse` (Fig. 18) or `survey export` (the CSV 06 reads).")
    s.add_argument("action", choices=["stimuli", "serve", "export", "analyse"])
    s.add_argument("--stimuli", default=None, help="stimuli JSON (default data/survey/stimuli.json)")
    s.add_argument("--responses", default=None, help="answers database (default data/survey/responses.sqlite); "
                   "analyse also reads an exported CSV")
    s.add_argument("--per-source", type=int, default=3, help="stimuli: melodies per source")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--force", action="store_true", help="stimuli: replace an existing stimuli file")
    s.add_argument("--port", type=int, default=8866, help="serve: the page's port")
    s.add_argument("--host", default="127.0.0.1", help="serve: 0.0.0.0 lets other machines on the network in")
    s.add_argument("--out", default=None, help="export/analyse: the CSV (default data/survey/answers.csv)")
    s.add_argument("--plot", default=None, help="analyse: also save Fig. 18 (box plot) to this PNG")
    s.set_defaults(func=_survey)

    r = sub.add_parser("run", help="execute the notebook series headless (papermill)")
    r.add_argument("--profile", choices=["quick", "full"], default="quick")
    r.add_argument("--corpus", default=None, help="a file or folder instead of the embedded ballads")
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--out", default=None, help="output folder (default outputs/<profile>/)")
    r.add_argument("--only", default=None, help="comma-separated notebook prefixes, e.g. 01,03")
    r.set_defaults(func=_run)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: exit 0 on success, 1 when nothing could be done, 2 on a usage error."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    args.argv = argv
    if args.verb == "train" or (args.verb in ("generate", "evaluate") and args.model not in (None, "ngram", "random")):
        from .config import quiet_tensorflow

        quiet_tensorflow()
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"thesis-music {args.verb}: {exc}", file=sys.stderr)
        return 2
    except ThesisError as exc:
        print(f"thesis-music {args.verb}: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `thesis-music encode | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
