"""`thesis-music generate`: melodies from any model, a baseline or the held-out songs, written as MIDI, MusicXML,
symbols, WAV and SVG; meter and mode on request, primers, keys. Each melody is a `Melody` from `sources`, written
as it is: nothing is decoded, barred or analysed that the formats asked for do not need."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..core.config import BPM, MAX_STEPS
from ..core.errors import ThesisError, UsageError, VocabularyError


def add_parser(sub) -> None:
    """The verb's arguments."""
    g = sub.add_parser("generate", help="generate melodies (MIDI, MusicXML, ABC, symbols, WAV)",
                       description="LSTM and n-gram: from 64 `/` (or a primer) until the model writes `/`. "
                       "The tune model: whole tunes in the meter, mode and pickup asked for, barred as written. "
                       "GANs: 64 steps from noise. Without --weights: the weights shipped in thesis_lib/pretrained/. "
                       "Other models' scores are barred in the meter and pickup their rhythm fits.")
    g.add_argument("--model", choices=["lstm", "tunes", "gan", "gan-improved", "wgan-gp", "ngram", "random", "real"],
                   default="lstm", help="tunes is the whole-tune model (07); gan is the thesis's DCGAN; ngram and random "
                   "are the baselines of the comparison table; real gives held-out ballads as their files write them")
    g.add_argument("--weights", default=None, help="a .keras file; its vocabulary is NAME_vocab.json beside it")
    g.add_argument("-n", type=int, default=4, help="how many melodies")
    g.add_argument("--temperature", type=float, default=1.0, help="0 = always the likeliest symbol (§3.1)")
    g.add_argument("--primer", default=None, help="a melody file, or symbols such as \"60 _ _ _ 64 _ 67 _\"")
    g.add_argument("--max-steps", type=int, default=MAX_STEPS, help="most new 16th steps per melody")
    g.add_argument("--seed", type=int, default=None, help="same seed, same melodies (default: a new one, printed)")
    g.add_argument("--meter", default=None, help="tunes: write in this meter (2/4 3/4 4/4 6/8 6/4 3/8 3/2); other "
                   "models: keep only melodies whose rhythm fits it (2/4 3/4 4/4 6/8; they are not conditioned on it)")
    g.add_argument("--mode", default=None, help="major or minor: the tune model writes in it, other models keep "
                   "only the melodies in it")
    g.add_argument("--pickup", type=int, default=None, help="tunes: 16ths before the first bar line (needs --meter; "
                   "default: drawn from the ballads' pickups in that meter)")
    g.add_argument("--free-ending", action="store_true",
                   help="tunes: let the model end a tune on the other mode's tonic too (a minor tune on C, a major "
                   "one on A: heard in the other mode); by default such a tune goes on and ends in its own mode")
    g.add_argument("--max-draws", type=int, default=1000,
                   help="with --meter/--mode: draw at most this many melodies; exit 1 if fewer than -n match")
    g.add_argument("--key", default=None, help="write in this key instead of C major / A minor: D, Em, Bb, F#m")
    g.add_argument("--bpm", type=float, default=BPM, help="tempo of MIDI and WAV (quarter notes per minute)")
    g.add_argument("--formats", default="mid,musicxml,txt,wav",
                   help="any of mid,musicxml,txt,wav,svg (notation),abc")
    g.add_argument("--out", required=True)
    g.set_defaults(func=generate)


def read_primer(text: str | None) -> list[str]:
    """A primer as symbols: a melody file (its first song, transposed like the corpus) or symbols in a string.
    UsageError with a one-line reason for a `/` inside it, a hold before its first note, or a non-symbol."""
    from ..data.corpus import load_corpus
    from ..data.encoding import check_primer, encode_events, parse_symbol

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
    """Generate melodies from a source; write MIDI, MusicXML, symbols, WAV and SVG per melody as asked."""
    import random

    from .. import sources
    from ..render.write import FORMATS, write_melody

    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise UsageError(f"unknown format(s) {bad}; choose from {','.join(FORMATS)}")
    if args.n < 1 or args.max_steps < 1 or args.temperature < 0 or args.max_draws < 1:
        raise UsageError("-n, --max-steps and --max-draws must be >= 1 and --temperature >= 0")
    if args.model not in ("lstm", "tunes", "ngram") and args.primer:
        raise UsageError(f"--model {args.model} draws whole melodies; it takes no --primer")
    check_style(args)
    if args.weights and args.model not in sources.GENERATORS:
        raise UsageError(f"--model {args.model} has no weights")
    if args.key:
        from ..data.theory import parse_key

        try:
            parse_key(args.key)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    primer = read_primer(args.primer)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**31)
    kw = dict(temperature=args.temperature, seed=seed, primer=primer, max_steps=args.max_steps, weights=args.weights)
    try:
        if args.model == "tunes":
            found, batch = None, sources.melodies("tunes", args.n, meter=args.meter, mode=args.mode,
                                                  pickup=args.pickup, end_in_mode=not args.free_ending, **kw)
        elif args.meter or args.mode:
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
    for i, melody in enumerate(batch.melodies, start=1):
        if melody.is_empty:
            print(f"melody {i}: empty (the model ended it at once); nothing written", file=sys.stderr)
            continue
        if args.key:
            melody = melody.in_key(args.key)
        stem = out / f"{args.model}_{i:02d}"
        renderer = write_melody(melody, stem, formats, bpm=args.bpm).renderer or renderer
        written += 1
        print(f"{stem}.*\t{describe(melody, args, len(primer))}")
    if renderer:
        print(f"thesis-music generate: audio rendered with {renderer}", file=sys.stderr)
    if batch.repairs:
        print(f"thesis-music generate: decoding repairs {dict(batch.repairs)}", file=sys.stderr)
    if len({m.symbols for m in batch.melodies}) < len(batch.melodies):
        print("thesis-music generate: some melodies are identical", file=sys.stderr)
    if found is not None and len(batch.melodies) < args.n:
        print(f"thesis-music generate: only {len(batch.melodies)} of {args.n} melodies found in {found.drawn} draws "
              f"(--max-draws {args.max_draws})", file=sys.stderr)
        return 1
    return 0 if written else 1


def check_style(args: argparse.Namespace) -> None:
    """UsageError with a one-line reason for a meter, mode or pickup the model cannot be asked for."""
    from ..data import meter as meters
    from ..models import tunes_data

    known = tunes_data.METERS if args.model == "tunes" else meters.METERS
    if args.meter is not None and args.meter not in known:
        how = "writes" if args.model == "tunes" else "can be kept in"
        raise UsageError(f"--meter {args.meter}: --model {args.model} {how} {', '.join(known)}")
    if args.mode is not None and args.mode not in ("major", "minor"):
        raise UsageError(f"--mode {args.mode}: major or minor")
    if args.pickup is not None:
        if args.model != "tunes":
            raise UsageError("--pickup is for --model tunes (other models' pickups are read from their notes)")
        try:
            tunes_data.check_style(args.meter, None, args.pickup)
        except ValueError as exc:
            raise UsageError(f"--pickup {args.pickup}: {exc}") from None
    if args.free_ending and args.model != "tunes":
        raise UsageError("--free-ending is for --model tunes (the other models always end where they write `/`)")


def describe(melody, args: argparse.Namespace, primed: int) -> str:
    """One line on a written melody: its length, then its key, meter and pickup where writing it worked them out
    (a symbols file alone needs none of them), then how it ended."""
    from ..data.notation import display_key

    parts = [f"{melody.steps} steps"]
    done = melody.worked_out
    if melody.key or "mode" in done or melody.stated_mode:
        parts.append(display_key(melody.written_key))
    if "barring" in done or melody.stated_pickup is not None:  # (a tune is born barred: nothing to work out)
        parts.append(f"{melody.meter} with " + (f"a pickup of {melody.pickup} steps" if melody.pickup else "no pickup"))
    model = args.model
    parts.append("a 64-step GAN melody" if model in ("gan", "gan-improved", "wgan-gp") else
                 "random symbols" if model == "random" else "a held-out song" if model == "real" else
                 "ended by itself" if melody.steps - primed < args.max_steps else
                 f"stopped at --max-steps {args.max_steps}")
    return ", ".join(parts)
