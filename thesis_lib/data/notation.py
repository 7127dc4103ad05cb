"""Scores a musician accepts: events → a music21 Score with a clef, the key signature, pitches spelled in the
key, the meter and pickup, rests merged, ties across bar lines; then MusicXML and SVG (verovio).

Order of use: `to_score(events, meter, pickup, key=…)` for events whose meter is known, or `melody_score(melody)`
for a `data.melody.Melody` (which knows its meter, pickup and key); `notation_svg` / `save_svg` engrave either.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from ..core.config import BPM, STEPS_PER_QUARTER
from .encoding import Event, bar_steps

if TYPE_CHECKING:  # a type only: melody.py uses this module (through theory), so no import at run time
    from .melody import Melody

# How each semitone above the tonic is spelled, as an interval from it: the diatonic degrees of the key, the
# raised 6th and 7th in minor (F♯ and G♯ in A minor), the raised 4th (F♯ in C major), lowered 3rd, 6th, 7th.
SPELLING = ("P1", "m2", "M2", "m3", "M3", "P4", "A4", "P5", "m6", "M6", "m7", "M7")
MAJOR_TONICS = ("C", "D-", "D", "E-", "E", "F", "F#", "G", "A-", "A", "B-", "B")  # fewest accidentals
MINOR_TONICS = ("C", "C#", "D", "E-", "E", "F", "F#", "G", "G#", "A", "B-", "B")


def key_for(tonic_pc: int, mode: str) -> str:
    """The music21 key name (`B- major`, `f# minor`) for a tonic pitch class and mode, in its usual spelling."""
    if mode == "minor":
        return f"{MINOR_TONICS[tonic_pc % 12].lower()} minor"
    return f"{MAJOR_TONICS[tonic_pc % 12]} major"


def display_key(name: str) -> str:
    """A key as a reader writes it: `b- major` / `B- major` → `B♭ major`, `a minor` → `A minor`."""
    tonic, mode = name.split()
    tonic = tonic[0].upper() + tonic[1:].replace("-", "♭").replace("#", "♯")
    return f"{tonic} {mode}"


def spell(midi: int, key_name: str):
    """A music21 Pitch for a MIDI number, spelled in the key (G♯ in A minor, never A♭; F♯ in D major)."""
    from music21 import key as m21key
    from music21 import pitch as m21pitch

    k = m21key.Key(*_key_args(key_name))
    tonic = k.tonic
    degree = (midi - tonic.pitchClass) % 12
    p = m21pitch.Pitch(tonic.name)
    p.octave = 4
    p = p.transpose(SPELLING[degree])
    p.octave += (midi - p.midi) // 12
    if p.midi != midi:  # cannot happen for the table above; a guard, not a repair
        raise ValueError(f"spelling {midi} in {key_name} gave {p.nameWithOctave}")
    if p.accidental is not None and p.accidental.alter == 0:
        p.accidental = None
    if p.accidental is None and k.accidentalByStep(p.step) is not None:
        from music21 import pitch as m21pitch

        p.accidental = m21pitch.Accidental("natural")  # E natural in B-flat major: a natural is part of its name
    return p


def _key_args(name: str) -> tuple[str, str]:
    """'B- major' → ('B-', 'major'); 'a minor' → ('a', 'minor') (music21's Key arguments)."""
    tonic, mode = name.split()
    return (tonic.lower() if mode == "minor" else tonic[0].upper() + tonic[1:]), mode


def choose_clef(events: Sequence[Event]):
    """Treble clef, or bass when most notes lie below middle C (MIDI 60)."""
    from music21 import clef

    pitches = [p for p, _ in events if p is not None]
    low = sum(p < 60 for p in pitches)
    return clef.BassClef() if pitches and low > len(pitches) / 2 else clef.TrebleClef()


def merge_rests(events: Sequence[Event]) -> list[Event]:
    """Consecutive rests as one rest of their summed length (`r r r r` of a GAN sample → one rest)."""
    out: list[list] = []
    for pitch, steps in events:
        if pitch is None and out and out[-1][0] is None:
            out[-1][1] += steps
        else:
            out.append([pitch, steps])
    return [tuple(e) for e in out]


def split_into_bars(events: Sequence[Event], bar: int, pickup: int = 0, unit: int | None = None,
                    notes: tuple[int, int, bool] | None = None) -> list[list[tuple]]:
    """Cut events at bar lines: bars of (pitch, steps, tie) with tie in None/'start'/'continue'/'stop'.

    A rest that crosses a bar line becomes one rest per bar (rests are never tied). With `unit` (see
    `rest_unit`), a rest is also cut where it crosses a multiple of `unit` steps into its bar, so that it shows
    the beat, unless it fills its whole bar. With `notes` = (span, beat, whole) (see `note_rule`), a note that
    crosses a multiple of `span` is cut there into tied notes, unless it starts on a multiple of `beat` and,
    when `whole`, lasts whole spans.
    """
    bars: list[list[tuple]] = []
    current: list[tuple] = []
    room = pickup if 0 < pickup < bar else bar
    for pitch, steps in events:
        left, first = steps, True
        while left > 0:
            take = min(left, room)
            at = bar - room  # steps into the bar (a pickup bar starts late)
            if pitch is None and unit and not (room == bar and take == bar):
                take = min(take, (at // unit + 1) * unit - at)
            elif pitch is not None and notes:
                span, beat, whole = notes
                if not (at % beat == 0 and (not whole or take % span == 0)):
                    take = min(take, (at // span + 1) * span - at)
            if take == steps or pitch is None:
                tie = None
            else:
                tie = "start" if first else ("stop" if take == left else "continue")
            current.append((pitch, take, tie))
            left, room, first = left - take, room - take, False
            if room == 0:
                bars.append(current)
                current, room = [], bar
    if current:
        bars.append(current)
    return bars


def _beat(meter: str) -> tuple[int, bool, bool]:
    """A meter's beat in 16ths, whether it is compound (6/8, 9/8, 12/8, 6/4: a dotted beat), and whether 4/4."""
    num, den = (int(x) for x in meter.split("/"))
    beat = 16 // den if 16 % den == 0 else 1
    compound = num % 3 == 0 and num > 3
    return (3 * beat if compound else beat), compound, (num, den) == (4, 4)


def rest_unit(meter: str) -> int:
    """The span, in 16ths, that a rest may not cross inside a bar, so that rests show the beat: a dotted
    quarter in 6/8, 9/8 and 12/8 (a dotted half in 6/4), half the bar in 4/4, one beat in other meters (in 3/4
    a rest of two beats is two quarter rests). A rest that fills its whole bar stays one whole-bar rest."""
    beat, _, common = _beat(meter)
    return 8 if common else beat


def note_rule(meter: str) -> tuple[int, int, bool] | None:
    """Where a note must be cut into tied notes so that it shows the beat (`split_into_bars`'s `notes`): in
    6/8, 9/8, 12/8 (and 6/4) at every dotted-quarter beat (dotted half), unless it starts on one and lasts
    whole beats; in 4/4 at the middle of the bar, unless it starts on a beat (q h q stays). None in 2/4, 3/4
    and other simple meters, whose syncopations (8 4 8) are written as they sound."""
    beat, compound, common = _beat(meter)
    if compound:
        return beat, beat, True
    return (8, 4, False) if common else None


def to_score(events: Sequence[Event], meter: str | None = None, pickup: int = 0, title: str | None = None,
             key: str = "C major", bpm: float | None = None):
    """Events to a music21 Score: clef, key signature (with its mode), pitches spelled in the key, the meter
    (4/4 when None or not a simple fraction) and pickup bar, merged rests cut only where they would hide the
    beat (`rest_unit`), notes tied where they would (`note_rule`), ties across bar lines, and a tempo
    mark when `bpm` is given. `key` is a music21 key name such as `C major`, `a minor`, `B- major`."""
    from music21 import key as m21key
    from music21 import metadata, note, stream, tempo, tie
    from music21 import meter as m21meter

    ts_text = meter if meter and meter.count("/") == 1 else "4/4"
    try:
        bar = bar_steps(ts_text)
    except ValueError:
        ts_text, bar = "4/4", 16
    events = merge_rests(events)
    for p, _ in events:
        if p is not None and not 0 <= p <= 127:
            raise ValueError(f"pitch {p} is outside MIDI's 0..127")
    part = stream.Part()
    bars = split_into_bars(events, bar, pickup, rest_unit(ts_text), note_rule(ts_text))
    for i, content in enumerate(bars):
        m = stream.Measure(number=i if 0 < pickup < bar else i + 1)
        if i == 0:
            m.insert(0, choose_clef(events))
            m.insert(0, m21key.Key(*_key_args(key)))
            m.insert(0, m21meter.TimeSignature(ts_text))
            if bpm:
                m.insert(0, tempo.MetronomeMark(number=bpm))
            if 0 < pickup < bar:  # an anacrusis: short, number 0, not counted (MusicXML implicit="yes")
                m.paddingLeft = (bar - pickup) / STEPS_PER_QUARTER
                m.showNumber = stream.enums.ShowNumber.NEVER
        for pitch, steps, tie_type in content:
            ql = steps / STEPS_PER_QUARTER
            if pitch is None:
                el = note.Rest(quarterLength=ql)
            else:
                el = note.Note(spell(pitch, key), quarterLength=ql)
                if tie_type:
                    el.tie = tie.Tie(tie_type)
            m.append(el)
        part.append(m)
    show_accidentals(part)
    score = stream.Score([part])
    score.metadata = metadata.Metadata(title=title or "")
    return score


def show_accidentals(part) -> None:
    """Print an accidental exactly where the key signature and the bar do not give the pitch: a note shows
    one when its alteration differs from the key signature's for its step, or from an earlier note of the same
    step and octave in its bar; a note tied from before keeps its pitch without one. (music21's own
    `makeAccidentals` also prints courtesy accidentals in the next bar and in other octaves.)"""
    from music21 import key as m21key
    from music21 import pitch as m21pitch
    from music21 import stream

    signature = part.recurse().getElementsByClass(m21key.KeySignature).first()
    for m in part.getElementsByClass(stream.Measure):
        bar: dict = {}   # (step, octave) -> the alteration an earlier note of this bar set
        for n in m.notes:
            p = n.pitch
            alter = p.accidental.alter if p.accidental is not None else 0
            if n.tie is not None and n.tie.type in ("stop", "continue"):
                if p.accidental is not None:
                    p.accidental.displayStatus = False
                continue
            given = signature.accidentalByStep(p.step) if signature is not None else None
            expected = bar.get((p.step, p.octave), given.alter if given is not None else 0)
            if alter != expected and p.accidental is None:
                p.accidental = m21pitch.Accidental("natural")
            if p.accidental is not None:
                p.accidental.displayStatus = alter != expected
            bar[(p.step, p.octave)] = alter


def melody_score(melody: "Melody", *, bpm: float | None = BPM):
    """A `data.melody.Melody` as a Score: barred in its meter and pickup, in its written key, with its title and a
    tempo mark."""
    return to_score(melody.events, melody.meter, melody.pickup, melody.title, melody.written_key, bpm)


def symbols_to_score(symbols: Sequence[str], meter: str | None = None, pickup: int = 0, title: str | None = None,
                     key: str = "C major"):
    """Symbols of either scheme straight to a music21 Score."""
    from .encoding import decode_symbols

    return to_score(decode_symbols(symbols), meter, pickup, title, key)


# --------------------------------------------------------------------------- MusicXML and SVG

def musicxml_string(score) -> str:
    """A Score as MusicXML text (verovio's input)."""
    from music21.musicxml.m21ToXml import GeneralObjectExporter

    return GeneralObjectExporter(score).parse().decode("utf-8")


def notation_svg(score, width: int = 2000, scale: int = 40) -> str:
    """Engrave a Score to one SVG page with verovio (a tall page: a folk song fits on it)."""
    import verovio

    tk = verovio.toolkit()
    tk.setOptions({"pageWidth": width, "scale": scale, "pageHeight": 60000, "adjustPageHeight": True,
                   "header": "auto", "footer": "none", "breaks": "auto"})
    if not tk.loadData(musicxml_string(score)):
        raise ValueError("verovio could not read the MusicXML it was given")
    return tk.renderToSVG(1)


def save_svg(score, path: str | os.PathLike, **kw) -> Path:
    """Engrave a Score and save the SVG to path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(notation_svg(score, **kw), encoding="utf-8")
    return path
