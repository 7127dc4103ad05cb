"""Out: MIDI and MusicXML files, notation as SVG (verovio), and the piano-roll data beside it."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Sequence

import numpy as np

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


# --------------------------------------------------------------------------- melodies and audio

SAMPLE_RATE = 22050
SOUNDFONT_PLACES = ("/usr/share/sounds/sf2", "/usr/share/soundfonts", "/usr/local/share/soundfonts")


def melody_score(events: Sequence[tuple], bpm: float = 100, title: str | None = None):
    """A generated melody as a Score in 4/4 (the thesis's windows are four 4/4 bars) with a tempo mark."""
    from music21 import tempo

    score = to_score(events, "4/4", 0, title)
    first = score.parts[0].getElementsByClass("Measure")[0]
    first.insert(0, tempo.MetronomeMark(number=bpm))
    return score


def synthesize(events: Sequence[tuple], bpm: float = 100, sr: int = SAMPLE_RATE) -> np.ndarray:
    """A plain numpy rendering: a few harmonics per note with attack and decay; float32 in [-1, 1]."""
    step = 60.0 / bpm / 4
    total = int(round(sum(n for _, n in events) * step * sr)) + int(0.3 * sr)
    out = np.zeros(total, np.float32)
    pos = 0.0
    for pitch, steps in events:
        length = int(round(steps * step * sr))
        start = int(round(pos))
        pos += steps * step * sr
        if pitch is None or length == 0:
            continue
        t = np.arange(length + int(0.05 * sr)) / sr
        f = 440.0 * 2 ** ((pitch - 69) / 12)
        tone = sum(a * np.sin(2 * np.pi * f * h * t) for h, a in ((1, 1.0), (2, 0.4), (3, 0.2), (4, 0.1)))
        env = np.minimum(1.0, t / 0.01) * np.exp(-2.5 * t)
        env[length:] *= np.linspace(1.0, 0.0, len(t) - length)  # release after the written length
        seg = (tone * env).astype(np.float32)
        end = min(total, start + len(seg))
        out[start:end] += seg[:end - start]
    peak = np.abs(out).max()
    return out / peak * 0.8 if peak > 0 else out


def write_wav(samples: np.ndarray, path: str | os.PathLike, sr: int = SAMPLE_RATE) -> Path:
    """16-bit mono WAV with the standard library's `wave`."""
    import wave

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def find_soundfont() -> Path | None:
    """A General MIDI soundfont: $THESIS_SOUNDFONT, else the first .sf2 in the usual Debian places."""
    env = os.environ.get("THESIS_SOUNDFONT")
    if env:
        return Path(env) if Path(env).exists() else None
    for place in SOUNDFONT_PLACES:
        found = sorted(Path(place).glob("*.sf2")) if Path(place).is_dir() else []
        if found:
            return found[0]
    return None


def _audible(path: Path) -> bool:
    """Whether a 16-bit WAV file holds any non-zero sample."""
    import wave

    try:
        with wave.open(str(path)) as w:
            return bool(np.abs(np.frombuffer(w.readframes(w.getnframes()), np.int16)).max(initial=0) > 0)
    except (wave.Error, EOFError, OSError):
        return False


def render_wav(events: Sequence[tuple], path: str | os.PathLike, bpm: float = 100) -> str:
    """Render a melody to WAV: FluidSynth with a GM soundfont when both are installed, else `synthesize`.

    Returns which renderer was used, in words.
    """
    import shutil
    import subprocess
    import tempfile

    path = Path(path)
    font, exe = find_soundfont(), shutil.which("fluidsynth")
    if font and exe:
        with tempfile.TemporaryDirectory() as tmp:
            mid = write_score(melody_score(events, bpm), Path(tmp) / "m.mid")
            path.parent.mkdir(parents=True, exist_ok=True)
            run = subprocess.run([exe, "-ni", "-g", "0.7", "-r", str(SAMPLE_RATE), "-F", str(path), str(font),
                                  str(mid)], capture_output=True, text=True)
            # FluidSynth exits 0 on an unreadable soundfont (writing silence, or using some default font):
            # its error lines and a silent file count as failure too
            errors = [ln for ln in run.stderr.splitlines() if "error" in ln.lower()]
            if run.returncode == 0 and not errors and path.exists() and (
                    _audible(path) or all(p is None for p, _ in events)):
                return f"FluidSynth ({font.name})"
            why = (errors or run.stderr.strip().splitlines() or [f"exit {run.returncode}, silent output"])[-1]
    write_wav(synthesize(events, bpm), path)
    if font and exe:
        return f"numpy synthesizer (FluidSynth failed: {why})"
    return "numpy synthesizer (FluidSynth or a soundfont not found)"


FORMATS = ("mid", "musicxml", "txt", "wav")


def write_melody(symbols: Sequence[str], stem: str | os.PathLike, formats: Sequence[str] = ("mid", "musicxml", "txt"),
                 *, bpm: float = 100, key: str | None = None, title: str | None = None) -> dict:
    """Write one generated melody as STEM.mid / .musicxml / .txt (symbols, no `/`) / .wav.

    `key` moves the C-major / A-minor melody to that key (see theory.transpose_to_key). Returns
    {"files": [...], "key": written key, "renderer": WAV renderer or None, "repairs": {...}}.
    """
    from .encoding import count_repairs, decode_symbols, encode_events
    from .theory import melody_mode, transpose_to_key

    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown format(s) {sorted(unknown)}; choose from {', '.join(FORMATS)}")
    symbols = [s for s in symbols if s != "/"]
    repairs = dict(count_repairs(symbols))
    events = decode_symbols(symbols)
    if not events:
        raise ValueError("an empty melody has nothing to write")
    if key:
        events, written = transpose_to_key(events, key)
        scheme = "per-pitch-hold" if any(s.startswith("_") and len(s) > 1 for s in symbols) else "thesis"
        symbols = encode_events(events, scheme)
    else:
        written = "C major" if melody_mode(events) == "major" else "a minor"
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    score = melody_score(events, bpm, title)
    info = {"files": [], "key": written, "renderer": None, "repairs": repairs}
    for fmt in formats:
        if fmt in ("mid", "musicxml"):
            info["files"].append(write_score(score, Path(f"{stem}.{fmt}")))
        elif fmt == "txt":
            p = Path(f"{stem}.txt")
            p.write_text(" ".join(symbols) + "\n", encoding="utf-8")
            info["files"].append(p)
        else:
            info["renderer"] = render_wav(events, f"{stem}.wav", bpm)
            info["files"].append(Path(f"{stem}.wav"))
    return info
