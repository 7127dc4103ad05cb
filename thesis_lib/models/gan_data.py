"""The GAN's data (§3.3): 64-step windows inside songs as 64 × 64 one-hot "images", in the per-pitch-hold
scheme folded to 64 columns, or the single-hold scheme padded to 64.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..core.config import DELIMITER, HOLD, REST
from ..data.encoding import Vocabulary, parse_symbol, symbol_sort_key

IMAGE = 64  # Tables 2-3: 64 steps x 64 symbols


def image(ids, depth: int):
    """Integer windows (batch, 64) → one-hot images (batch, 64, V, 1), per batch, on the backend's tensors."""
    from ..core.backend import ops

    return ops.expand_dims(ops.one_hot(ops.cast(ids, "int32"), depth), -1)


@dataclass(frozen=True)
class Folding:
    """How a per-pitch vocabulary is made to fit the 64 columns of Tables 2-3.

    Rare pitches move by octaves onto a kept pitch of the same pitch class; `moved_steps` says what it costs.
    """

    kept: tuple[int, ...]
    moves: dict            # pitch -> kept pitch
    moved_steps: int       # song steps whose pitch was moved
    total_steps: int


def choose_folding(sequences: Sequence[Sequence[str]], columns: int = IMAGE) -> Folding:
    """Keep the commonest pitches so that 2 × pitches + 2 (`r`, `_r`) fit `columns`; fold the rest by octave."""
    weight: Counter = Counter()
    for seq in sequences:
        for sym in seq:
            kind, pitch = parse_symbol(sym)
            if kind in ("onset", "hold") and pitch not in (None, -1):
                weight[pitch] += 1
    room = (columns - 2) // 2
    kept = sorted(p for p, _ in weight.most_common(room))
    moves = {}
    for p in weight:
        if p in kept:
            continue
        same_class = [k for k in kept if k % 12 == p % 12]
        if not same_class:
            raise ValueError(f"pitch {p} has no kept pitch of its pitch class to fold onto")
        moves[p] = min(same_class, key=lambda k: abs(k - p))
    moved = sum(weight[p] for p in moves)
    return Folding(tuple(kept), moves, moved, sum(weight.values()))


def fold(symbols: Sequence[str], folding: Folding) -> list[str]:
    """Apply a folding to per-pitch-hold symbols (`70` -> `58`, `_70` -> `_58`)."""
    out = []
    for sym in symbols:
        kind, pitch = parse_symbol(sym)
        if pitch in folding.moves:
            p = folding.moves[pitch]
            sym = str(p) if kind == "onset" else f"{HOLD}{p}"
        out.append(sym)
    return out


def single_hold_vocabulary(sequences: Sequence[Sequence[str]]) -> Vocabulary:
    """The thesis's first attempt: the single-hold symbols without `/`, padded by the model to 64 columns."""
    vocab = Vocabulary.from_sequences(sequences, include_delimiter=False)
    if len(vocab) > IMAGE:
        raise ValueError(f"{len(vocab)} single-hold symbols do not fit {IMAGE} columns")
    return vocab


def gan_vocabulary(folding: Folding) -> Vocabulary:
    """`r`, `_r`, then each kept pitch and its hold: 2 × 31 + 2 = 64 symbols when 31 pitches are kept."""
    syms = [REST, HOLD + REST] + [s for p in folding.kept for s in (str(p), f"{HOLD}{p}")]
    return Vocabulary(tuple(sorted(syms, key=symbol_sort_key)))


def song_windows(sequences: Sequence[Sequence[str]], vocab: Vocabulary, length: int = IMAGE,
                 stride: int = 1) -> np.ndarray:
    """(N, 64) int32 ids of every 64-step window that lies inside one song (no `/`: a GAN sample is an excerpt)."""
    rows = []
    for seq in sequences:
        ids = vocab.encode([s for s in seq if s != DELIMITER])
        for start in range(0, len(ids) - length + 1, stride):
            rows.append(ids[start:start + length])
    return np.array(rows, np.int32).reshape(-1, length)


@dataclass
class GanData:
    """Windows of one scheme as integer rows, the vocabulary (≤ 64 columns) and, per pitch, the folding."""

    scheme: str
    vocab: Vocabulary
    windows: np.ndarray
    folding: Folding | None = None

    def summary(self) -> dict:
        out = {"scheme": self.scheme, "symbols": len(self.vocab), "columns": IMAGE, "windows": len(self.windows)}
        if self.folding:
            out.update({"pitches kept": len(self.folding.kept), "pitches folded": len(self.folding.moves),
                        "song steps moved by folding": self.folding.moved_steps,
                        "share of steps moved": self.folding.moved_steps / max(1, self.folding.total_steps)})
        return out


def prepare_data(events_per_song: Sequence[Sequence[tuple]], scheme: str = "per-pitch-hold",
                 stride: int = 1) -> GanData:
    """Songs (events) → 64-step windows inside songs, in the per-pitch (folded to 64) or single-hold scheme."""
    from ..data.encoding import encode_events

    seqs = [encode_events(ev, scheme) for ev in events_per_song]
    if scheme == "per-pitch-hold":
        folding = choose_folding(seqs)
        seqs = [fold(s, folding) for s in seqs]
        vocab = gan_vocabulary(folding)
    else:
        folding, vocab = None, single_hold_vocabulary(seqs)
    return GanData(scheme, vocab, song_windows(seqs, vocab, IMAGE, stride), folding)
