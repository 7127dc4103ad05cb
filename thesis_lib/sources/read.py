"""Melodies read back from files and folders (what `evaluate` scores): kern, ABC, MusicXML and MIDI through the
corpus reader, and the `.txt` symbols that `generate` writes. Each becomes a `Melody` whose origin names its file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

from ..data.melody import Melody, Origin

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


def read_symbols_file(path: Path) -> Melody:
    """A `.txt` of symbols (as `generate` writes: either scheme, space-separated, C major / A minor) as a melody;
    ValueError with the reason when it is not one."""
    from ..core.errors import VocabularyError
    from ..data.encoding import parse_symbol

    try:
        symbols = path.read_text(encoding="utf-8").split()
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read: {exc}") from None
    try:
        [parse_symbol(s) for s in symbols]
    except VocabularyError as exc:
        raise ValueError(str(exc)) from None
    melody = Melody(tuple(symbols), Origin("file", path=str(path)), path.stem)
    if not any(p is not None for p, _ in melody.events):
        raise ValueError("empty (no notes)")
    return melody


def from_files(paths: Sequence[str | os.PathLike]) -> tuple[list[str], list[Melody], list[tuple[str, str]]]:
    """Melodies from files and folders: (sources, melodies, skipped as (source, reason)). Score files go
    through the corpus reader (transposed to C major / A minor like the training songs, with their stated meter);
    one bad file never stops the run."""
    from ..data.corpus import load_corpus

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
            found.append(Melody.from_song(song).replace(origin=Origin("file", path=song.source)))
    return names, found, skipped
