"""Music theory of chapter 2 as data: durations, pitch names, keys, and corpus statistics for 01/02."""

from __future__ import annotations

from collections import Counter

import pandas as pd

from .config import STEPS_PER_QUARTER
from .corpus import Corpus, Song
from .encoding import bar_steps, split_into_bars

PITCH_NAMES = ("C", "C#", "D", "E-", "E", "F", "F#", "G", "A-", "A", "B-", "B")
DURATIONS = (("whole", 16), ("half", 8), ("quarter", 4), ("eighth", 2), ("16th", 1))  # Fig. 5, in 16ths


def pitch_name(midi: int) -> str:
    """MIDI number to a name with octave, C4 = 60 (scientific pitch notation)."""
    return f"{PITCH_NAMES[midi % 12]}{midi // 12 - 1}"


def duration_tree() -> pd.DataFrame:
    """Fig. 5 as a table: each note value, how many fit in a whole note, and its length in 16th steps."""
    return pd.DataFrame([{"value": name, "per whole note": 16 // steps, "16th steps": steps,
                          "quarter lengths": steps / STEPS_PER_QUARTER} for name, steps in DURATIONS])


def key_name(tonic: str, mode: str) -> str:
    """'G' + 'minor' -> 'g minor' (music21's convention: lower case for minor)."""
    return f"{tonic.lower() if mode == 'minor' else tonic} {mode}"


def song_table(corpus: Corpus) -> pd.DataFrame:
    """One row per kept song: meter, key before/after, shift, length, note count and pitch range."""
    rows = []
    for s in corpus.songs:
        pitches = s.pitches
        rows.append({"source": s.source, "title": s.title, "meter": s.meter or "none",
                     "key": key_name(s.tonic, s.mode), "mode": s.mode, "key from": s.key_source,
                     "shift": s.shift, "key after": "C major" if s.mode == "major" else "a minor",
                     "steps": s.steps, "bars (approx.)": _bars(s), "notes": len(pitches),
                     "lowest": min(pitches), "highest": max(pitches),
                     "range": max(pitches) - min(pitches)})
    return pd.DataFrame(rows)


def _bars(song: Song) -> float:
    """Song length in bars of its meter (4/4 when it has none)."""
    return round(song.steps / bar_steps(song.meter), 1)


def skip_table(corpus: Corpus) -> pd.DataFrame:
    """Skipped songs per reason (family before the first colon), with one example source each."""
    families: dict[str, list[str]] = {}
    for s in corpus.skipped:
        families.setdefault(s.reason.split(":")[0], []).append(s.source)
    return pd.DataFrame([{"reason": r, "songs": len(v), "example": v[0]} for r, v in
                         sorted(families.items(), key=lambda kv: -len(kv[1]))],
                        columns=["reason", "songs", "example"])


def summary(corpus: Corpus) -> pd.DataFrame:
    """Kept / skipped / total songs of a corpus run."""
    kept, skipped = len(corpus.songs), len(corpus.skipped)
    return pd.DataFrame({"songs": [kept, skipped, kept + skipped]}, index=["kept", "skipped", "total"])


def interval_counts(corpus: Corpus) -> Counter:
    """Semitone steps between consecutive notes (rests skipped) over all songs."""
    c: Counter = Counter()
    for s in corpus.songs:
        p = s.pitches
        c.update(b - a for a, b in zip(p, p[1:]))
    return c


def pitch_counts(corpus: Corpus) -> Counter:
    """How many notes of each MIDI pitch, after transposition."""
    c: Counter = Counter()
    for s in corpus.songs:
        c.update(s.pitches)
    return c


def bar_fill(song: Song) -> list[int]:
    """16th steps per bar, pickup first: the check that durations add up to the time signature (Fig. 6)."""
    return [sum(n for _, n, _ in bar) for bar in split_into_bars(song.events, bar_steps(song.meter), song.pickup)]


def next_note_counts(corpus: Corpus, pitch: int) -> Counter:
    """Which pitch follows a note of `pitch` (holds and rests skipped): a real next-note distribution."""
    c: Counter = Counter()
    for s in corpus.songs:
        p = s.pitches
        c.update(b for a, b in zip(p, p[1:]) if a == pitch)
    return c
