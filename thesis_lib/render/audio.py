"""Audio of a melody: FluidSynth with a General MIDI soundfont when both are installed, else a small numpy
synthesizer; 16-bit mono WAV either way, and a sentence saying which renderer made it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import numpy as np

from ..core.config import BPM

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
    """Render a melody's events to WAV: FluidSynth with a GM soundfont when both are installed, else `synthesize`.

    Returns which renderer was used, in words.
    """
    import shutil
    import subprocess
    import tempfile

    from ..data.notation import to_score

    path = Path(path)
    font, exe = find_soundfont(), shutil.which("fluidsynth")
    if font and exe:
        with tempfile.TemporaryDirectory() as tmp:
            mid = to_score(events, "4/4", 0, None, "C major", bpm).write("midi", fp=str(Path(tmp) / "m.mid"))
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
