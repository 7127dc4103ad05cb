"""The whole-tune model's data (beyond the thesis, 07_tunes): every ballad whose file bars it regularly in a meter
the model knows, as a whole tune with its meter, mode and pickup, and the inputs that tell the model where it is.

A tune is its 16th-note symbols (the thesis's scheme) followed by `/`, its end. For every step the model sees:
  * the symbol before it (`/` before the first),
  * the tune's meter and mode (folk-rnn conditions on its `M:` and `K:` tokens; here they are inputs at every step),
  * where the step falls in its bar and which bar it is (Magenta's lookback RNN feeds binary counters of the
    metric position; here the position in the bar one-hot, and the bar number's three lowest bits),
  * what sounded at this point of the bar one and two bars earlier, and whether the step before repeated the
    step a bar (two bars) before it (the lookback RNN's lookback inputs; the `phrase` arm also looks 4 and 8
    bars back, where folk tunes repeat their phrases).
`features` computes them from a tune's history, the same for training and for generation.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..core.config import DELIMITER, REST
from ..data.encoding import Vocabulary, bar_steps, encode_events

METERS = ("2/4", "3/4", "4/4", "6/8", "6/4", "3/8", "3/2")   # every meter with 15 or more regularly barred ballads
FOLDED = {"2/2": "4/4", "4/8": "2/4"}  # the same bars (16, 8 sixteenths): 2/2 ballads train as 4/4, 4/8 as 2/4
MODES = ("major", "minor")
MAX_BAR = 24                 # 16ths in the longest bar (6/4, 3/2)
BAR_BITS = 3                 # the bar number's lowest bits (bars 1-8 of a phrase), plus a flag for the pickup bar
LOOKBACK = {"plain": (), "position": (), "lookback": (1, 2), "phrase": (1, 2, 4, 8), "copy": (1, 2, 4, 8),
            "copy8": (1, 2, 3, 4, 5, 6, 7, 8), "attention": ()}
ARMS = tuple(LOOKBACK)
COPYING = ("copy", "copy8")  # the arms whose output may copy a lookback symbol (`tunes.copy_head`)


@dataclass(frozen=True)
class Tune:
    """One training tune: symbols (no `/`), its meter (one of METERS), mode, pickup in 16ths and source."""

    symbols: tuple[str, ...]
    meter: str
    mode: str
    pickup: int
    source: str = ""

    @property
    def bar(self) -> int:
        """16ths in one bar of its meter."""
        return bar_steps(self.meter)


def tunes_of(songs: Sequence) -> tuple[list[Tune], Counter]:
    """The songs (`data.parsing.Song`) the model trains on: a meter it knows (2/2 read as 4/4) and bars that are
    regular in it (`Song.regular`: Essen writes some phrase ends as bars of another length, which one meter
    cannot write, and the model writes regular bars). Returns the tunes and, per reason, how many were left out."""
    kept, left = [], Counter()
    for s in songs:
        meter = FOLDED.get(s.meter, s.meter)
        if meter not in METERS:
            left["no meter" if not s.meter else f"meter {s.meter}"] += 1
        elif not s.regular:
            left[f"bars of another length inside ({s.meter})"] += 1
        else:
            kept.append(Tune(tuple(encode_events(s.events)), meter, s.mode, s.pickup if s.pickup < bar_steps(meter)
                             else 0, s.source))
    return kept, left


# C major's notes onto A Aeolian's, degree for degree (C→A, D→B, E→C, F→D, G→E, A→F, B→G): semitones to move each
# pitch class, so the tune keeps its contour and its white keys and ends on A where it ended on C
AEOLIAN_SHIFT = {0: -3, 2: -3, 4: -4, 5: -3, 7: -3, 9: -4, 11: -4}


def aeolian(tune: Tune, vocab: Vocabulary) -> Tune | None:
    """A major tune moved degree for degree into A Aeolian (natural minor), as a minor tune: more minor material for
    the model to learn from (a sixth of the training ballads are minor). None for a tune that is not major, does not
    end on C (a major ballad ending on E would become a minor tune ending on C, and 123 of the 126 minor training
    ballads end on A), has a note outside C major, or would need a pitch outside `vocab`."""
    notes = [sym for sym in tune.symbols if sym.isdigit()]
    if tune.mode != "major" or not notes or int(notes[-1]) % 12 != 0:
        return None
    out = []
    for sym in tune.symbols:
        if sym.isdigit():
            pitch = int(sym)
            shift = AEOLIAN_SHIFT.get(pitch % 12)
            if shift is None or str(pitch + shift) not in vocab:
                return None
            sym = str(pitch + shift)
        out.append(sym)
    return Tune(tuple(out), tune.meter, "minor", tune.pickup, f"{tune.source} (Aeolian)")


def vocabulary(tunes: Sequence[Tune]) -> Vocabulary:
    """Every symbol of the tunes and `/` (start and end), sorted."""
    return Vocabulary.from_sequences(t.symbols for t in tunes)


# --------------------------------------------------------------------------- what the model sees at each step

@dataclass
class Inputs:
    """The model's inputs for a batch of tunes of T steps (numpy; `as_dict` gives them to Keras)."""

    previous: np.ndarray     # (B, T) int32: the symbol before each step
    lookback: np.ndarray     # (B, T, K) int32: the symbol j bars earlier at this point of the bar (V: none)
    repeats: np.ndarray      # (B, T, K) float32: the step before repeated the one j bars before it
    position: np.ndarray     # (B, T, MAX_BAR) float32: one-hot position in the bar
    bars: np.ndarray         # (B, T, BAR_BITS + 1) float32: the bar number's low bits, and "in the pickup"
    style: np.ndarray        # (B, T, len(METERS) + len(MODES)) float32: the meter and the mode

    def as_dict(self, arm: str) -> dict:
        """The inputs an arm of the ablation takes."""
        out = {"previous": self.previous, "style": self.style}
        if arm != "plain":
            out.update(position=self.position, bars=self.bars)
        if LOOKBACK[arm]:
            out.update(lookback=self.lookback, repeats=self.repeats)
        return out


def style_vector(meter: str, mode: str) -> np.ndarray:
    """One-hot meter and mode."""
    v = np.zeros(len(METERS) + len(MODES), np.float32)
    v[METERS.index(meter)] = 1
    v[len(METERS) + MODES.index(mode)] = 1
    return v


@functools.cache
def _style(meter: str, mode: str) -> np.ndarray:
    return style_vector(meter, mode)


def features(history: np.ndarray, steps: np.ndarray, meters: Sequence[str], modes: Sequence[str],
             pickups: Sequence[int], lookback: Sequence[int], none_id: int, start_id: int) -> Inputs:
    """The inputs at steps `steps` (T,) of B tunes whose symbols so far are `history` (B, >= max step) ids:
    step i is predicted from history[:, :i]. Bar positions come from each tune's meter and pickup."""
    b, t = history.shape[0], len(steps)
    bar = np.array([bar_steps(m) for m in meters])[:, None]
    offset = (bar - np.asarray(pickups)[:, None]) % bar          # where step 0 falls in its bar
    at = np.asarray(steps)[None, :] + offset                    # (B, T) steps from the first bar line's bar start
    position = np.zeros((b, t, MAX_BAR), np.float32)
    np.put_along_axis(position, (at % bar)[..., None], 1.0, axis=2)
    number = at // bar - (np.asarray(pickups)[:, None] > 0)      # -1 in the pickup bar, 0 in the first full bar
    bars = np.zeros((b, t, BAR_BITS + 1), np.float32)
    for k in range(BAR_BITS):
        bars[..., k] = (np.maximum(number, 0) >> k) & 1
    bars[..., BAR_BITS] = number < 0
    rows = np.arange(b)[:, None]
    idx = np.asarray(steps)[None, :] - 1
    previous = np.where(idx >= 0, history[rows, np.maximum(idx, 0)], start_id).astype(np.int32)
    look = np.full((b, t, len(lookback)), none_id, np.int32)
    repeats = np.zeros((b, t, len(lookback)), np.float32)
    for k, j in enumerate(lookback):
        back = np.asarray(steps)[None, :] - j * bar                 # the same point of the bar, j bars earlier
        look[..., k] = np.where(back >= 0, history[rows, np.maximum(back, 0)], none_id)
        prev_back = idx - j * bar
        repeats[..., k] = (prev_back >= 0) & (idx >= 0) & (history[rows, np.maximum(prev_back, 0)] == previous)
    style = np.broadcast_to(np.stack([_style(m, d) for m, d in zip(meters, modes)])[:, None, :],
                            (b, t, len(METERS) + len(MODES))).astype(np.float32)
    return Inputs(previous, look, repeats, position, bars, style)


PAD_TO = 64   # batches are padded to a multiple of this many steps: a handful of shapes, so a compiled step is reused


def batch_arrays(tunes: Sequence[Tune], vocab: Vocabulary, lookback: Sequence[int], pad_to: int = PAD_TO
                 ) -> tuple[Inputs, np.ndarray, np.ndarray]:
    """Inputs, targets (B, T) and a mask (B, T) for whole tunes padded to the longest (rounded up to `pad_to`):
    the targets are each tune's symbols and its end `/`."""
    end = vocab.id(DELIMITER)
    length = -(-(max(len(t.symbols) for t in tunes) + 1) // pad_to) * pad_to
    targets = np.full((len(tunes), length), end, np.int32)
    mask = np.zeros((len(tunes), length), np.float32)
    for r, t in enumerate(tunes):
        targets[r, :len(t.symbols)] = vocab.encode(t.symbols)
        mask[r, :len(t.symbols) + 1] = 1.0
    inputs = features(targets, np.arange(length), [t.meter for t in tunes], [t.mode for t in tunes],
                      [t.pickup for t in tunes], lookback, len(vocab), end)
    return inputs, targets, mask


def inputs_table(tune: Tune, vocab: Vocabulary, lookback: Sequence[int] = (1, 2), steps: int = 24):
    """What the model sees at the first `steps` steps of a tune, one row per step (a pandas table for 07)."""
    import pandas as pd

    x, y, _ = batch_arrays([tune], vocab, lookback, pad_to=1)
    names = list(vocab.symbols) + ["-"]
    rows = {"target": vocab.decode(y[0, :steps]), "previous": vocab.decode(x.previous[0, :steps]),
            "position in bar": x.position[0, :steps].argmax(axis=1), "pickup bar": x.bars[0, :steps, BAR_BITS] > 0,
            "bar (low bits)": [int(sum(b << k for k, b in enumerate(row[:BAR_BITS].astype(int))))
                               for row in x.bars[0, :steps]]}
    for k, j in enumerate(lookback):
        rows[f"{j} bar{'s' if j > 1 else ''} back"] = [names[i] for i in x.lookback[0, :steps, k]]
        rows[f"repeating {j}"] = x.repeats[0, :steps, k] > 0
    return pd.DataFrame(rows).rename_axis("step")


def trim_silence(symbols: Sequence[str], meter: str, pickup: int, keep: int = 0) -> list[str]:
    """A tune without the bar (or part of a bar) of silence it may end with: the rest after its last note is kept
    up to the next bar line (it completes that bar), what follows it is cut; never its first `keep` symbols (a
    primer). A tune with no note is kept as is."""
    from ..data.encoding import parse_symbol

    symbols = list(symbols)
    onsets = [i for i, sym in enumerate(symbols) if parse_symbol(sym)[0] == "onset"]
    if not onsets:
        return symbols
    silent = next((i for i in range(onsets[-1] + 1, len(symbols)) if symbols[i] == REST), len(symbols))
    bar = bar_steps(meter)
    line = silent + (-(silent - pickup)) % bar        # the first bar line at or after the silence begins
    return symbols[:max(line, keep)]


def shares(tunes: Sequence[Tune]) -> dict:
    """The corpus's own shares, which `generate` draws from when no meter, mode or pickup is asked for: of each
    meter and mode, and of each pickup within a meter."""
    meters = Counter(t.meter for t in tunes)
    modes = {m: Counter(t.mode for t in tunes if t.meter == m) for m in meters}
    pickups = {m: Counter(t.pickup for t in tunes if t.meter == m) for m in meters}
    return {"meters": dict(sorted(meters.items())),
            "modes": {m: dict(sorted(c.items())) for m, c in sorted(modes.items())},
            "pickups": {m: {str(k): v for k, v in sorted(c.items())} for m, c in sorted(pickups.items())}}


def draw_style(n: int, rng: np.random.Generator, shares: dict, *, meter: str | None = None, mode: str | None = None,
               pickup: int | None = None) -> tuple[list[str], list[str], list[int]]:
    """Meters, modes and pickups of n tunes: as asked, else drawn from `shares` (`shares()`): the meter first, then
    the mode and the pickup as common in that meter. ValueError names a meter, mode or pickup the model cannot
    write (`check_style`)."""
    check_style(meter, mode, pickup)

    def pick(counts: dict) -> str:
        keys = sorted(counts)
        p = np.array([counts[k] for k in keys], float)
        return keys[int(rng.choice(len(keys), p=p / p.sum()))]

    meters, modes, pickups = [], [], []
    for _ in range(n):
        m = meter or pick(shares["meters"])
        meters.append(m)
        modes.append(mode or pick(shares["modes"].get(m) or {"major": 1}))
        pickups.append(pickup if pickup is not None else int(pick(shares["pickups"].get(m) or {"0": 1})))
    return meters, modes, pickups


def check_style(meter: str | None, mode: str | None, pickup: int | None) -> None:
    """ValueError naming a meter, mode or pickup the model cannot write: a meter it does not know, a mode other
    than major or minor, a pickup without its meter, or one of a bar or more."""
    if meter is not None and meter not in METERS:
        raise ValueError(f"meter {meter!r}: the tune model writes {', '.join(METERS)}")
    if mode is not None and mode not in MODES:
        raise ValueError(f"mode {mode!r}: major or minor")
    if pickup is not None and meter is None:
        raise ValueError("a pickup needs its meter: give --meter too")
    if pickup is not None and not 0 <= pickup < bar_steps(meter):
        raise ValueError(f"a pickup in {meter} is 0 to {bar_steps(meter) - 1} 16ths (a whole bar or more is no "
                         "pickup)")
