"""Out: MIDI, MusicXML, symbol and WAV files of songs and melodies, and their audio (FluidSynth or numpy)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Sequence

import numpy as np

from .config import BPM
from .notation import to_score


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


# --------------------------------------------------------------------------- melodies and audio

SAMPLE_RATE = 22050
SOUNDFONT_PLACES = ("/usr/share/sounds/sf2", "/usr/share/soundfonts", "/usr/local/share/soundfonts")


def synthesize(events: Sequence[tuple], bpm: float = BPM, sr: int = SAMPLE_RATE) -> np.ndarray:
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


def render_wav(events: Sequence[tuple], path: str | os.PathLike, bpm: float = BPM) -> str:
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
            mid = write_score(to_score(events, "4/4", 0, None, "C major", bpm), Path(tmp) / "m.mid")
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


FORMATS = ("mid", "musicxml", "txt", "wav", "svg")


def write_melody(symbols: Sequence[str], stem: str | os.PathLike, formats: Sequence[str] = ("mid", "musicxml", "txt"),
                 *, bpm: float = BPM, key: str | None = None, title: str | None = None,
                 meter: str | None = None) -> dict:
    """Write one generated melody as STEM.mid / .musicxml / .txt (symbols, no `/`) / .wav / .svg (engraved).

    The score is barred in the meter and pickup its rhythm fits (`thesis_lib.meter`; `meter` fixes the
    meter), in C major or A minor as analysed, or moved to `key` (see theory.transpose_to_key). Returns
    {"files": [...], "key": written key, "meter", "pickup", "renderer": WAV renderer or None, "repairs": {...},
    "events": the events written, "score": the music21 Score}.
    """
    from . import meter as meters
    from .encoding import count_repairs, decode_symbols, encode_events
    from .notation import display_key, key_for
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
        written = key_for(0, "major") if melody_mode(events) == "major" else key_for(9, "minor")
    meter, pickup = meters.infer(events, meter)
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    score = to_score(events, meter, pickup, title, written, bpm)
    info = {"files": [], "key": display_key(written), "meter": meter, "pickup": pickup, "renderer": None,
            "repairs": repairs, "events": events, "score": score}
    for fmt in formats:
        if fmt in ("mid", "musicxml"):
            info["files"].append(write_score(score, Path(f"{stem}.{fmt}")))
        elif fmt == "svg":
            from .notation import save_svg

            info["files"].append(save_svg(score, f"{stem}.svg"))
        elif fmt == "txt":
            p = Path(f"{stem}.txt")
            p.write_text(" ".join(symbols) + "\n", encoding="utf-8")
            info["files"].append(p)
        else:
            info["renderer"] = render_wav(events, f"{stem}.wav", bpm)
            info["files"].append(Path(f"{stem}.wav"))
    return info
