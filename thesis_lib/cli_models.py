"""The verbs of `thesis-music` that train models and draw melodies (`train`, `generate`), and primers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import ThesisError, UsageError, VocabularyError

LABELS = {"lstm": "LSTM", "gan": "DCGAN", "gan-improved": "Improved GAN", "wgan-gp": "WGAN-GP", "ngram": "5-gram",
          "random": "Random", "real": "Held-out song"}


def _songs(corpus_path: str | None, max_songs: int | None):
    """The songs a model trains on: the embedded ballads or a file/folder, capped by the profile."""
    from .corpus import load_corpus

    corpus = load_corpus([corpus_path] if corpus_path else None)
    for skip in corpus.skipped:
        print(f"{skip.source}: skipped: {skip.reason}", file=sys.stderr)
    return corpus.songs[:max_songs] if max_songs else corpus.songs


def train(args: argparse.Namespace) -> int:
    """Train a model in a profile; write weights, vocabulary, history and a metrics JSON to --out."""
    from .config import get_profile

    epochs_key = "lstm_epochs" if args.model == "lstm" else "gan_epochs"
    windows_key = "lstm_windows_per_epoch" if args.model == "lstm" else "gan_windows_per_epoch"
    overrides = {k: v for k, v in {epochs_key: args.epochs, "max_songs": args.max_songs,
                                   windows_key: args.windows_per_epoch, "every_step_stride": args.stride}.items() if v}
    if args.dropout is not None:
        overrides["lstm_dropout"] = args.dropout
    overrides.update({k: v for k, v in {"jit_compile": args.jit_compile, "mixed_precision": args.mixed_precision,
                                        "steps_per_execution": args.steps_per_execution}.items() if v})
    profile = get_profile(args.profile, **overrides)
    songs = _songs(args.corpus, profile.max_songs)
    out = Path(args.out)
    budget = args.max_minutes * 60 if args.max_minutes else None
    common = {"command": "thesis-music " + " ".join(args.argv), "profile": profile,
              "corpus": args.corpus or "embedded Essen ballads (music21)", "seed": args.seed}
    from .files import write_metrics

    if args.model == "gan-improved":
        return _train_improved(args, profile, songs, out, budget, common)
    if args.model == "gan":
        from . import gan, gan_data
        from .collapse import best_epoch

        data = gan_data.prepare_data([s.events for s in songs], args.scheme)
        print(f"thesis-music train: {data.summary()}", file=sys.stderr)
        if args.variant not in (None, "dcgan", "wgan-gp"):
            raise UsageError(f"--model gan takes --variant dcgan|wgan-gp, not {args.variant}")
        args.variant = args.variant or "dcgan"
        result = gan.train(data, profile, out, variant=args.variant, seed=args.seed, restart=args.restart,
                           max_seconds=budget, keep=args.keep, verbose=2)
        final = gan.final_diagnostics(result.generator, data.vocab, seed=args.seed)
        write_metrics(out / "gan_metrics.json", {**common, "model": "gan", "variant": args.variant,
                      "data": data.summary(), "epochs_run": len(result.history), "keep": args.keep,
                      "kept_epoch": (args.keep == "best" and best_epoch(result.history)) or len(result.history),
                      "seconds": result.history[-1]["seconds"] if result.history else 0.0,
                      "final_diagnostics": final, "history": result.history})
        print(f"thesis-music train: {final['n']} samples: {final['all_holds']:.1%} all holds, {final['distinct']:.1%} "
              f"distinct; wrote {out / 'gan_generator.keras'}", file=sys.stderr)
        return 0

    from . import lstm
    from .encoding import encode_events
    from .markov import baseline_scores

    data = lstm.prepare_data([encode_events(s.events) for s in songs], profile=profile,
                             val_fraction=args.val_fraction, seed=args.seed)
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


def _train_improved(args, profile, songs, out: Path, budget: float | None, common: dict) -> int:
    """Train a variant of the improved GAN (05's ablation); write its generator and a metrics JSON."""
    from . import gan_improved
    from .files import write_metrics

    variant = args.variant or "seqgan"
    if variant not in gan_improved.VARIANTS:
        raise UsageError(f"--model gan-improved takes --variant {'|'.join(gan_improved.VARIANTS)}, not {variant}")
    record = {**common, "model": "gan-improved", "variant": variant}
    if variant == "seqgan":
        if budget is None:
            raise UsageError("--variant seqgan splits a time budget between its two phases: give --max-minutes")
        from . import lstm, seqgan
        from .encoding import encode_events

        data = lstm.prepare_data([encode_events(s.events) for s in songs], profile=profile,
                                 val_fraction=args.val_fraction, seed=args.seed)
        generator, history, mle = seqgan.train(data, profile, out, max_seconds=budget, seed=args.seed)
        vocab = data.vocab
        record.update(mle, data=data.summary())
    else:
        from . import gan, gan_data

        data = gan_data.prepare_data([s.events for s in songs], "per-pitch-hold")
        model = gan_improved.build(profile, variant, args.seed, vocab_size=len(data.vocab) if "1d" in variant else 64)
        result = gan.train(data, profile, out, model=model,
                           name="gan_improved_generator", seed=args.seed, restart=args.restart, max_seconds=budget,
                           keep=args.keep, verbose=2)
        generator, history, vocab, record["data"] = result.generator, result.history, data.vocab, data.summary()
        from .collapse import best_epoch

        record.update(keep=args.keep, kept_epoch=(args.keep == "best" and best_epoch(history)) or len(history))
    final = gan_improved.final_diagnostics(generator, vocab, seed=args.seed)
    write_metrics(out / "gan_improved_metrics.json", {**record, "epochs_run": len(history),
                  "seconds": history[-1]["seconds"] if history else 0.0, "final_diagnostics": final,
                  "history": history})
    print(f"thesis-music train: {final['n']} samples: {final['all_holds']:.1%} all holds, {final['distinct']:.1%} "
          f"distinct, {final['repairs_per_sample']:.2f} repairs each; wrote {out / 'gan_improved_generator.keras'}",
          file=sys.stderr)
    return 0


def read_primer(text: str | None) -> list[str]:
    """A primer as symbols: a melody file (its first song, transposed like the corpus) or symbols in a string.
    UsageError with a one-line reason for a `/` inside it, a hold before its first note, or a non-symbol."""
    from .corpus import load_corpus
    from .encoding import check_primer, encode_events, parse_symbol

    if not text:
        return []
    if Path(text).exists():
        corpus = load_corpus([text], cache=False, progress=False, require_songs=False)
        if not corpus.songs:
            reason = corpus.skipped[0].reason if corpus.skipped else "no song in it"
            raise ThesisError(f"{text}: cannot use as a primer: {reason}")
        return encode_events(corpus.songs[0].events)
    symbols = text.replace(",", " ").split()
    for sym in symbols:
        try:
            parse_symbol(sym)
        except VocabularyError:
            raise UsageError(f"primer {text!r}: no such file, and {sym!r} is not a symbol "
                             "(write e.g. \"60 _ _ _ 62 _ 64 _\")") from None
    try:
        return check_primer(symbols)
    except VocabularyError as exc:
        raise UsageError(str(exc)) from None


def generate(args: argparse.Namespace) -> int:
    """Generate melodies from a source; write MIDI, MusicXML, symbols and WAV per melody."""
    import random

    from . import sources
    from .render import FORMATS, write_melody

    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise UsageError(f"unknown format(s) {bad}; choose from {','.join(FORMATS)}")
    if args.n < 1 or args.max_steps < 1 or args.temperature < 0 or args.max_draws < 1:
        raise UsageError("-n, --max-steps and --max-draws must be >= 1 and --temperature >= 0")
    if args.model not in ("lstm", "ngram") and args.primer:
        raise UsageError(f"--model {args.model} draws whole melodies; it takes no --primer")
    if args.weights and args.model not in sources.GENERATORS:
        raise UsageError(f"--model {args.model} has no weights")
    if args.key:
        from .theory import parse_key

        try:
            parse_key(args.key)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    primer = read_primer(args.primer)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**31)
    kw = dict(temperature=args.temperature, seed=seed, primer=primer, max_steps=args.max_steps, weights=args.weights)
    try:
        if args.meter or args.mode:
            found = sources.matching(args.model, args.n, meter=args.meter, mode=args.mode, max_draws=args.max_draws,
                                     **kw)
            batch = found.batch
        else:
            found, batch = None, sources.melodies(args.model, args.n, **kw)
    except VocabularyError as exc:
        raise UsageError(f"primer: {exc}") from None
    out = Path(args.out)
    print(f"thesis-music generate: seed {seed}, temperature {args.temperature}, model {batch.description}",
          file=sys.stderr)
    if found is not None:
        asked = " and ".join(x for x in (args.meter, args.mode) if x)
        print(f"thesis-music generate: {found.matched} of {found.drawn} drawn melodies are {asked} "
              f"(acceptance {found.acceptance:.1%}); writing {len(batch.melodies)}", file=sys.stderr)
    written, renderer = 0, None
    for i, mel in enumerate(batch.melodies, start=1):
        if not [s for s in mel if s != "/"]:
            print(f"melody {i}: empty (the model ended it at once); nothing written", file=sys.stderr)
            continue
        stem = out / f"{args.model}_{i:02d}"
        info = write_melody(mel, stem, formats, bpm=args.bpm, key=args.key, meter=args.meter,
                            title=f"{LABELS[args.model]} melody {i} · T = {args.temperature:g} · seed {seed}")
        renderer = info["renderer"] or renderer
        written += 1
        how = ("a 64-step GAN melody" if args.model in ("gan", "gan-improved", "wgan-gp") else
               "random symbols" if args.model == "random" else "a held-out song" if args.model == "real" else
               "ended by itself" if len(mel) - len(primer) < args.max_steps else f"stopped at --max-steps {args.max_steps}")
        pickup = f"a pickup of {info['pickup']} steps" if info["pickup"] else "no pickup"
        print(f"{stem}.*\t{len(mel)} steps, {info['key']}, {info['meter']} with {pickup}, {how}")
    if renderer:
        print(f"thesis-music generate: audio rendered with {renderer}", file=sys.stderr)
    if batch.repairs:
        print(f"thesis-music generate: decoding repairs {dict(batch.repairs)}", file=sys.stderr)
    if len({tuple(m) for m in batch.melodies}) < len(batch.melodies):
        print("thesis-music generate: some melodies are identical", file=sys.stderr)
    if found is not None and len(batch.melodies) < args.n:
        print(f"thesis-music generate: only {len(batch.melodies)} of {args.n} melodies found in {found.drawn} draws "
              f"(--max-draws {args.max_draws})", file=sys.stderr)
        return 1
    return 0 if written else 1
