"""Songs in: the embedded Essen ballads (music21's corpus) or a user's kern / ABC / MIDI / MusicXML files.

Each song becomes a list of *events* ``(midi_pitch or None for a rest, length in 16th steps)``,
transposed to C major or A minor (thesis ch. 2). music21 is imported only when a file must really
be parsed; a warm load comes from a JSON cache under ``data/cache/`` keyed by content and settings.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import os
import re
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Iterable, Sequence

from ..core.errors import CorpusError
from ..core.files import atomic_write_text
from .parsing import (
    TRANSPOSE_MODES,
    Skip,
    Song,
    Tune,
    process_chunk,
    process_tune,
    read_text,
)

CACHE_VERSION = 9  # bump when parsing rules change: old caches are then simply not found
FORMATS = {
    ".krn": "humdrum", ".kern": "humdrum", ".abc": "abc",
    ".mid": "midi", ".midi": "midi",
    ".xml": "musicxml", ".musicxml": "musicxml", ".mxl": "musicxml",
}
EMBEDDED = "embedded"
EMBEDDED_FILES = tuple(f"essenFolksong/ballad{n}.abc" for n in range(10, 90, 10))


@dataclass
class Corpus:
    """The outcome of a corpus run: kept songs, skipped ones with reasons, and the settings used."""

    name: str
    transpose: str
    songs: list[Song] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)


# --------------------------------------------------------------------------- discovery

def embedded_dir() -> Path:
    """Folder of music21's corpus, found without importing music21 (which takes about a second)."""
    spec = importlib.util.find_spec("music21")
    if spec is None or not spec.submodule_search_locations:
        raise CorpusError("music21 is not installed: it ships the embedded Essen corpus")
    return Path(list(spec.submodule_search_locations)[0]) / "corpus"


def split_abc(text: str) -> list[str]:
    """Split an ABC file into tunes (each starts at an ``X:`` line); file-level header lines are kept."""
    parts = re.split(r"(?m)^(?=X:)", text)
    header = parts[0] if parts and not parts[0].startswith("X:") else ""
    tunes = [p for p in parts if p.startswith("X:")]
    if not tunes:
        return [text]
    # header fields such as %abc-2.1 or a file-wide L: apply to every tune
    keep = "".join(line + "\n" for line in header.splitlines() if line.startswith(("%abc", "%%")))
    return [keep + t for t in tunes]


def discover(paths: Sequence[str | os.PathLike] | None) -> tuple[list[Tune], list[Skip], str]:
    """Expand files and folders (recursively) into tunes; unreadable paths become skips, not errors."""
    tunes: list[Tune] = []
    skipped: list[Skip] = []
    if not paths:
        base = embedded_dir()
        files = [(base / rel, rel) for rel in EMBEDDED_FILES]
        missing = [rel for f, rel in files if not f.exists()]
        if missing:
            raise CorpusError(f"music21's corpus lacks {', '.join(missing)}: reinstall music21")
        name = EMBEDDED
    else:
        files = []
        for p in map(Path, paths):
            if p.is_dir():
                found = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in FORMATS)
                if not found:
                    skipped.append(Skip(str(p), "no .krn, .abc, .mid or MusicXML files in this folder"))
                files += [(f, str(f)) for f in found]
            elif p.is_file():
                if p.suffix.lower() not in FORMATS:
                    skipped.append(Skip(str(p), f"unsupported file type {p.suffix or '(none)'!r}"))
                else:
                    files.append((p, str(p)))
            else:
                skipped.append(Skip(str(p), "no such file or directory"))
        name = ",".join(str(p) for p in paths)
    for path, shown in files:
        fmt = FORMATS[path.suffix.lower()]
        if fmt == "abc":
            try:
                pieces = split_abc(read_text(path))
            except OSError as exc:
                skipped.append(Skip(shown, f"cannot read: {exc.strerror or exc}"))
                continue
            many = len(pieces) > 1
            tunes += [Tune(f"{shown}#{i}" if many else shown, str(path), fmt, t)
                      for i, t in enumerate(pieces, 1)]
        else:
            tunes.append(Tune(shown, str(path), fmt))
    return tunes, skipped, name


# --------------------------------------------------------------------------- corpus run + cache

def cache_dir() -> Path:
    """`$THESIS_CACHE_DIR`, else the repository's data/cache, else ~/.cache/thesis-music."""
    if os.environ.get("THESIS_CACHE_DIR"):
        return Path(os.environ["THESIS_CACHE_DIR"])
    from ..core.config import REPO as repo

    if (repo / "pyproject.toml").exists() and (repo / "data").is_dir():
        return repo / "data" / "cache"
    return Path.home() / ".cache" / "thesis-music"


def cache_key(tunes: Iterable[Tune], transpose: str) -> str:
    """Hash of every source's bytes, the settings and the parser versions."""
    h = hashlib.sha256()
    h.update(f"v{CACHE_VERSION}|{transpose}|music21 {importlib.metadata.version('music21')}".encode())
    seen: set[str] = set()
    for t in tunes:
        h.update(t.source.encode() + b"\0")
        if t.text is not None:
            h.update(t.text.encode())
        elif t.path not in seen:
            seen.add(t.path)
            h.update(Path(t.path).read_bytes())
    return h.hexdigest()[:20]


def _to_json(corpus: Corpus) -> str:
    return json.dumps({"name": corpus.name, "transpose": corpus.transpose,
                       "songs": [asdict(s) for s in corpus.songs],
                       "skipped": [asdict(s) for s in corpus.skipped]}, separators=(",", ":"))


def _from_json(text: str) -> Corpus:
    d = json.loads(text)
    songs = [Song(**{**s, "events": tuple((p, n) for p, n in s["events"]), "bars": tuple(s.get("bars", ()))})
             for s in d["songs"]]
    return Corpus(d["name"], d["transpose"], songs, [Skip(**s) for s in d["skipped"]])


def load_corpus(paths: Sequence[str | os.PathLike] | None = None, *, transpose: str = "thesis",
                cache: bool = True, workers: int | None = None, progress: bool | None = None,
                require_songs: bool = True) -> Corpus:
    """Load songs from paths (files or folders, recursively) or, with none, the embedded Essen ballads.

    Cold runs parse on every core with a progress bar; warm runs read `data/cache/` (well under a second).
    Raises CorpusError when no song survives (unless require_songs is False).
    """
    if transpose not in TRANSPOSE_MODES:
        raise ValueError(f"transpose must be one of {TRANSPOSE_MODES}, not {transpose!r}")
    if paths and len(paths) == 1 and str(paths[0]).endswith(EXPORTED):
        return read_exported(paths[0])
    tunes, skipped, name = discover(paths)
    corpus = None
    cache_file = None
    if cache and tunes:
        cache_file = cache_dir() / f"corpus-{cache_key(tunes, transpose)}.json"
        if cache_file.exists():
            try:
                corpus = _from_json(cache_file.read_text(encoding="utf-8"))
            except (ValueError, KeyError, TypeError):
                corpus = None  # a damaged cache is rebuilt, never trusted
    if corpus is None:
        results = _run_parallel(tunes, transpose, workers, progress)
        corpus = Corpus(name, transpose,
                        [r for r in results if isinstance(r, Song)],
                        [r for r in results if isinstance(r, Skip)])
        if cache_file is not None:
            try:
                atomic_write_text(cache_file, _to_json(corpus))
            except OSError:
                pass  # a read-only checkout still works, just without a cache
    corpus.name = name
    corpus.skipped = skipped + corpus.skipped
    if require_songs and not corpus.songs:
        why = "; ".join(f"{s.source}: {s.reason}" for s in corpus.skipped[:5]) or "no input files"
        raise CorpusError(f"no usable song in {name}: {len(corpus.skipped)} skipped ({why})")
    return corpus


EXPORTED = ".corpus.json"   # a corpus parsed once and written whole (`thesis-music encode --export`)


def export(corpus: Corpus, path: str | os.PathLike) -> Path:
    """Write a parsed corpus whole (songs in order, skips, settings), to be read where music21 is not installed
    (a GPU machine): `--corpus PATH.corpus.json` then gives the same songs, so the same split by song."""
    path = Path(path)
    if not path.name.endswith(EXPORTED):
        raise CorpusError(f"{path}: an exported corpus is named NAME{EXPORTED}")
    return atomic_write_text(path, _to_json(corpus))


def read_exported(path: str | os.PathLike) -> Corpus:
    """A corpus written by `export`; CorpusError names the file when it is not one."""
    try:
        return _from_json(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CorpusError(f"{path}: not an exported corpus ({type(exc).__name__}: {exc})") from None


def _run_parallel(tunes: list[Tune], transpose: str, workers: int | None,
                  progress: bool | None) -> list[Song | Skip]:
    """Parse tunes on every core: forked workers, or spawned ones once TensorFlow's threads exist."""
    from tqdm.auto import tqdm

    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(tunes) < 24:
        bar = tqdm(tunes, desc="parsing songs", unit="song", disable=_no_bar(progress, len(tunes)))
        return [r for t in bar for r in process_tune(t, transpose)]
    size = max(4, min(32, len(tunes) // (workers * 8)))
    chunks = [tunes[i:i + size] for i in range(0, len(tunes), size)]
    results: list[Song | Skip] = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn" if "tensorflow" in sys.modules else "fork")) as pool, \
            tqdm(total=len(tunes), desc="parsing songs", unit="song",
                 disable=_no_bar(progress, len(tunes))) as bar:
        for chunk, res in zip(chunks, pool.map(process_chunk, [(c, transpose) for c in chunks])):
            results += res
            bar.update(len(chunk))
    return results


def _no_bar(progress: bool | None, n: int) -> bool | None:
    """tqdm's `disable`: None = only on a terminal; a bar for a handful of files is noise."""
    if progress is None:
        return None if n >= 24 else True
    return not progress


# --------------------------------------------------------------------------- the split by song

def split_songs(n_songs: int, val_fraction: float = 0.1, seed: int = 0) -> tuple:
    """Song indices (train, held out): a seeded shuffle, `val_fraction` of the songs held out (at least one)."""
    import numpy as np

    if n_songs < 2:
        raise ValueError(f"need at least 2 songs to hold some out, got {n_songs}")
    if not 0 < val_fraction < 1:
        raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction}")
    order = np.random.default_rng(seed).permutation(n_songs)
    n_val = min(n_songs - 1, max(1, round(n_songs * val_fraction)))
    return np.sort(order[n_val:]).astype(np.int32), np.sort(order[:n_val]).astype(np.int32)


def embedded_split(seed: int = 0, val_fraction: float = 0.1) -> tuple[list[Song], list[Song]]:
    """(training songs, held-out songs) of the embedded ballads: the LSTM's split by song."""
    songs = load_corpus(progress=False).songs
    train, held = split_songs(len(songs), val_fraction, seed)
    return [songs[k] for k in train], [songs[k] for k in held]
