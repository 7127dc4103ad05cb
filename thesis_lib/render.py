"""Out: MIDI and MusicXML files, notation as SVG (verovio), and the piano-roll data beside it."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Sequence

from .encoding import to_score


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
               title: str | None = None) -> list[Path]:
    """Write one melody as STEM.mid and STEM.musicxml; returns both paths."""
    score = to_score(events, meter, pickup, title)
    return [write_score(score, f"{stem}.mid"), write_score(score, f"{stem}.musicxml")]


def musicxml_string(score) -> str:
    """A Score as MusicXML text (verovio's input)."""
    from music21.musicxml.m21ToXml import GeneralObjectExporter

    return GeneralObjectExporter(score).parse().decode("utf-8")


def notation_svg(score, width: int = 2000, scale: int = 40) -> str:
    """Engrave a Score to one SVG page with verovio (a tall page: a folk song fits on it)."""
    import verovio

    tk = verovio.toolkit()
    tk.setOptions({"pageWidth": width, "scale": scale, "pageHeight": 60000, "adjustPageHeight": True,
                   "header": "none", "footer": "none", "breaks": "auto"})
    if not tk.loadData(musicxml_string(score)):
        raise ValueError("verovio could not read the MusicXML it was given")
    return tk.renderToSVG(1)


def save_svg(score, path: str | os.PathLike, **kw) -> Path:
    """Engrave a Score and save the SVG to path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(notation_svg(score, **kw), encoding="utf-8")
    return path
