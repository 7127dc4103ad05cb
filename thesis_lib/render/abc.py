"""ABC out: a melody as folk musicians share tunes (thesession.org, folk-rnn, abcjs), ABC 2.1.

music21 reads ABC but writes none, and no well-kept Python library writes it; so the tune is written here from the
very bars the engraved score has (`notation.split_into_bars` with the same rest and tie rules, pitches spelled in
the key by `notation.spell`), and a test reads every file written back with music21's ABC reader.

  %abc-2.1                      (an accidental holds for its pitch to the bar line, as in the scores)
  X:1
  T:Tunes melody 1 · T = 1 · seed 3
  M:6/8
  L:1/8                         (the unit: an eighth; a 16th is `/`, a dotted quarter `3`)
  Q:1/4=100
  K:Amin                        (the key with its mode, folk-rnn's way: Cmaj, Amin, Bbmaj, F#min)
  E|A2B c2d|e3- e2d|...|]       (the pickup bar first, bar lines, ties `-`, a space at each beat, 4 bars a line)
"""

from __future__ import annotations

import os
from pathlib import Path

from ..core.config import BPM
from ..data.encoding import bar_steps
from ..data.melody import Melody

UNIT = 2                 # L:1/8 in 16th steps
BARS_PER_LINE = 4


def _length(steps: int) -> str:
    """A duration in 16ths as an ABC length in eighths: `` (1 eighth), `2`, `3/2`, `/` (a 16th)."""
    if steps % UNIT == 0:
        n = steps // UNIT
        return "" if n == 1 else str(n)
    return "/" if steps == 1 else f"{steps}/2"


def _pitch(pitch, accidental: str) -> str:
    """A music21 Pitch as an ABC pitch: C4 → `C`, C5 → `c`, C6 → `c'`, C3 → `C,`; with its accidental."""
    letter = pitch.step
    octave = pitch.octave
    text = letter if octave <= 4 else letter.lower()
    text += "," * max(0, 4 - octave) + "'" * max(0, octave - 5)
    return accidental + text


def key_field(key: str) -> str:
    """A music21 key name (`B- major`, `f# minor`) as an ABC K: field with its mode: `Bbmaj`, `F#min`."""
    tonic, mode = key.split()
    tonic = tonic[0].upper() + tonic[1:].replace("-", "b")
    return f"{tonic}{'maj' if mode == 'major' else 'min'}"


def abc_text(melody: Melody, index: int = 1, bpm: float | None = BPM) -> str:
    """The melody as one ABC tune: its title, meter, key and mode, and its bars as its score bars them."""
    from music21 import key as m21key

    from ..data.notation import (
        _beat,
        _key_args,
        merge_rests,
        note_rule,
        rest_unit,
        spell,
        split_into_bars,
    )

    key = melody.written_key
    meter = melody.meter if melody.meter and melody.meter.count("/") == 1 else "4/4"
    bar = bar_steps(meter)
    events = merge_rests(melody.events)
    bars = split_into_bars(events, bar, melody.pickup, rest_unit(meter), note_rule(meter))
    signature = m21key.Key(*_key_args(key))
    beat = _beat(meter)[0]
    first_room = melody.pickup if 0 < melody.pickup < bar else bar
    written = []
    for b, content in enumerate(bars):
        at = bar - first_room if b == 0 else 0    # where in the bar this bar's first note falls (a pickup: late)
        memory: dict = {}                          # (step, octave) -> the alteration an earlier note of the bar set
        tokens = []
        for pitch, steps, tie in content:
            if tokens and at % beat == 0:
                tokens.append(" ")                 # a beam breaks at each beat
            if pitch is None:
                tokens.append("z" + _length(steps))
            else:
                p = spell(pitch, key)
                alter = p.accidental.alter if p.accidental is not None else 0
                given = signature.accidentalByStep(p.step)
                expected = memory.get((p.step, p.octave), given.alter if given is not None else 0)
                # ABC 2.1 carries an accidental to the same pitch in its octave; music21 reads it into every octave
                # of that letter. An explicit sign where another octave of the letter was altered reads the same
                # in both.
                other = any(a != alter for (st, oc), a in memory.items() if st == p.step and oc != p.octave)
                signs = {-2: "__", -1: "_", 0: "=", 1: "^", 2: "^^"}
                sign = "" if alter == expected and not other else signs[int(alter)]
                memory[(p.step, p.octave)] = alter
                tokens.append(_pitch(p, sign) + _length(steps) + ("-" if tie in ("start", "continue") else ""))
            at += steps
        written.append("".join(tokens))
    lines, line = [], []
    for b, text in enumerate(written):
        line.append(text)
        full = b + 1 - (1 if 0 < melody.pickup < bar else 0)   # full bars so far
        if full > 0 and full % BARS_PER_LINE == 0 and b + 1 < len(written):
            lines.append("|".join(line) + "|")
            line = []
    lines.append("|".join(line) + "|]")
    if len(written) < 3:  # music21's ABC reader makes no bars of a tune of one or two bars without a leading one
        lines[0] = "|" + lines[0]
    title = " ".join((melody.title or "Untitled").split())
    head = ["%abc-2.1", f"X:{index}", f"T:{title}", f"M:{meter}", "L:1/8"]
    if bpm:
        head.append(f"Q:1/4={bpm:g}")
    head.append(f"K:{key_field(key)}")
    return "\n".join(head + lines) + "\n"


def save_abc(melody: Melody, path: str | os.PathLike, index: int = 1, bpm: float | None = BPM) -> Path:
    """Write the melody's ABC to path (UTF-8, as ABC 2.1 reads)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(abc_text(melody, index, bpm), encoding="utf-8")
    return path

