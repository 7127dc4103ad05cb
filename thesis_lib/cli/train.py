"""`thesis-music train`: the Table-1 LSTM, the thesis's DCGAN / WGAN-GP and the improved GAN's variants, each writing
its weights, vocabulary and a metrics JSON with the command that made them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..core.errors import UsageError


def add_parser(sub) -> None:
    """The verb's arguments."""
    t = sub.add_parser("train", help="train a model (writes weights, vocabulary and a metrics JSON)",
                       description="Train the Table-1 LSTM on a split by song (10%% held out), the whole-tune model on "
                       "the same split, or the Tables 2-3 DCGAN / WGAN-GP on 64-step windows. Resumes from "
                       "OUT/checkpoint/ after an interruption.")
    t.add_argument("--model", choices=["lstm", "tunes", "gan", "gan-improved"], default="lstm")
    t.add_argument("--arm", default=None, help="tunes: which inputs, plain|position|lookback|phrase|copy|copy8|attention "
                   "(07's ablation; default the profile's, copy)")
    t.add_argument("--units", type=int, default=None, help="tunes: LSTM width (the attention arm: twice its width)")
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
    t.add_argument("--dropout", type=float, default=None,
                   help="lstm and tunes: override the profile's dropout (0.3 and 0.5)")
    t.add_argument("--style-out", action=argparse.BooleanOptionalAction, default=None,
                   help="tunes: give the meter and mode to the output layer too (default: the profile's)")
    t.add_argument("--minor-copies", type=int, default=None,
                   help="tunes: each minor training tune this many times an epoch (default: the profile's, 1)")
    t.add_argument("--aeolian", action=argparse.BooleanOptionalAction, default=None,
                   help="tunes: also train on the major tunes that end on C moved degree for degree into A Aeolian, "
                   "as minor tunes (default: the profile's)")
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


def _songs(corpus_path: str | None, max_songs: int | None):
    """The songs a model trains on: the embedded ballads or a file/folder, capped by the profile."""
    from ..data.corpus import load_corpus

    corpus = load_corpus([corpus_path] if corpus_path else None)
    for skip in corpus.skipped:
        print(f"{skip.source}: skipped: {skip.reason}", file=sys.stderr)
    return corpus.songs[:max_songs] if max_songs else corpus.songs


def train(args: argparse.Namespace) -> int:
    """Train a model in a profile; write weights, vocabulary, history and a metrics JSON to --out."""
    from ..core.config import get_profile

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
    from ..core.files import write_metrics

    if args.model == "gan-improved":
        return _train_improved(args, profile, songs, out, budget, common)
    if args.model == "tunes":
        return _train_tunes(args, profile, songs, out, budget, common)
    if args.model == "gan":
        from ..models import gan, gan_data
        from ..models.collapse import best_epoch

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

    from ..data.encoding import encode_events
    from ..models import lstm
    from ..models.markov import baseline_scores

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
    from ..core.files import write_metrics
    from ..models import gan_improved

    variant = args.variant or "seqgan"
    if variant not in gan_improved.VARIANTS:
        raise UsageError(f"--model gan-improved takes --variant {'|'.join(gan_improved.VARIANTS)}, not {variant}")
    record = {**common, "model": "gan-improved", "variant": variant}
    if variant == "seqgan":
        if budget is None:
            raise UsageError("--variant seqgan splits a time budget between its two phases: give --max-minutes")
        from ..data.encoding import encode_events
        from ..models import lstm, seqgan

        data = lstm.prepare_data([encode_events(s.events) for s in songs], profile=profile,
                                 val_fraction=args.val_fraction, seed=args.seed)
        generator, history, mle = seqgan.train(data, profile, out, max_seconds=budget, seed=args.seed)
        vocab = data.vocab
        record.update(mle, data=data.summary())
    else:
        from ..models import gan, gan_data

        data = gan_data.prepare_data([s.events for s in songs], "per-pitch-hold")
        model = gan_improved.build(profile, variant, args.seed, vocab_size=len(data.vocab) if "1d" in variant else 64)
        result = gan.train(data, profile, out, model=model,
                           name="gan_improved_generator", seed=args.seed, restart=args.restart, max_seconds=budget,
                           keep=args.keep, verbose=2)
        generator, history, vocab, record["data"] = result.generator, result.history, data.vocab, data.summary()
        from ..models.collapse import best_epoch

        record.update(keep=args.keep, kept_epoch=(args.keep == "best" and best_epoch(history)) or len(history))
    final = gan_improved.final_diagnostics(generator, vocab, seed=args.seed)
    write_metrics(out / "gan_improved_metrics.json", {**record, "epochs_run": len(history),
                  "seconds": history[-1]["seconds"] if history else 0.0, "final_diagnostics": final,
                  "history": history})
    print(f"thesis-music train: {final['n']} samples: {final['all_holds']:.1%} all holds, {final['distinct']:.1%} "
          f"distinct, {final['repairs_per_sample']:.2f} repairs each; wrote {out / 'gan_improved_generator.keras'}",
          file=sys.stderr)
    return 0


def _train_tunes(args, profile, songs, out: Path, budget: float | None, common: dict) -> int:
    """Train the whole-tune model (07): weights, vocabulary and a metrics JSON with the corpus's shares of meters,
    modes and pickups (what `generate --model tunes` draws from when none is asked for)."""
    from ..core.files import write_metrics
    from ..models import tunes, tunes_data

    if args.arm is not None and args.arm not in tunes_data.ARMS:
        raise UsageError(f"--arm {args.arm}: choose one of {', '.join(tunes_data.ARMS)}")
    settings = tunes.Settings.of(profile, arm=args.arm, units=args.units, epochs=args.epochs,
                                 dropout=args.dropout, style_out=args.style_out,
                                 minor_copies=args.minor_copies, aeolian=args.aeolian)
    data = tunes.prepare(songs, args.val_fraction, args.seed, settings)
    summary = {**data.summary(), "epoch_tunes": len(tunes.training_tunes(data.train, settings, data.vocab))}
    print(f"thesis-music train: {summary}", file=sys.stderr)
    result = tunes.train(data, settings, out, seed=args.seed, max_seconds=budget, restart=args.restart)
    write_metrics(out / "tunes_metrics.json", {
        **common, "model": "tunes", "settings": settings, "data": summary, "epochs_run": len(result.history),
        "kept_epoch": result.kept_epoch, "seconds": tunes.train_seconds(result.history), "scores": result.scores,
        "shares": tunes_data.shares([*data.train, *data.validation]), "history": result.history})
    print(f"thesis-music train: kept epoch {result.kept_epoch} of {len(result.history)}; held-out NLL "
          f"{result.scores['test']['nll']:.4f} nats/step on {data.summary()['tunes_test']} test tunes; "
          f"wrote {out / 'tunes.keras'}", file=sys.stderr)
    return 0
