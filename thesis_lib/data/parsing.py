"""One song parsed: music21 reads a tune, the checks reject what the time series cannot hold, the key is
taken from the file (or analysed) and the song is transposed to C major / A minor (thesis, ch. 2).

`process_tune` is the entry point; it never raises, so one bad song never stops a corpus run.
"""

from __future__ import annotations

import contextlib
import io
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from ..core.config import MAJOR_TARGET_MIDI, MINOR_TARGET_MIDI, STEPS_PER_QUARTER
from ..core.errors import SongRejected

TRANSPOSE_MODES = ("thesis", "nearest", "none")
FREE = "free"                  # what `abc_meter` returns for `M: none`: a free meter, no bars
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
    bars: tuple[int, ...] = ()    # the length of each of the file's bars in 16ths, as written (() when unknown)

    @property
    def steps(self) -> int:
        """Length of the song in 16th-note steps."""
        return sum(length for _, length in self.events)

    @property
    def regular(self) -> bool:
        """Whether the file bars the song in its meter throughout: a pickup (or none), full bars, a last bar that
        may be short. (Essen writes some phrase ends as bars of another length: a 2/4 bar in a 3/4 song.)"""
        if not self.meter or self.meter.count("/") != 1 or len(self.bars) < 2:
            return False
        num, den = self.meter.split("/")
        bar = int(num) * 16 // int(den)
        return all(b == bar for b in self.bars[1:-1]) and self.bars[0] in (bar, self.pickup) and self.bars[-1] <= bar

    @property
    def pitches(self) -> list[int]:
        """MIDI pitches of the notes (after transposition), in order."""
        return [p for p, _ in self.events if p is not None]


@dataclass(frozen=True)
class Skip:
    """A song (or file) that was not kept, and why."""

    source: str
    reason: str


@dataclass(frozen=True)
class Tune:
    """One unit of parsing work: a file, or one tune of a multi-tune ABC file."""

    source: str
    path: str
    fmt: str
    text: str | None = None       # ABC tune text (other formats are read from path)


def read_text(path: Path) -> str:
    """Read a text score; Essen ABC is Latin-1, most others UTF-8."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")



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


def bar_lengths(score) -> tuple[int, ...]:
    """The length of each bar of a score's first sounding part as written, in 16ths (() when it has no bars or a
    bar is not a whole number of 16ths)."""
    from music21 import stream

    parts = list(score.parts) if isinstance(score, stream.Score) else [score]
    part = next((p for p in parts if p.recurse().notes), None)
    try:
        return tuple(_steps(m.duration.quarterLength, "a bar") for m in part.getElementsByClass(stream.Measure))
    except (SongRejected, AttributeError):
        return ()


def extract_events(score, stated: str | None = None) -> tuple[list[Event], str | None, int]:
    """Events, meter and pickup of a monophonic score; raises SongRejected with the reason.

    `stated`: the meter the file's header states (an ABC `M:` line). It is then the meter, and the pickup is
    measured against its bar: music21 gives an ABC pickup bar and short phrase-end bars time signatures of
    their own, so the time signature it keeps longest can be another one (1/8 for a 3/4 song)."""
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
    # one voice: a tie joins a note to the next one. Matching by pitch would stop at a tied note that lost the
    # explicit natural its first note carries (A♭ A♮~A), as scores write it (ours: notation.show_accidentals)
    part = part.stripTies(inPlace=False, matchByPitch=False)
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
    meter = stated or (ts.ratioString if ts is not None else None)
    pickup = 0
    measures = part.getElementsByClass(stream.Measure)
    if stated is not None:  # "n/d" with whole numbers (see abc_meter)
        num, den = stated.split("/")
        bar_length = Fraction(4 * int(num), int(den))
    else:  # music21's own, which may be additive ("3+2/8")
        bar_length = ts.barDuration.quarterLength if ts is not None else None
    if bar_length is not None and measures:
        first = measures[0]
        bar = _steps(bar_length, "a bar")
        have = _steps(first.duration.quarterLength, "a bar")
        if 0 < have < bar and len(measures) > 1:
            pickup = have
    return [tuple(e) for e in events], meter, pickup


def abc_meter(text: str) -> str | None:
    """The meter an ABC header's ``M:`` states ("3/4"; "4/4" for C, "2/2" for C|), FREE for ``M: none``, and
    None when there is no ``M:`` line (music21's own time signatures then decide)."""
    m = re.search(r"(?m)^M:\s*(\S*)", text)
    if not m:
        return None
    field_ = m.group(1)
    frac = re.search(r"(\d+)/(\d+)", field_)
    return f"{frac.group(1)}/{frac.group(2)}" if frac else {"C": "4/4", "C|": "2/2"}.get(field_, FREE)


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
        text = read_text(Path(tune.path))
    out: list[Song | Skip] = []
    for i, sc in enumerate(scores, 1):
        source = tune.source if len(scores) == 1 else f"{tune.source}#{i}"
        try:
            header = abc_meter(text) if tune.fmt == "abc" and text is not None else None
            events, meter, pickup = extract_events(sc, None if header == FREE else header)
            if header == FREE:  # free meter: no bars to count a pickup in
                meter, pickup = None, 0
            if tune.fmt == "midi":  # MIDI has no rests: music21 pads the last bar with one
                while events and events[-1][0] is None:
                    events.pop()
            tonic, mode, how = choose_key(sc, *stated_key(tune, text, sc))
            shift = transposition(tonic, mode, transpose)
            title = (sc.metadata.title if sc.metadata and sc.metadata.title else "") or ""
            moved = tuple((None if p is None else p + shift, n) for p, n in events)
            out.append(Song(source, title.strip(), meter, tonic, mode, how, shift, pickup, moved, bar_lengths(sc)))
        except SongRejected as exc:
            out.append(Skip(source, exc.reason))
        except Exception as exc:  # one odd song must never stop a corpus run
            out.append(Skip(source, f"cannot read: {type(exc).__name__}: {exc}"[:300]))
    return out


def process_chunk(args: tuple[list[Tune], str]) -> list[Song | Skip]:
    """Worker entry point: a chunk of tunes (fewer round trips than one tune per task)."""
    tunes, transpose = args
    return [r for t in tunes for r in process_tune(t, transpose)]
