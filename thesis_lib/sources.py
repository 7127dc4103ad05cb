"""Melodies from any source, one way: `melodies("lstm" | "gan" | "gan-improved" | "wgan-gp" | "ngram" | "random" |
"real", n, temperature=, seed=, primer=)`. The CLI, the comparison table of 06 and the survey stimuli all
draw here, so a row of the table and a file from `generate` come from the same code.

Also here: melodies that match a requested meter and mode (`matching`), the sets of the comparison table
(`comparison_sets`), and melodies read back from files (`from_files`).
"""

from __future__ import annotations

import functools
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from .config import DELIMITER, MAX_STEPS, NGRAM_DISCOUNT, NGRAM_ORDER, THESIS
from .encoding import decode_symbols, encode_events, parse_symbol
from .errors import ThesisError

GENERATORS = ("lstm", "gan", "gan-improved", "wgan-gp")   # sources with weights (shipped, or --weights)
SOURCES = (*GENERATORS, "ngram", "random", "real")
WHOLE_MELODIES = ("lstm", "ngram", "real")               # end where the model (or the song) ends them
RANDOM_STEPS = 128                                         # length of a melody of random symbols (8 bars)


@dataclass
class Batch:
    """Melodies (symbols, no `/`) from one source, the decoding repairs they needed, and where they came from."""

    melodies: list[list[str]]
    source: str
    description: str
    repairs: Counter = field(default_factory=Counter)


@functools.lru_cache(maxsize=8)
def _model(source: str, weights: str | None):
    """A generator's weights and vocabulary, loaded once per process (shipped, or the file given)."""
    from .shipped import load_pretrained

    net, vocab, prov = load_pretrained(source, weights)
    where = weights or f"shipped {source} ({prov.get('command', 'no provenance')})"
    return net, vocab, where


@functools.lru_cache(maxsize=2)
def _ngram(seed: int = 0):
    """The n-gram baseline fitted on the embedded ballads' training side, and its vocabulary."""
    from .corpus import embedded_split
    from .encoding import Vocabulary, build_stream
    from .markov import NGram
    from .scoring import target_positions

    train, _ = embedded_split(seed)
    seqs = [encode_events(m) for m in train]
    vocab = Vocabulary.from_sequences(seqs)
    stream = build_stream(seqs, vocab, THESIS.sequence_length, THESIS.separator_length)
    model = NGram(NGRAM_ORDER, len(vocab), NGRAM_DISCOUNT).fit(stream.ids,
                                                                target_positions(stream, stream.window_starts()))
    return model, vocab


def melodies(source: str, n: int, *, temperature: float = 1.0, seed: int = 0, primer: Sequence[str] = (),
             max_steps: int = MAX_STEPS, weights: str | os.PathLike | None = None) -> Batch:
    """n melodies from a source, seeded (same seed, same melodies on CPU). Primers go to the LSTM and n-gram
    (the melody starts with them); GANs draw whole 64-step melodies from noise; `real` gives held-out songs."""
    if source not in SOURCES:
        raise ThesisError(f"unknown source {source!r}; choose one of {', '.join(SOURCES)}")
    if primer and source not in ("lstm", "ngram"):
        raise ThesisError(f"{source} melodies take no primer")
    weights = str(weights) if weights else None
    if source == "lstm":
        from .lstm import Generator

        net, vocab, where = _model(source, weights)
        vocab.encode(primer)  # VocabularyError names an unknown symbol
        out = Generator(net, vocab).generate(n, temperature=temperature, primer=list(primer), max_steps=max_steps,
                                             seed=seed)
        return Batch(out, source, where)
    if source in ("gan", "wgan-gp", "gan-improved"):
        net, vocab, where = _model(source, weights)
        if source == "gan-improved":
            from .gan_improved import generate
        else:
            from .gan import generate
        out, repairs = generate(net, vocab, n, temperature=temperature, seed=seed)
        return Batch(out, source, where, repairs)
    if source == "ngram":
        model, vocab = _ngram()
        vocab.encode(primer)
        out = model.generate(vocab, n, temperature=temperature, max_steps=max_steps, seed=seed, primer=list(primer))
        return Batch(out, source, f"the {NGRAM_ORDER}-gram baseline fitted on the embedded ballads' training side")
    if source == "random":
        from .shipped import load_vocab, weights_path

        path = weights or weights_path("lstm")
        symbols = [s for s in load_vocab(path).symbols if s != DELIMITER]
        starts = [s for s in symbols if parse_symbol(s)[0] != "hold"]  # a melody starts with a note or a rest
        rng = np.random.default_rng(seed)
        steps = min(RANDOM_STEPS, max_steps)
        out = [[starts[int(rng.integers(len(starts)))]] + [symbols[k] for k in rng.integers(0, len(symbols), steps - 1)]
               for _ in range(n)]
        return Batch(out, source, f"uniformly random symbols of {Path(path).name}'s vocabulary")
    from .corpus import embedded_split

    _, held = embedded_split()
    rng = np.random.default_rng(seed)
    pick = np.sort(rng.choice(len(held), min(n, len(held)), replace=False))
    return Batch([encode_events(held[k]) for k in pick], source, "held-out ballads (10%, split by song, seed 0)")


# --------------------------------------------------------------------------- meter and mode on request

@dataclass
class Matching:
    """Melodies that match a requested meter and mode, and how many draws it took."""

    batch: Batch
    drawn: int
    matched: int   # every drawn melody that matched, the ones beyond `n` too

    @property
    def acceptance(self) -> float:
        """Share of drawn melodies that matched."""
        return self.matched / self.drawn if self.drawn else 0.0


def describe(symbols: Sequence[str]) -> tuple[str, int, str]:
    """(meter, pickup, mode) of a melody as the score will show it: inferred meter, analysed mode."""
    from . import meter
    from .theory import melody_mode

    events = decode_symbols(symbols)
    m, pickup = meter.infer(events)
    return m, pickup, melody_mode(events)


def matching(source: str, n: int, *, meter: str | None = None, mode: str | None = None, max_draws: int = 1000,
             batch_size: int | None = None, **kw) -> Matching:
    """Draw melodies (batches seeded seed, seed+1, …) and keep those whose inferred meter and analysed mode match,
    until n are found or `max_draws` melodies were drawn. The models are not conditioned on either."""
    from . import meter as meters

    if meter is not None and meter not in meters.METERS:
        raise ValueError(f"meter {meter!r}: choose one of {', '.join(meters.METERS)}")
    if mode not in (None, "major", "minor"):
        raise ValueError(f"mode {mode!r}: choose major or minor")
    seed = kw.pop("seed", 0)
    size = batch_size or max(n, 16)
    kept, repairs, drawn, matched, first = [], Counter(), 0, 0, None
    while len(kept) < n and drawn < max_draws:
        b = melodies(source, min(size, max_draws - drawn), seed=seed, **kw)
        first = first or b
        drawn += len(b.melodies)
        for mel in b.melodies:
            if not [s for s in mel if s != DELIMITER]:
                continue
            m, _, md = describe(mel)
            if (meter is None or m == meter) and (mode is None or md == mode):
                matched += 1
                if len(kept) < n:
                    kept.append(mel)
        repairs.update(b.repairs)
        seed += 1
    return Matching(Batch(kept, source, first.description, repairs), drawn, matched)


# --------------------------------------------------------------------------- the comparison table's sets

def comparison_sets(n: int = 100, seed: int = 0, max_steps: int = MAX_STEPS) -> dict[str, list[list[tuple]]]:
    """The rows of the comparison table, n melodies each (as events) with fixed seeds: held-out real songs, the
    shipped LSTM at T = 0.5 and 1.0, every shipped GAN generator, the n-gram and uniformly random symbols."""
    from .shipped import available

    rows = {"held-out real songs": ("real", 1.0)}
    rows.update({"LSTM, T = 0.5": ("lstm", 0.5), "LSTM, T = 1.0": ("lstm", 1.0)})
    rows.update({name: (src, 1.0) for name, src in (("DCGAN", "gan"), ("WGAN-GP", "wgan-gp"),
                                                     ("improved GAN", "gan-improved")) if available(src)})
    rows.update({f"{NGRAM_ORDER}-gram": ("ngram", 1.0), "random symbols": ("random", 1.0)})
    sets = {}
    for name, (src, t) in rows.items():
        batch = melodies(src, n, temperature=t, seed=seed, max_steps=max_steps)
        sets[name] = [ev for ev in (decode_symbols(m) for m in batch.melodies) if ev]
        if src == "real":
            n = len(sets[name])  # the same number in every row
    return sets


# --------------------------------------------------------------------------- melodies from files

MELODY_SUFFIXES = (".krn", ".abc", ".musicxml", ".xml", ".mxl", ".mid", ".midi", ".txt")  # preference per stem


def melody_files(paths: Sequence[str | os.PathLike]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Expand files and folders into melody files, one per stem: `generate` writes the same melody as .mid,
    .musicxml and .txt, and it must count once (preference: kern, ABC, MusicXML, MIDI, symbols .txt).
    Returns (files, skipped as (path, reason))."""
    chosen: dict[tuple, Path] = {}
    skipped: list[tuple[str, str]] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = [f for f in sorted(p.rglob("*")) if f.is_file() and f.suffix.lower() in MELODY_SUFFIXES]
            if not found:
                skipped.append((str(p), "no melody files (.krn .abc .mid .musicxml .txt) in this folder"))
        elif p.is_file():
            found = [p]
            if p.suffix.lower() not in MELODY_SUFFIXES:
                skipped.append((str(p), f"unsupported file type {p.suffix or '(none)'!r}"))
                found = []
        else:
            skipped.append((str(p), "no such file or directory"))
            found = []
        for f in found:
            key = (f.parent, f.stem)
            old = chosen.get(key)
            if old is None or MELODY_SUFFIXES.index(f.suffix.lower()) < MELODY_SUFFIXES.index(old.suffix.lower()):
                chosen[key] = f
    return sorted(chosen.values()), skipped


def read_symbols_file(path: Path) -> list[tuple]:
    """Events of a `.txt` of symbols (as `generate` writes: either scheme, space-separated, C major / A minor)."""
    from .encoding import parse_symbol
    from .errors import VocabularyError

    try:
        symbols = path.read_text(encoding="utf-8").split()
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read: {exc}") from None
    try:
        [parse_symbol(s) for s in symbols]
    except VocabularyError as exc:
        raise ValueError(str(exc)) from None
    events = decode_symbols(symbols)
    if not any(p is not None for p, _ in events):
        raise ValueError("empty (no notes)")
    return events


def from_files(paths: Sequence[str | os.PathLike]) -> tuple[list[str], list[list[tuple]], list[tuple[str, str]]]:
    """Melodies from files and folders: (sources, event lists, skipped as (source, reason)). Score files go
    through the corpus reader (transposed to C major / A minor like the training songs); one bad file never
    stops the run."""
    from .corpus import load_corpus

    files, skipped = melody_files(paths)
    names, found = [], []
    for f in [f for f in files if f.suffix.lower() == ".txt"]:
        try:
            found.append(read_symbols_file(f))
            names.append(str(f))
        except ValueError as exc:
            skipped.append((str(f), str(exc)))
    scores = [f for f in files if f.suffix.lower() != ".txt"]
    if scores:
        corpus = load_corpus(scores, progress=False, require_songs=False)
        skipped += [(s.source, s.reason) for s in corpus.skipped]
        for song in corpus.songs:
            names.append(song.source)
            found.append(list(song.events))
    return names, found, skipped
