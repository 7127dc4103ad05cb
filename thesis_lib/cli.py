"""`thesis-music`: command-line verbs over the library (encode, train, generate, evaluate, run)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from .errors import ThesisError

PRETRAINED = Path(__file__).resolve().parent / "pretrained"  # the same place as lstm.PRETRAINED (no TF import here)
DEFAULT_WEIGHTS = {"lstm": "lstm.keras", "gan": "gan_generator.keras"}


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


def _songs(corpus_path: str | None, max_songs: int | None):
    """The songs a model trains on: the embedded ballads or a file/folder, capped by the profile."""
    from .corpus import load_corpus

    corpus = load_corpus([corpus_path] if corpus_path else None)
    for skip in corpus.skipped:
        print(f"{skip.source}: skipped: {skip.reason}", file=sys.stderr)
    return corpus.songs[:max_songs] if max_songs else corpus.songs


def _train(args: argparse.Namespace) -> int:
    """Train a model in a profile; write weights, vocabulary, history and a metrics JSON to --out."""
    from .config import get_profile

    epochs_key = "lstm_epochs" if args.model == "lstm" else "gan_epochs"
    windows_key = "lstm_windows_per_epoch" if args.model == "lstm" else "gan_windows_per_epoch"
    overrides = {k: v for k, v in {epochs_key: args.epochs, "max_songs": args.max_songs,
                                   windows_key: args.windows_per_epoch, "every_step_stride": args.stride}.items() if v}
    if args.dropout is not None:
        overrides["lstm_dropout"] = args.dropout
    profile = get_profile(args.profile, **overrides)
    songs = _songs(args.corpus, profile.max_songs)
    out = Path(args.out)
    budget = args.max_minutes * 60 if args.max_minutes else None
    common = {"command": "thesis-music " + " ".join(args.argv), "profile": profile,
              "corpus": args.corpus or "embedded Essen ballads (music21)", "seed": args.seed}
    from .checkpoint import write_metrics

    if args.model == "gan":
        from . import gan, gan_data

        data = gan_data.prepare_data([s.events for s in songs], args.scheme)
        print(f"thesis-music train: {data.summary()}", file=sys.stderr)
        result = gan.train(data, profile, out, variant=args.variant, seed=args.seed, restart=args.restart,
                           max_seconds=budget, keep=args.keep, verbose=2)
        final = gan.final_diagnostics(result.generator, data.vocab, seed=args.seed)
        write_metrics(out / "gan_metrics.json", {**common, "model": "gan", "variant": args.variant,
                      "data": data.summary(), "epochs_run": len(result.history), "keep": args.keep,
                      "kept_epoch": (args.keep == "best" and gan.best_epoch(result.history)) or len(result.history),
                      "seconds": result.history[-1]["seconds"] if result.history else 0.0,
                      "diagnostics_256": final, "history": result.history})
        print(f"thesis-music train: 256 samples: {final['all_holds']:.1%} all holds, {final['distinct']:.1%} "
              f"distinct; wrote {out / 'gan_generator.keras'}", file=sys.stderr)
        return 0

    from . import lstm
    from .encoding import encode_events
    from .markov import baseline_scores

    data = lstm.prepare_data([encode_events(s.events) for s in songs], sequence_length=profile.sequence_length,
                             separator_length=profile.separator_length, val_fraction=args.val_fraction,
                             seed=args.seed)
    print(f"thesis-music train: {data.summary()}", file=sys.stderr)
    baselines, _, _ = baseline_scores(data.stream, data.train_starts, data.val_starts, data.vocab)
    result = lstm.train(data, profile, out, every_step=args.every_step, seed=args.seed, restart=args.restart,
                        max_seconds=budget, val_share=args.val_share, keep=args.keep, verbose=2)
    write_metrics(out / "lstm_metrics.json", {
        **common, "model": "lstm", "mode": "every-step" if args.every_step else "last-step",
        "data": data.summary(), "epochs_run": len(result.history), "keep": args.keep, "kept_epoch": result.kept_epoch,
        "seconds": result.history[-1]["seconds"] if result.history else 0.0, "val": result.val,
        "baselines": baselines, "history": result.history})
    print(f"thesis-music train: kept epoch {result.kept_epoch} of {len(result.history)}; "
          f"validation NLL {result.val['nll']:.4f} nats/step, "
          f"accuracy {result.val['accuracy']:.3f}; wrote {out / 'lstm.keras'}", file=sys.stderr)
    return 0


def read_primer(text: str | None) -> list[str]:
    """A primer as symbols: a melody file (its first song, transposed like the corpus) or symbols in a string."""

    from .corpus import load_corpus
    from .encoding import encode_events, parse_symbol
    from .errors import VocabularyError

    if not text:
        return []
    if Path(text).exists():
        corpus = load_corpus([text], cache=False, progress=False, require_songs=False)
        if not corpus.songs:
            reason = corpus.skipped[0].reason if corpus.skipped else "no song in it"
            raise ThesisError(f"{text}: cannot use as a primer: {reason}")
        return encode_events(corpus.songs[0].events)
    symbols = [s for s in text.replace(",", " ").split() if s != "/"]
    for sym in symbols:
        try:
            parse_symbol(sym)
        except VocabularyError:
            raise ThesisError(f"primer {text!r}: no such file, and {sym!r} is not a symbol "
                              "(write e.g. \"60 _ _ _ 62 _ 64 _\")") from None
    return symbols


def _generate(args: argparse.Namespace) -> int:
    """Generate melodies with a trained model; write MIDI, MusicXML, symbols and WAV per melody."""
    import random

    from . import lstm
    from .encoding import Vocabulary
    from .errors import VocabularyError
    from .render import FORMATS, write_melody

    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        print(f"thesis-music generate: unknown format(s) {bad}; choose from {','.join(FORMATS)}", file=sys.stderr)
        return 2
    if args.n < 1 or args.max_steps < 1 or args.temperature < 0:
        print("thesis-music generate: -n and --max-steps must be >= 1 and --temperature >= 0", file=sys.stderr)
        return 2
    if args.model in ("gan", "random") and args.primer:
        print(f"thesis-music generate: --model {args.model} draws whole melodies; it takes no --primer",
              file=sys.stderr)
        return 2
    if args.weights and args.model in ("ngram", "random"):
        print(f"thesis-music generate: --model {args.model} has no weights", file=sys.stderr)
        return 2
    weights = Path(args.weights) if args.weights else PRETRAINED / DEFAULT_WEIGHTS.get(args.model, "lstm.keras")
    vocab_path = weights.with_name(f"{weights.stem}_vocab.json")
    if not vocab_path.exists():
        raise ThesisError(f"{vocab_path}: the vocabulary that belongs to {weights} is missing")
    if args.key:
        from .theory import parse_key

        try:
            parse_key(args.key)
        except ValueError as exc:
            print(f"thesis-music generate: {exc}", file=sys.stderr)
            return 2
    vocab = Vocabulary.load(vocab_path)
    primer = read_primer(args.primer)
    try:
        vocab.encode(primer)
    except VocabularyError as exc:
        raise ThesisError(f"primer: {exc}; the model knows {' '.join(vocab.symbols)}") from None
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**31)
    repairs = None
    if args.model == "lstm":
        gen = lstm.Generator(lstm.load(weights), vocab)
        melodies = gen.generate(args.n, temperature=args.temperature, primer=primer, max_steps=args.max_steps,
                                seed=seed)
    elif args.model == "gan":
        from . import gan

        melodies, repairs = gan.generate(lstm.load(weights), vocab, args.n, temperature=args.temperature, seed=seed)
    elif args.model == "ngram":
        from .evaluation import embedded_split, ngram_melodies

        weights = "the 5-gram baseline fitted on the embedded ballads' training side"
        melodies = ngram_melodies(embedded_split()[0], args.n, temperature=args.temperature,
                                  max_steps=args.max_steps, seed=seed, primer=primer)
    else:
        from .evaluation import random_melodies

        weights = f"uniformly random symbols of {vocab_path.name}"
        melodies = random_melodies(args.n, steps=min(128, args.max_steps), seed=seed, vocab=vocab)
    out = Path(args.out)
    print(f"thesis-music generate: seed {seed}, temperature {args.temperature}, model {weights}", file=sys.stderr)
    written, renderer = 0, None
    for i, mel in enumerate(melodies, start=1):
        ended = args.model in ("lstm", "ngram") and len(mel) - len(primer) < args.max_steps
        if not [s for s in mel if s != "/"]:
            print(f"melody {i}: empty (the model ended it at once); nothing written", file=sys.stderr)
            continue
        info = write_melody(mel, out / f"{args.model}_{i:02d}", formats, bpm=args.bpm, key=args.key,
                            title=f"{args.model} melody {i} (seed {seed}, T={args.temperature})")
        renderer = info["renderer"] or renderer
        written += 1
        print(f"{out / f'{args.model}_{i:02d}'}.*\t{len(mel)} steps ({len(mel) / 16:.1f} bars of 4/4), "
              f"{info['key']}, " + ("64 steps from noise" if args.model == "gan" else
                                    "random symbols" if args.model == "random" else
                                    "ended by itself" if ended else f"stopped at --max-steps {args.max_steps}"))
    if renderer:
        print(f"thesis-music generate: audio rendered with {renderer}", file=sys.stderr)
    if repairs:
        print(f"thesis-music generate: decoding repairs {dict(repairs)}", file=sys.stderr)
    if len({tuple(m) for m in melodies}) < len(melodies):
        print("thesis-music generate: some melodies are identical", file=sys.stderr)
    return 0 if written else 1


def _evaluate(args: argparse.Namespace) -> int:
    """Score melody files against a reference set: the metrics table on stdout, a JSON on request."""
    import json

    from . import evaluation as ev
    from .metrics import FEATURES

    names, melodies, skipped = ev.load_melodies(args.paths)
    for source, reason in skipped:
        print(f"{source}: skipped: {reason}", file=sys.stderr)
    if not melodies:
        print(f"thesis-music evaluate: no melody could be read ({len(skipped)} skipped)", file=sys.stderr)
        return 1
    if args.reference == "embedded":
        train, _ = ev.embedded_split()
        ref_name, ref_melodies = "embedded ballads, training side of the LSTM's split (seed 0)", train
    else:
        _, ref_melodies, ref_skipped = ev.load_melodies([args.reference])
        for source, reason in ref_skipped:
            print(f"{source}: skipped: {reason}", file=sys.stderr)
        if len(ref_melodies) < 2:
            print(f"thesis-music evaluate: the reference {args.reference} needs at least 2 melodies", file=sys.stderr)
            return 1
        ref_name = args.reference
    reference = ev.Reference.build(ref_name, ref_melodies, seed=args.seed)
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
    t.add_argument("--model", choices=["lstm", "gan"], default="lstm")
    t.add_argument("--variant", choices=["dcgan", "wgan-gp"], default="dcgan", help="GAN only")
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
    t.set_defaults(func=_train)

    g = sub.add_parser("generate", help="generate melodies (MIDI, MusicXML, symbols, WAV)",
                       description="LSTM: from 64 `/` (or a primer) until the model writes `/`. "
                       "GAN: 64 steps from noise. Without --weights: the weights shipped in thesis_lib/pretrained/.")
    g.add_argument("--model", choices=["lstm", "gan", "ngram", "random"], default="lstm",
                   help="ngram and random are the baselines of the comparison table (no weights)")
    g.add_argument("--weights", default=None, help="a .keras file; its vocabulary is NAME_vocab.json beside it")
    g.add_argument("-n", type=int, default=4, help="how many melodies")
    g.add_argument("--temperature", type=float, default=1.0, help="0 = always the likeliest symbol (§3.1)")
    g.add_argument("--primer", default=None, help="a melody file, or symbols such as \"60 _ _ _ 64 _ 67 _\"")
    g.add_argument("--max-steps", type=int, default=512, help="most new 16th steps per melody")
    g.add_argument("--seed", type=int, default=None, help="same seed, same melodies (default: a new one, printed)")
    g.add_argument("--key", default=None, help="write in this key instead of C major / A minor: D, Em, Bb, F#m")
    g.add_argument("--bpm", type=float, default=100, help="tempo of MIDI and WAV (quarter notes per minute)")
    g.add_argument("--formats", default="mid,musicxml,txt,wav", help="any of mid,musicxml,txt,wav")
    g.add_argument("--out", required=True)
    g.set_defaults(func=_generate)

    v = sub.add_parser("evaluate", help="score melodies against a reference set (objective metrics)",
                       description="Per-feature overlapped area (OA, 1 = like the reference) and KL divergence of "
                       "distance distributions after Yang & Lerch (2018), novelty (longest run copied from the "
                       "reference), diversity, bar fill and a real-vs-generated classifier (0.5 = indistinguishable). "
                       "Files: .krn .abc .mid .musicxml .mxl, and .txt symbols as `generate` writes; folders are "
                       "searched recursively and each melody counts once.")
    v.add_argument("paths", nargs="+", metavar="PATH")
    v.add_argument("--reference", default="embedded",
                   help="embedded (the ballads the LSTM trained on) or a file/folder of melodies")
    v.add_argument("--json", default=None, metavar="OUT", help="also write the metrics, sources and skips as JSON")
    v.add_argument("--seed", type=int, default=0)
    v.set_defaults(func=_evaluate)

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
    try:
        return args.func(args)
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
