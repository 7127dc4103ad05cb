"""`thesis-music`: the command line over the library. One module per verb family (`train`, `generate`, `evaluate`,
`survey`), each with its arguments beside its code; this one assembles the parser, holds the two small verbs
(`encode`, `run`) and turns the library's errors into one line and an exit code.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from ..core.errors import ThesisError, UsageError
from . import evaluate as evaluate_verb
from . import generate as generate_verb
from . import survey as survey_verb
from . import train as train_verb


def add_encode(sub) -> None:
    """`encode`'s arguments."""
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
    e.add_argument("--export", default=None, metavar="NAME.corpus.json",
                   help="write the parsed corpus whole instead, for `--corpus` where music21 is missing (a GPU "
                   "machine)")
    e.set_defaults(func=encode)


def add_run(sub) -> None:
    """`run`'s arguments."""
    r = sub.add_parser("run", help="execute the notebook series headless (papermill)")
    r.add_argument("--profile", choices=["quick", "full"], default="quick")
    r.add_argument("--corpus", default=None, help="a file or folder instead of the embedded ballads")
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--out", default=None, help="output folder (default outputs/<profile>/)")
    r.add_argument("--only", default=None, help="comma-separated notebook prefixes, e.g. 01,03")
    r.add_argument("--train-minutes", type=float, default=None,
                   help="the training notebooks' budget per model (default: the profile's epochs)")
    r.set_defaults(func=run)


def add_book(sub) -> None:
    """`book`'s arguments."""
    b = sub.add_parser("book", help="the executed notebooks and docs/ as a static HTML site (Jupyter Book)",
                       description="Build the series as a book from the notebooks `run` executed (nothing is run "
                       "again) and the docs/ pages: outputs/<profile>/book/_build/html/index.html opens from disk.")
    b.add_argument("--profile", choices=["quick", "full"], default="quick")
    b.add_argument("--notebooks", default=None, help="the executed notebooks (default outputs/<profile>/notebooks)")
    b.add_argument("--out", default=None, help="where the book goes (default outputs/<profile>/book)")
    b.set_defaults(func=book)


def book(args: argparse.Namespace) -> int:
    """Build the book; print its index page."""
    from ..lab.book import build

    print(build(args.profile, notebooks=args.notebooks, out=args.out))
    return 0


def encode(args: argparse.Namespace) -> int:
    """Print SOURCE<TAB>SYMBOLS per kept song (stdout) and SOURCE: skipped: REASON per rejected one (stderr)."""
    from ..data.corpus import load_corpus
    from ..data.encoding import encode_events

    corpus = load_corpus(args.paths or None, transpose=args.transpose, cache=not args.no_cache,
                         require_songs=False)
    if args.export:
        from ..data.corpus import export

        print(f"{export(corpus, args.export)}: {len(corpus.songs)} songs, {len(corpus.skipped)} skipped",
              file=sys.stderr)
        return 0 if corpus.songs else 1
    for skip in corpus.skipped:
        print(f"{skip.source}: skipped: {skip.reason}", file=sys.stderr)
    for song in corpus.songs:
        print(f"{song.source}\t{' '.join(encode_events(song.events, args.scheme))}")
    if not corpus.songs:
        print(f"thesis-music encode: no song could be encoded ({len(corpus.skipped)} skipped)", file=sys.stderr)
        return 1
    return 0


def run(args: argparse.Namespace) -> int:
    """Execute the notebook series with papermill in a profile."""
    from ..lab.series import run_series

    for path in run_series(args.profile, corpus=args.corpus, seed=args.seed, output_dir=args.out,
                           only=args.only.split(",") if args.only else None, train_minutes=args.train_minutes):
        print(path)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every verb."""
    p = argparse.ArgumentParser(prog="thesis-music", description="Folk-melody generation after the thesis "
                                "(Essen ballads, 16th-note time series, LSTM and DCGAN).")
    sub = p.add_subparsers(dest="verb", required=True)
    add_encode(sub)
    for verb in (train_verb, generate_verb, evaluate_verb, survey_verb):
        verb.add_parser(sub)
    add_run(sub)
    add_book(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: exit 0 on success, 1 when nothing could be done, 2 on a usage error."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    args.argv = argv
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

