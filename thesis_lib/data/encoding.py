"""The thesis's 16th-note time series (§3.1): symbols, vocabularies, the training stream, windows.

Two schemes:
  * ``thesis`` — a note onset is its MIDI number (``"60"``), every further step is ``_``;
    a rest is ``r`` then ``_`` (the LSTM's 34-symbol scheme, §3.2);
  * ``per-pitch-hold`` — every pitch, and the rest, has its own hold (``_60``, ``_r``), the fix the
    thesis found against the GAN's collapse into ``_ _ _`` (§3.3).
Data stays as integer ids (``windows`` gathers them as int32 arrays, for any Keras backend); one-hot happens inside
the model.
"""

from __future__ import annotations

import functools
import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from ..core.config import DELIMITER, HOLD, REST, STEPS_PER_QUARTER
from ..core.errors import VocabularyError
from ..core.files import atomic_write_text

SCHEMES = ("thesis", "per-pitch-hold")
Event = tuple  # (int | None, int)


# --------------------------------------------------------------------------- events <-> symbols

def _check_scheme(scheme: str) -> None:
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {SCHEMES}, not {scheme!r}")


def hold_symbol(pitch: int | None, scheme: str) -> str:
    """The symbol for "still sounding": `_`, or `_60` / `_r` in the per-pitch-hold scheme."""
    if scheme == "thesis":
        return HOLD
    return HOLD + (REST if pitch is None else str(pitch))


def encode_events(events: Iterable[Event], scheme: str = "thesis") -> list[str]:
    """Events (pitch or None, steps) to symbols: `60 _ _ 62 _` (thesis) or `60 _60 _60 62 _62`."""
    _check_scheme(scheme)
    out: list[str] = []
    for pitch, steps in events:
        if steps < 1:
            raise ValueError(f"an event must last at least one step, got {steps}")
        out.append(REST if pitch is None else str(int(pitch)))
        out += [hold_symbol(pitch, scheme)] * (steps - 1)
    return out


def parse_symbol(sym: str) -> tuple[str, int | None]:
    """Classify one symbol: ('onset', pitch), ('rest', None), ('hold', pitch|None|-1) or ('delimiter', None).

    A plain `_` hold returns pitch -1 (meaning "whatever sounds"); `_r` returns None.
    """
    if sym == DELIMITER:
        return "delimiter", None
    if sym == REST:
        return "rest", None
    if sym == HOLD:
        return "hold", -1
    if sym.startswith(HOLD):
        body = sym[1:]
        if body == REST:
            return "hold", None
        if body.isdigit():
            return "hold", int(body)
    elif sym.isdigit() and 0 <= int(sym) <= 127:
        return "onset", int(sym)
    raise VocabularyError(f"not a symbol of either scheme: {sym!r}")


def decode_symbols(symbols: Iterable[str]) -> list[Event]:
    """Symbols of either scheme back to events; `/` is skipped.

    Leniency for generated sequences: a hold with nothing before it starts a rest, and a per-pitch
    hold of another pitch than the one sounding starts that pitch (see `count_repairs`).
    """
    events: list[list] = []
    for sym in symbols:
        kind, pitch = parse_symbol(sym)
        if kind == "delimiter":
            continue
        if kind in ("onset", "rest"):
            events.append([pitch, 1])
        elif events and (pitch == -1 or events[-1][0] == pitch):
            events[-1][1] += 1
        else:  # an orphan hold
            events.append([None if pitch == -1 else pitch, 1])
    return [tuple(e) for e in events]


def count_repairs(symbols: Sequence[str]) -> Counter:
    """How often `decode_symbols` had to bend a rule: orphan holds, holds of a different pitch."""
    repairs: Counter = Counter()
    current: int | None | str = "nothing"
    for sym in symbols:
        kind, pitch = parse_symbol(sym)
        if kind == "delimiter":
            continue
        if kind in ("onset", "rest"):
            current = pitch
        elif current == "nothing":
            repairs["hold with nothing before it"] += 1
            current = None if pitch == -1 else pitch
        elif pitch != -1 and pitch != current:
            repairs["hold of a different pitch"] += 1
            current = pitch
    return repairs


def start_banned(vocab: "Vocabulary") -> list[int]:
    """Ids a melody may not start with: `/` (it would end at once) and every hold (it would hold nothing)."""
    return [i for i, s in enumerate(vocab.symbols) if parse_symbol(s)[0] in ("delimiter", "hold")]


def check_primer(symbols: Sequence[str]) -> list[str]:
    """A primer's symbols, or VocabularyError with a one-line reason: no `/` inside a melody, and no hold before
    its first note or rest (it would hold nothing)."""
    for i, sym in enumerate(symbols):
        kind, _ = parse_symbol(sym)
        if kind == "delimiter":
            raise VocabularyError(f"primer: `/` at position {i + 1} marks the end of a melody; "
                                  "leave it out (the model starts from 64 `/` by itself)")
        if kind == "hold" and not any(parse_symbol(s)[0] in ("onset", "rest") for s in symbols[:i]):
            raise VocabularyError(f"primer: {sym!r} at position {i + 1} holds nothing: "
                                  "start with a note (e.g. 60) or a rest (r)")
    return list(symbols)


def until_delimiter(symbols: list[str]) -> list[str]:
    """A generated melody up to (without) its first `/`."""
    return symbols[:symbols.index(DELIMITER)] if DELIMITER in symbols else symbols


# --------------------------------------------------------------------------- vocabulary

def symbol_sort_key(sym: str) -> tuple:
    """Total, deterministic order: `/`, `_`, `r`, `_r`, then pitches ascending (each onset before its hold)."""
    specials = {DELIMITER: 0, HOLD: 1, REST: 2, HOLD + REST: 3}
    if sym in specials:
        return (specials[sym], 0, 0, "")
    try:
        kind, pitch = parse_symbol(sym)
    except VocabularyError:
        return (5, 0, 0, sym)
    return (4, pitch, 0 if kind == "onset" else 1, "")


@dataclass(frozen=True)
class Vocabulary:
    """Symbols in a fixed, sorted order; id = position. Saved as a JSON list of symbols in id order."""

    symbols: tuple[str, ...]

    def __post_init__(self):
        if len(set(self.symbols)) != len(self.symbols):
            raise VocabularyError("a vocabulary lists a symbol twice")
        object.__setattr__(self, "_index", {s: i for i, s in enumerate(self.symbols)})

    @classmethod
    def from_sequences(cls, sequences: Iterable[Iterable[str]], include_delimiter: bool = True) -> "Vocabulary":
        """Every symbol that occurs, sorted by `symbol_sort_key` (never a set's iteration order)."""
        seen = {DELIMITER} if include_delimiter else set()
        for seq in sequences:
            seen.update(seq)
        return cls(tuple(sorted(seen, key=symbol_sort_key)))

    def __len__(self) -> int:
        return len(self.symbols)

    def __contains__(self, sym: str) -> bool:
        return sym in self._index

    def id(self, sym: str) -> int:
        """Id of one symbol; VocabularyError names it when unknown."""
        try:
            return self._index[sym]
        except KeyError:
            raise VocabularyError(f"symbol {sym!r} is not in the vocabulary ({len(self)} symbols)") from None

    def encode(self, symbols: Iterable[str]) -> np.ndarray:
        """Symbols to an int32 id array."""
        return np.fromiter((self.id(s) for s in symbols), dtype=np.int32)

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Ids back to symbols."""
        return [self.symbols[int(i)] for i in ids]

    def save(self, path: str | os.PathLike) -> None:
        """Write the JSON list of symbols in id order (atomically)."""
        atomic_write_text(Path(path), json.dumps(list(self.symbols)) + "\n")

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Vocabulary":
        """Read a JSON list of symbols; VocabularyError names the file when it is not one."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise VocabularyError(f"{path}: cannot read vocabulary: {exc}") from None
        if not isinstance(data, list) or not all(isinstance(s, str) for s in data):
            raise VocabularyError(f"{path}: a vocabulary file must hold a JSON list of strings")
        return cls(tuple(data))


# --------------------------------------------------------------------------- stream and windows

@dataclass(frozen=True)
class TrainingStream:
    """All songs as one id array, `/`-blocks between them, plus which song each target position belongs to."""

    ids: np.ndarray       # int32, the whole stream
    owner: np.ndarray     # int32, song index owning position p as a prediction target (-1: none)
    sequence_length: int

    def window_starts(self, songs: np.ndarray | None = None) -> np.ndarray:
        """Start of every 64-step window (target = start + 64); only windows of `songs` when given."""
        starts = np.arange(len(self.ids) - self.sequence_length, dtype=np.int64)
        if songs is None:
            return starts
        keep = np.isin(self.owner[starts + self.sequence_length], np.asarray(songs))
        return starts[keep]

    @property
    def n_windows(self) -> int:
        """Number of 64-step windows with a next-symbol target (the thesis's "training samples")."""
        return max(0, len(self.ids) - self.sequence_length)


def build_stream(sequences: Sequence[Sequence[str]], vocab: Vocabulary, sequence_length: int,
                 separator_length: int) -> TrainingStream:
    """`/`×64, song 1, `/`×64, song 2, …, `/`×64 as ids (§3.2). With 64 `/` no window sees two songs.

    A target inside song k, or in the `/` block right after it, belongs to song k: a split by song
    then never lets one song contribute to both sides.
    """
    delim = vocab.id(DELIMITER)
    parts, owners = [np.full(separator_length, delim, np.int32)], [np.full(separator_length, -1, np.int32)]
    for k, seq in enumerate(sequences):
        ids = vocab.encode(seq)
        parts += [ids, np.full(separator_length, delim, np.int32)]
        owners.append(np.full(len(ids) + separator_length, k, np.int32))
    return TrainingStream(np.concatenate(parts), np.concatenate(owners), sequence_length)


def windows(stream: TrainingStream, starts: np.ndarray, every_step: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The windows that start at `starts` as int32 ids (N, 64), and their targets: the next symbol (N,) or, with
    every_step, the next symbol at every position (N, 64). Integers only (a few MB even for all 230,383
    windows); the one-hot happens inside the model, batch by batch, on whichever backend."""
    n = stream.sequence_length
    w = stream.ids[np.asarray(starts, np.int64)[:, None] + np.arange(n + 1)[None, :]]
    return w[:, :n], (w[:, 1:] if every_step else w[:, n])


# --------------------------------------------------------------------------- back to notation

@functools.cache
def bar_steps(meter: str | None) -> int:
    """16th steps in one bar of a meter string such as "6/8" (4/4 when None); worked out once per meter (the tune
    model's inputs ask it for every tune at every step)."""
    num, den = (meter or "4/4").split("/")
    steps = int(num) * 4 * STEPS_PER_QUARTER // int(den)
    if steps * int(den) != int(num) * 4 * STEPS_PER_QUARTER:
        raise ValueError(f"meter {meter!r} has no whole number of 16ths per bar")
    return steps
