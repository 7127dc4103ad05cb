"""A melody as one value (as note-seq carries a `Melody`): its symbols, where it came from, and what its score needs,
made once where it is born (a model's output in `sources`, a song of the corpus, a file read back) and carried
whole to the files, the metrics, the survey and the panel.

What takes work is worked out at most once, and only when something asks for it: the events (`decode_symbols`),
the meter and pickup (stated at birth, else read from the notes by `data.meter`), the mode (stated, else
`theory.melody_mode`) and the decoding repairs. Writing a melody's symbols needs none of them.

Order of use: `Melody(symbols, Origin(...))`, `Melody.from_events(...)` or `Melody.from_song(song)`; then read
`.events`, `.meter`, `.pickup`, `.mode`, `.written_key`; `.in_key("D")` moves it to another key.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import Sequence

from ..core.config import DELIMITER
from .encoding import Event, count_repairs, decode_symbols, encode_events

# what a Melody works out lazily and keeps: cached_property writes these into the instance's __dict__
_DERIVED = ("events", "repairs", "barring", "mode")


@dataclass(frozen=True)
class Origin:
    """Where a melody came from: the source (`lstm`, `gan`, `ngram`, `random`, `real`, `corpus`, `file`), the
    weights file (None: the shipped one, or none), the temperature and seed it was drawn with, its place in its
    batch (from 1), and for a song or a file its source (`path#N`)."""

    source: str
    weights: str | None = None
    temperature: float | None = None
    seed: int | None = None
    index: int | None = None
    path: str | None = None


@dataclass(frozen=True)
class Melody:
    """One melody: symbols (no `/`), origin and title, plus the meter, pickup and mode it was born in when its
    maker knows them (a song's file; a model that bars its own tunes). What is not stated is read from the notes
    the first time it is asked for, and kept."""

    symbols: tuple[str, ...]
    origin: Origin = Origin("unknown")
    title: str = ""
    stated_meter: str | None = None
    stated_pickup: int | None = None
    stated_mode: str | None = None
    key: str | None = None      # the key it is written in (a music21 name, `D major`); None: C major / A minor
    home: "Melody | None" = field(default=None, repr=False, compare=False)  # the C-major / A-minor melody it was
    # moved from (`in_key`): its notes are the ones read for the meter, as the meter model was fitted on them

    def __post_init__(self):
        symbols = tuple(s for s in self.symbols if s != DELIMITER)
        object.__setattr__(self, "symbols", symbols)
        if self.stated_mode not in (None, "major", "minor"):
            raise ValueError(f"mode {self.stated_mode!r}: major or minor")

    # ---------------------------------------------------------------- birth

    @classmethod
    def from_events(cls, events: Sequence[Event], origin: Origin = Origin("unknown"), *, scheme: str = "thesis",
                    **fields) -> "Melody":
        """A melody of known events (a song, a file read back): its symbols are encoded once, its events kept."""
        events = tuple((p, int(n)) for p, n in events)
        melody = cls(tuple(encode_events(events, scheme)), origin, **fields)
        melody.__dict__["events"] = events
        return melody

    @classmethod
    def from_song(cls, song) -> "Melody":
        """A corpus song (`data.parsing.Song`) with the meter, pickup and mode its file states (its key analysed
        when the file gives only the tonic); a song without a meter is read like a generated melody."""
        meter = song.meter if song.meter and song.meter.count("/") == 1 else None
        return cls.from_events(song.events, Origin("corpus", path=song.source), title=song.title,
                               stated_meter=meter, stated_pickup=song.pickup if meter else None,
                               stated_mode=song.mode)

    def replace(self, **changes) -> "Melody":
        """A copy with some fields changed; what was worked out already is kept when the notes, meter and mode
        stay the same (a new title or origin)."""
        new = dataclasses.replace(self, **changes)
        if not changes.keys() & {"symbols", "stated_meter", "stated_pickup", "stated_mode"}:
            new.__dict__.update({k: self.__dict__[k] for k in _DERIVED if k in self.__dict__})
        return new

    # ---------------------------------------------------------------- worked out once, when asked

    @cached_property
    def events(self) -> tuple[Event, ...]:
        """(pitch or None, steps) events (`decode_symbols`, lenient with what a generator writes)."""
        return tuple(decode_symbols(self.symbols))

    @cached_property
    def repairs(self) -> Counter:
        """How often decoding had to bend a rule (`count_repairs`): holds of nothing or of another pitch."""
        return count_repairs(self.symbols)

    @cached_property
    def barring(self) -> tuple[str, int]:
        """(meter, pickup in 16ths): as stated at birth, else read from the notes (`data.meter`, in the stated
        meter if only that is known)."""
        if self.stated_meter is not None and self.stated_pickup is not None:
            return self.stated_meter, self.stated_pickup
        if self.home is not None:
            return self.home.barring
        from . import meter

        return meter.infer(self.events, self.stated_meter)

    @property
    def meter(self) -> str:
        """The meter its score is barred in."""
        return self.barring[0]

    @property
    def pickup(self) -> int:
        """16th steps before its first bar line (0: it starts on beat 1)."""
        return self.barring[1]

    @cached_property
    def mode(self) -> str:
        """`major` or `minor`: as stated at birth, else analysed (`theory.melody_mode`)."""
        if self.stated_mode is not None:
            return self.stated_mode
        from .theory import melody_mode

        return melody_mode(self.events)

    @property
    def worked_out(self) -> frozenset[str]:
        """Which of events, repairs, barring and mode have been worked out (and kept) so far."""
        return frozenset(k for k in _DERIVED if k in self.__dict__)

    # ---------------------------------------------------------------- plain facts

    @property
    def steps(self) -> int:
        """Length in 16th steps."""
        return len(self.symbols)

    @property
    def is_empty(self) -> bool:
        """No symbol at all (a model that ended the melody at once)."""
        return not self.symbols

    @property
    def scheme(self) -> str:
        """`per-pitch-hold` when a hold names its pitch (`_60`, `_r`), else `thesis`."""
        return "per-pitch-hold" if any(s.startswith("_") and len(s) > 1 for s in self.symbols) else "thesis"

    @property
    def written_key(self) -> str:
        """The key of its score, a music21 name: the key it was moved to, else C major or A minor by its mode."""
        return self.key or ("C major" if self.mode == "major" else "a minor")

    def in_key(self, key: str) -> "Melody":
        """The melody moved from C major / A minor to `key` (`theory.transpose_to_key`: the nearest way; a major
        melody asked for in a minor key goes to its relative major). Its meter and pickup do not change."""
        from .theory import transpose_to_key

        events, written = transpose_to_key(self.events, key, self.mode)
        return Melody.from_events(events, self.origin, scheme=self.scheme, title=self.title,
                                  stated_meter=self.stated_meter, stated_pickup=self.stated_pickup,
                                  stated_mode=self.mode, key=written, home=self.home or self)
