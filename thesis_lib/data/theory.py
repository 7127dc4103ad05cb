"""Music theory of chapter 2 as data: durations, pitch names, keys, and corpus statistics for 01/02."""

from __future__ import annotations

from collections import Counter

import pandas as pd

from ..core.config import STEPS_PER_QUARTER, TONIC
from .corpus import Corpus, Song
from .encoding import bar_steps
from .notation import split_into_bars

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
    """'G' + 'minor' -> 'G minor', 'B-' + 'major' -> 'B♭ major': a key as a reader writes it."""
    from .notation import display_key

    return display_key(f"{tonic} {mode}")


def song_table(corpus: Corpus) -> pd.DataFrame:
    """One row per kept song: meter, key before/after, shift, length, note count and pitch range."""
    rows = []
    for s in corpus.songs:
        pitches = s.pitches
        rows.append({"source": s.source, "title": s.title, "meter": s.meter or "none",
                     "key": key_name(s.tonic, s.mode), "mode": s.mode, "key from": s.key_source,
                     "shift": s.shift, "key after": "C major" if s.mode == "major" else "A minor",
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


def bar_lengths(song: Song) -> list[int]:
    """16th steps per bar, pickup first: the check that durations add up to the time signature (Fig. 6)."""
    return [sum(n for _, n, _ in bar) for bar in split_into_bars(song.events, bar_steps(song.meter), song.pickup)]


def next_note_counts(corpus: Corpus, pitch: int) -> Counter:
    """Which pitch follows a note of `pitch` (holds and rests skipped): a real next-note distribution."""
    c: Counter = Counter()
    for s in corpus.songs:
        p = s.pitches
        c.update(b for a, b in zip(p, p[1:]) if a == pitch)
    return c


# --------------------------------------------------------------------------- keys of generated melodies

_LETTERS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
# Krumhansl-Kessler key profiles, rotated to C major and A minor
_MAJOR = (6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88)
_MINOR = (6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17)


def parse_key(text: str) -> tuple[int, str]:
    """'D' -> (2, 'major'), 'Em' -> (4, 'minor'), 'Bb' / 'F#m' / 'Ebm' too: pitch class of the tonic and mode."""
    t = text.strip()
    mode = "minor" if t.endswith("m") and len(t) > 1 else "major"
    body = t[:-1] if mode == "minor" else t
    if not body or body[0].upper() not in _LETTERS or body[1:] not in ("", "#", "b", "-"):
        raise ValueError(f"not a key: {text!r} (write e.g. D, Em, Bb, F#m)")
    return (_LETTERS[body[0].upper()] + {"": 0, "#": 1, "b": -1, "-": -1}[body[1:]]) % 12, mode


def melody_mode(events) -> str:
    """Whether a generated melody is in C major or A minor: its last note if that is C or A, else the
    Krumhansl-Kessler profile (duration-weighted pitch classes) that fits better."""
    import numpy as np

    notes = [(p, n) for p, n in events if p is not None]
    if not notes:
        return "major"
    last = notes[-1][0] % 12
    if last in (TONIC["major"], TONIC["minor"]):
        return "major" if last == TONIC["major"] else "minor"
    hist = np.zeros(12)
    for p, n in notes:
        hist[p % 12] += n
    major = np.corrcoef(hist, _MAJOR)[0, 1]
    minor = np.corrcoef(hist, np.roll(_MINOR, 9))[0, 1]
    return "minor" if minor > major else "major"


def transpose_to_key(events, key: str, have: str | None = None) -> tuple[list, str]:
    """Move a C-major / A-minor melody (in mode `have`: analysed when None) to a requested key; returns the events
    and the key written (a music21 key name such as `B- major`, spelled as the user wrote it when the mode matches).

    A major melody asked for in a minor key goes to that key's relative major (Em -> G major), and a
    minor one asked for in a major key to its relative minor (D -> B minor): the key signature is kept.
    """
    from .notation import key_for

    tonic, mode = parse_key(key)
    have = have or melody_mode(events)
    written = None
    if have == mode:
        body = key.strip()[:-1] if mode == "minor" else key.strip()
        name = body[0].upper() + body[1:].replace("b", "-")
        written = f"{name.lower() if mode == 'minor' else name} {mode}"
    else:
        tonic, mode = (tonic + 3) % 12 if have == "major" else (tonic - 3) % 12, have
    source = TONIC[have]
    shift = (tonic - source + 6) % 12 - 6  # the nearest way: -6 .. +5 semitones
    out = [(None if p is None else p + shift, n) for p, n in events]
    if any(p is not None and not 0 <= p <= 127 for p, _ in out):
        raise ValueError(f"transposing to {key} leaves the MIDI range")
    return out, written or key_for(tonic, mode)
