"""Songs in: the embedded Essen ballads (music21's corpus) or a user's kern / ABC / MIDI / MusicXML files.

Each song becomes a list of *events* ``(midi_pitch or None for a rest, length in 16th steps)``,
transposed to C major or A minor (thesis ch. 2). music21 is imported only when a file must really
be parsed; a warm load comes from a JSON cache under ``data/cache/`` keyed by content and settings.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import importlib.util
import io
import json
import os
import re
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from multiprocessing import get_context
from pathlib import Path
from typing import Iterable, Sequence

from .config import MAJOR_TARGET_MIDI, MINOR_TARGET_MIDI, STEPS_PER_QUARTER
from .encoding import bar_steps
from .errors import CorpusError, SongRejected

CACHE_VERSION = 6  # bump when parsing rules change: old caches are then simply not found
FORMATS = {
    ".krn": "humdrum", ".kern": "humdrum", ".abc": "abc",
    ".mid": "midi", ".midi": "midi",
    ".xml": "musicxml", ".musicxml": "musicxml", ".mxl": "musicxml",
}
EMBEDDED = "embedded"
EMBEDDED_FILES = tuple(f"essenFolksong/ballad{n}.abc" for n in range(10, 90, 10))
TRANSPOSE_MODES = ("thesis", "nearest", "none")

Event = tuple  # (int | None, int): pitch (None = rest) and length in 16th steps


@dataclass(frozen=True)
class Song:
    """One kept melody: where it came from, its key before transposition, and its events."""

    source: str                   # path, plus "#N" for the N-th tune of a multi-tune file
    title: str
    meter: str | None             # first time signature, e.g. "3/4"; None when the file has none
    tonic: str                    # original tonic, music21 spelling ("B-", "F#")
    mode: str                     # "major" or "minor"
    key_source: str               # "file", "file tonic + analysis mode" or "analysis"
    shift: int                    # semitones added to every pitch
    pickup: int                   # 16th steps before the first bar line (0 = starts on beat 1)
    events: tuple[Event, ...]

    @property
    def steps(self) -> int:
        """Length of the song in 16th-note steps."""
        return sum(length for _, length in self.events)

    @property
    def pitches(self) -> list[int]:
        """MIDI pitches of the notes (after transposition), in order."""
        return [p for p, _ in self.events if p is not None]


@dataclass(frozen=True)
class Skip:
    """A song (or file) that was not kept, and why."""

    source: str
    reason: str


@dataclass
class Corpus:
    """The outcome of a corpus run: kept songs, skipped ones with reasons, and the settings used."""

    name: str
    transpose: str
    songs: list[Song] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)


# --------------------------------------------------------------------------- discovery

@dataclass(frozen=True)
class Tune:
    """One unit of parsing work: a file, or one tune of a multi-tune ABC file."""

    source: str
    path: str
    fmt: str
    text: str | None = None       # ABC tune text (other formats are read from path)


def embedded_dir() -> Path:
    """Folder of music21's corpus, found without importing music21 (which takes about a second)."""
    spec = importlib.util.find_spec("music21")
    if spec is None or not spec.submodule_search_locations:
        raise CorpusError("music21 is not installed: it ships the embedded Essen corpus")
    return Path(list(spec.submodule_search_locations)[0]) / "corpus"


def _read_text(path: Path) -> str:
    """Read a text score; Essen ABC is Latin-1, most others UTF-8."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


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
                pieces = split_abc(_read_text(path))
            except OSError as exc:
                skipped.append(Skip(shown, f"cannot read: {exc.strerror or exc}"))
                continue
            many = len(pieces) > 1
            tunes += [Tune(f"{shown}#{i}" if many else shown, str(path), fmt, t)
                      for i, t in enumerate(pieces, 1)]
        else:
            tunes.append(Tune(shown, str(path), fmt))
    return tunes, skipped, name


# --------------------------------------------------------------------------- keys

_ABC_MODES = {"": None, "m": "minor", "min": "minor", "minor": "minor", "aeo": "minor", "dor": "minor",
              "phr": "minor", "loc": "minor", "maj": "major", "major": "major", "ion": "major",
              "mix": "major", "lyd": "major"}


def stated_key(tune: Tune, text: str | None, score=None) -> tuple[str | None, str | None]:
    """(tonic, mode) as the file states them; either may be None. Essen ABC states only the tonic.

    kern: ``*F:`` major, ``*d:`` minor. ABC: ``K:Gm`` (a bare ``K:G`` gives the tonic only).
    MusicXML: a ``<mode>`` element (music21 then builds a ``key.Key``). MIDI: never; its key
    event always carries a mode byte, and writers leave the default "major" there.
    """
    if tune.fmt == "abc" and text is not None:
        m = re.search(r"(?m)^K:\s*([A-Ga-g])([b#]?)\s*([A-Za-z]*)", text)
        if not m:
            return None, None
        tonic = m.group(1).upper() + {"b": "-", "#": "#", "": ""}[m.group(2)]
        word = m.group(3).lower()
        return tonic, _ABC_MODES.get(word, _ABC_MODES.get(word[:3]))
    if tune.fmt == "humdrum" and text is not None:
        m = re.search(r"(?m)^\*([A-Ga-g])([#-]*):", text)
        if not m:
            return None, None
        return m.group(1).upper() + m.group(2), "major" if m.group(1).isupper() else "minor"
    if tune.fmt == "musicxml" and score is not None:
        from music21 import key as m21key

        k = next(iter(score.recurse().getElementsByClass(m21key.Key)), None)
        if k is not None:
            return k.tonic.name, _major_minor(k.mode)
    return None, None


def choose_key(score, tonic: str | None, mode: str | None) -> tuple[str, str, str]:
    """Return (tonic, mode, how): the file's statement first, else music21's key analysis.

    When the file states only a tonic (Essen ABC), the analysis picks major or minor on that tonic.
    """
    if tonic and mode:
        return tonic, mode, "file"
    from music21 import pitch as m21pitch

    analysed = score.analyze("key")
    if tonic is None:
        return analysed.tonic.name, _major_minor(analysed.mode), "analysis"
    pc = m21pitch.Pitch(tonic).pitchClass
    for cand in [analysed, *analysed.alternateInterpretations]:
        if cand.tonic.pitchClass == pc and cand.mode in ("major", "minor"):
            return tonic, cand.mode, "file tonic + analysis mode"
    return tonic, _major_minor(analysed.mode), "file tonic + analysis mode"


def _major_minor(mode: str) -> str:
    """Fold church modes onto the two the thesis uses."""
    return "minor" if mode in ("minor", "dorian", "phrygian", "aeolian", "locrian") else "major"


def transposition(tonic: str, mode: str, how: str = "thesis") -> int:
    """Semitones that move the tonic in octave 4 to C4 (major) or A4 (minor); `nearest` keeps it in -6..+5."""
    from music21 import pitch as m21pitch

    if how == "none":
        return 0
    target = MAJOR_TARGET_MIDI if mode == "major" else MINOR_TARGET_MIDI
    shift = target - m21pitch.Pitch(f"{tonic}4").midi
    if how == "nearest":
        shift = (shift + 6) % 12 - 6
    elif how != "thesis":
        raise ValueError(f"transpose must be one of {TRANSPOSE_MODES}, not {how!r}")
    return shift


# --------------------------------------------------------------------------- one song

def _steps(ql, what: str) -> int:
    """Quarter lengths to whole 16th steps, or reject the song."""
    q = Fraction(ql).limit_denominator(10_000) * STEPS_PER_QUARTER
    if q.denominator != 1:
        raise SongRejected(f"unsupported duration: {what} of {Fraction(ql).limit_denominator(10_000)} "
                           "quarter notes is not a whole number of 16ths")
    return int(q)


def extract_events(score) -> tuple[list[Event], str | None, int]:
    """Events, meter and pickup of a monophonic score; raises SongRejected with the reason."""
    from music21 import chord, stream

    parts = list(score.parts) if isinstance(score, stream.Score) else [score]
    sounding = [p for p in parts if p.recurse().notes]
    if len(sounding) > 1:
        raise SongRejected(f"not monophonic: {len(sounding)} parts with notes")
    if not sounding:
        raise SongRejected("empty: no notes")
    part = sounding[0]
    for m in part.getElementsByClass(stream.Measure):
        voices = [v for v in m.voices if v.notes]
        if len(voices) > 1:
            raise SongRejected(f"not monophonic: {len(voices)} voices in bar {m.number}")
    part = part.stripTies(inPlace=False)
    flat = part.flatten()
    elements = sorted(flat.notesAndRests, key=lambda e: (e.offset, e.isRest))
    events: list[list] = []
    cursor = 0
    for el in elements:
        if isinstance(el, chord.Chord):
            raise SongRejected("not monophonic: a chord at offset "
                               f"{Fraction(el.offset).limit_denominator(10_000)}")
        if el.duration.isGrace or el.quarterLength == 0:
            raise SongRejected("unsupported duration: a grace note")
        start = _steps(el.offset, "an onset")
        length = _steps(el.quarterLength, "a note" if el.isNote else "a rest")
        if start < cursor:
            if el.isRest:  # a rest hidden under a sounding note (another voice's placeholder)
                continue
            raise SongRejected("not monophonic: overlapping notes")
        if start > cursor:  # a gap with no rest written: silence
            _append(events, None, start - cursor)
        _append(events, None if el.isRest else int(el.pitch.midi), length)
        cursor = start + length
    if not any(p is not None for p, _ in events):
        raise SongRejected("empty: no notes")
    ts = _dominant_time_signature(flat, cursor)
    meter = ts.ratioString if ts is not None else None
    pickup = 0
    measures = part.getElementsByClass(stream.Measure)
    if ts is not None and measures:
        first = measures[0]
        bar = _steps(ts.barDuration.quarterLength, "a bar")
        have = _steps(first.duration.quarterLength, "a bar")
        if 0 < have < bar and len(measures) > 1:
            pickup = have
    return [tuple(e) for e in events], meter, pickup


def abc_meter(text: str, events, meter: str | None, pickup: int) -> tuple[str | None, int]:
    """The ABC header's ``M:`` (music21 gives pickups and short phrase-end bars meters of their own)."""
    m = re.search(r"(?m)^M:\s*(\S*)", text)
    if not m:
        return meter, pickup
    field_ = m.group(1)
    frac = re.search(r"(\d+)/(\d+)", field_)
    stated = f"{frac.group(1)}/{frac.group(2)}" if frac else {"C": "4/4", "C|": "2/2"}.get(field_)
    if stated is None:  # "M: none": free meter
        return None, 0
    if stated != meter:
        pickup = 0 if pickup and pickup >= bar_steps(stated) else pickup
    return stated, pickup


def _dominant_time_signature(flat, end_steps: int):
    """The time signature in force for the most steps (music21 gives an ABC pickup bar one of its own)."""
    tss = sorted(flat.getElementsByClass("TimeSignature"), key=lambda t: t.offset)
    if not tss:
        return None
    ends = [t.offset for t in tss[1:]] + [end_steps / STEPS_PER_QUARTER]
    spans = [(e - t.offset, -i) for i, (t, e) in enumerate(zip(tss, ends))]
    return tss[-max(spans)[1]]


def _append(events: list[list], pitch: int | None, length: int) -> None:
    """Append an event; consecutive rests merge into one (a rest is one `r` then holds)."""
    if length <= 0:
        return
    if pitch is None and events and events[-1][0] is None:
        events[-1][1] += length
    else:
        events.append([pitch, length])


def parse_tune(tune: Tune):
    """Parse one tune with music21; returns a Score (or Opus). Exceptions carry the parser's message."""
    from music21 import converter

    if tune.fmt == "abc":
        text = tune.text or ""
        if not re.search(r"(?m)^%abc-\d", text):
            # ABC 2.1: an accidental lasts to the bar line. music21 assumes 1.3 without this line,
            # which would turn the Essen `_B2B2` (B-flat twice) into B-flat, B-natural.
            text = "%abc-2.1\n" + text
        return converter.parse(text, format="abc")
    if tune.fmt != "humdrum":
        return converter.parse(tune.path, format=tune.fmt, forceSource=True)
    # music21's kern reader only *warns* about an event it cannot read and drops it; a song with
    # notes silently missing is worse than a rejected one, so its warnings become the parse error.
    captured = io.StringIO()
    with contextlib.redirect_stderr(captured):
        score = converter.parse(tune.path, format="humdrum", forceSource=True)
    errors = [line for line in captured.getvalue().splitlines() if "Error in parsing" in line]
    if errors:
        raise ValueError(errors[0].split("WARNING:", 1)[-1].strip())
    return score


def process_tune(tune: Tune, transpose: str = "thesis") -> list[Song | Skip]:
    """Parse, check and transpose one tune; never raises (a failure becomes a Skip with the reason)."""
    try:
        score = parse_tune(tune)
    except Exception as exc:  # the parser's own message is the reason
        msg = " ".join(str(exc).split()) or type(exc).__name__
        return [Skip(tune.source, f"cannot parse: {msg[:300]}")]
    from music21 import stream

    scores = list(score.scores) if isinstance(score, stream.Opus) else [score]
    text = tune.text
    if text is None and tune.fmt == "humdrum":
        text = _read_text(Path(tune.path))
    out: list[Song | Skip] = []
    for i, sc in enumerate(scores, 1):
        source = tune.source if len(scores) == 1 else f"{tune.source}#{i}"
        try:
            events, meter, pickup = extract_events(sc)
            if tune.fmt == "midi":  # MIDI has no rests: music21 pads the last bar with one
                while events and events[-1][0] is None:
                    events.pop()
            if tune.fmt == "abc" and text is not None:
                meter, pickup = abc_meter(text, events, meter, pickup)
            tonic, mode, how = choose_key(sc, *stated_key(tune, text, sc))
            shift = transposition(tonic, mode, transpose)
            title = (sc.metadata.title if sc.metadata and sc.metadata.title else "") or ""
            moved = tuple((None if p is None else p + shift, n) for p, n in events)
            out.append(Song(source, title.strip(), meter, tonic, mode, how, shift, pickup, moved))
        except SongRejected as exc:
            out.append(Skip(source, exc.reason))
        except Exception as exc:  # one odd song must never stop a corpus run
            out.append(Skip(source, f"cannot read: {type(exc).__name__}: {exc}"[:300]))
    return out


def _process_chunk(args: tuple[list[Tune], str]) -> list[Song | Skip]:
    """Worker entry point: a chunk of tunes (fewer round trips than one tune per task)."""
    tunes, transpose = args
    return [r for t in tunes for r in process_tune(t, transpose)]


# --------------------------------------------------------------------------- corpus run + cache

def cache_dir() -> Path:
    """`$THESIS_CACHE_DIR`, else the repository's data/cache, else ~/.cache/thesis-music."""
    if os.environ.get("THESIS_CACHE_DIR"):
        return Path(os.environ["THESIS_CACHE_DIR"])
    repo = Path(__file__).resolve().parents[1]
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


def atomic_write_text(path: Path, text: str) -> None:
    """Write via a temp file in the same folder and a rename, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the file the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _to_json(corpus: Corpus) -> str:
    return json.dumps({"name": corpus.name, "transpose": corpus.transpose,
                       "songs": [asdict(s) for s in corpus.songs],
                       "skipped": [asdict(s) for s in corpus.skipped]}, separators=(",", ":"))


def _from_json(text: str) -> Corpus:
    d = json.loads(text)
    songs = [Song(**{**s, "events": tuple((p, n) for p, n in s["events"])}) for s in d["songs"]]
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
        for chunk, res in zip(chunks, pool.map(_process_chunk, [(c, transpose) for c in chunks])):
            results += res
            bar.update(len(chunk))
    return results


def _no_bar(progress: bool | None, n: int) -> bool | None:
    """tqdm's `disable`: None = only on a terminal; a bar for a handful of files is noise."""
    if progress is None:
        return None if n >= 24 else True
    return not progress
