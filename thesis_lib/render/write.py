"""Out: MIDI, MusicXML, ABC, symbols, WAV and SVG files of songs and melodies.

`write_melody(melody, stem, formats)` writes one `Melody` in the formats asked for, and works out only what they
need: the symbols file needs nothing, the score files need the melody's meter and pickup and its engraved
score (built once for all of them), the WAV needs its events.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from ..core.config import BPM
from ..data.melody import Melody
from ..data.notation import to_score

FORMATS = ("mid", "musicxml", "txt", "wav", "svg", "abc")
SCORE_FORMATS = ("mid", "musicxml", "svg")   # the formats that need the engraved score


def safe_name(source: str) -> str:
    """A song's SOURCE (path#N) as a plain file name: `essenFolksong/ballad10.abc#3` -> `ballad10_3`."""
    stem = re.sub(r"\.(abc|krn|kern|mid|midi|xml|musicxml|mxl)(?=#|$)", "", Path(source).name)
    return re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("_") or "song"


def write_score(score, path: str | os.PathLike) -> Path:
    """Write a music21 Score as .mid or .musicxml by the file's suffix (folders are created)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fmt = {".mid": "midi", ".midi": "midi", ".musicxml": "musicxml", ".xml": "musicxml"}.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"{path}: write .mid or .musicxml, not {path.suffix!r}")
    return Path(score.write(fmt, fp=str(path)))


def write_song(events: Sequence[tuple], stem: str | os.PathLike, meter: str | None = None, pickup: int = 0,
               title: str | None = None, key: str = "C major") -> list[Path]:
    """Write one song (its own meter and pickup) as STEM.mid and STEM.musicxml; returns both paths."""
    score = to_score(events, meter, pickup, title, key)
    return [write_score(score, f"{stem}.mid"), write_score(score, f"{stem}.musicxml")]


@dataclass
class Written:
    """What `write_melody` wrote: the files, the WAV's renderer (None without a WAV), and the score it engraved
    (None when no format needed one)."""

    files: list[Path] = field(default_factory=list)
    renderer: str | None = None
    score: object = None


def check_formats(formats: Sequence[str]) -> list[str]:
    """The formats, or ValueError naming the unknown ones."""
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise ValueError(f"unknown format(s) {unknown}; choose from {', '.join(FORMATS)}")
    return list(formats)


def write_melody(melody: Melody, stem: str | os.PathLike, formats: Sequence[str] = ("mid", "musicxml", "txt"),
                 *, bpm: float = BPM) -> Written:
    """Write one melody as STEM.mid / .musicxml / .txt (its symbols, no `/`) / .wav / .svg (engraved) / .abc.

    The score is barred in the melody's meter and pickup and written in its key (`Melody.in_key` moves it first).
    Only what a format needs is worked out: `txt` alone decodes, reads and engraves nothing."""
    check_formats(formats)
    if melody.is_empty:
        raise ValueError("an empty melody has nothing to write")
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    out = Written()
    if any(f in SCORE_FORMATS for f in formats):
        from ..data.notation import melody_score

        out.score = melody_score(melody, bpm=bpm)
    for fmt in formats:
        if fmt in ("mid", "musicxml"):
            out.files.append(write_score(out.score, Path(f"{stem}.{fmt}")))
        elif fmt == "svg":
            from ..data.notation import save_svg

            out.files.append(save_svg(out.score, f"{stem}.svg"))
        elif fmt == "abc":
            from .abc import save_abc

            out.files.append(save_abc(melody, f"{stem}.abc", bpm=bpm))
        elif fmt == "txt":
            p = Path(f"{stem}.txt")
            p.write_text(" ".join(melody.symbols) + "\n", encoding="utf-8")
            out.files.append(p)
        else:
            from .audio import render_wav

            out.renderer = render_wav(melody.events, f"{stem}.wav", bpm)
            out.files.append(Path(f"{stem}.wav"))
    return out
