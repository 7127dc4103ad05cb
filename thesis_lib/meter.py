"""Which meter and pickup a melody was written in, from its rhythm alone (beyond the thesis: it bars every
generated melody as 4/4, but the ballads are mostly not in 4/4).

Two parts, both learned from the ballads whose files state a meter:
  * a *metrical position model* per meter: the probability of each note or rest length starting at each
    16th position of the bar, plus where songs start and end in the bar. It scores every (meter, pickup)
    reading of a melody; for one meter, the best-scoring pickup is the answer;
  * a *meter classifier* (logistic regression) over each meter's best score and how much the rhythm repeats
    after one and two bars of that meter: 3/4 songs repeat after 12 and 24 steps, 2/4 and 4/4 ones after
    8 and 16, and the scores alone confuse those families.
`fit` learns both, `MeterModel.infer` answers, `cross_validate` measures it on held-out songs. The shipped
model is `thesis_lib/pretrained/meter_model.json` (numpy only at inference: no scikit-learn import).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from .encoding import bar_steps

METERS = ("2/4", "3/4", "4/4", "6/8")   # what `generate --meter` offers: the commonest meters of the ballads
LONGEST = 32                             # lengths in 16ths are classes 1..32; longer ones share class 32
SMOOTHING = 0.5                          # add-α counts for the position tables


def _rhythm(events: Sequence[tuple]) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Onsets, length classes and rest flags of a melody's events, and its length in steps."""
    lengths = np.array([n for _, n in events], np.int64)
    onsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    rests = np.array([p is None for p, _ in events], np.int64)
    return onsets, np.minimum(lengths, LONGEST), rests, int(lengths.sum())


def repetition(events: Sequence[tuple], lag: int) -> float:
    """How much of the rhythm comes back `lag` steps later: the share of onsets (at t or t + lag) where both
    times start an event of the same length and kind (note or rest)."""
    onsets, lengths, rests, total = _rhythm(events)
    if lag >= total:
        return 0.0
    grid = np.zeros(total + 1, np.int64)
    grid[onsets] = np.where(rests == 1, -1, 1) * np.maximum(lengths, 1)
    a, b = grid[:-lag], grid[lag:]
    present = (a != 0) | (b != 0)
    return float(((a == b) & present).sum() / max(present.sum(), 1))


@dataclass
class MeterModel:
    """The fitted position tables (log-probabilities) and the meter classifier's weights."""

    meters: tuple[str, ...]
    position: dict        # meter -> (bar, LONGEST + 1, 2) log P(length class, rest | position)
    start: dict           # meter -> (bar,) log P(first onset's position)
    end: dict             # meter -> (bar,) log P(position where the melody ends)
    prior: dict           # meter -> log P(meter)
    scaler_mean: np.ndarray
    scaler_scale: np.ndarray
    coef: np.ndarray      # (meters, features)
    intercept: np.ndarray

    def readings(self, events: Sequence[tuple]) -> dict[tuple[str, int], float]:
        """Log-likelihood of every (meter, pickup) reading of the melody under the position model."""
        onsets, lengths, rests, total = _rhythm(events)
        out = {}
        for m in self.meters:
            bar = bar_steps(m)
            for pickup in range(bar):
                pos = (onsets - pickup) % bar
                out[(m, pickup)] = float(self.position[m][pos, lengths, rests].sum() + self.start[m][(-pickup) % bar]
                                         + self.end[m][(total - pickup) % bar] + self.prior[m])
        return out

    def features(self, events: Sequence[tuple], readings: dict | None = None) -> np.ndarray:
        """Per meter: its best reading's log-likelihood per event, and the rhythm's repetition after 1 and 2 bars."""
        readings = readings or self.readings(events)
        out = []
        for m in self.meters:
            bar = bar_steps(m)
            best = max(v for (mm, _), v in readings.items() if mm == m)
            out += [best / len(events), repetition(events, bar), repetition(events, 2 * bar)]
        return np.array(out)

    def meter_probabilities(self, events: Sequence[tuple], readings: dict | None = None) -> dict[str, float]:
        """P(meter | rhythm) from the classifier."""
        z = (self.features(events, readings) - self.scaler_mean) / self.scaler_scale
        logits = self.coef @ z + self.intercept
        p = np.exp(logits - logits.max())
        return dict(zip(self.meters, (p / p.sum()).tolist()))

    def infer(self, events: Sequence[tuple], meter: str | None = None) -> tuple[str, int]:
        """(meter, pickup in 16ths) of a melody: the classifier's meter (or the one given) and its best pickup."""
        if not any(p is not None for p, _ in events):
            return meter or "4/4", 0
        readings = self.readings(events)
        if meter is None:
            probs = self.meter_probabilities(events, readings)
            meter = max(probs, key=probs.get)
        elif meter not in self.meters:
            raise ValueError(f"meter {meter!r} is not one of {', '.join(self.meters)}")
        pickup = max((p for (m, p) in readings if m == meter), key=lambda p: readings[(meter, p)])
        return meter, pickup

    # ---------------------------------------------------------------- files

    def to_json(self) -> dict:
        """A plain JSON record (lists), the shipped file's content."""
        arr = lambda d: {k: np.asarray(v).tolist() for k, v in d.items()}  # noqa: E731
        return {"meters": list(self.meters), "position": arr(self.position), "start": arr(self.start),
                "end": arr(self.end), "prior": dict(self.prior), "scaler_mean": self.scaler_mean.tolist(),
                "scaler_scale": self.scaler_scale.tolist(), "coef": self.coef.tolist(),
                "intercept": self.intercept.tolist()}

    @classmethod
    def from_json(cls, d: dict) -> "MeterModel":
        """The model from its JSON record."""
        arr = lambda x: {k: np.asarray(v, float) for k, v in x.items()}  # noqa: E731
        return cls(tuple(d["meters"]), arr(d["position"]), arr(d["start"]), arr(d["end"]), dict(d["prior"]),
                   np.asarray(d["scaler_mean"]), np.asarray(d["scaler_scale"]), np.asarray(d["coef"]),
                   np.asarray(d["intercept"]))


# --------------------------------------------------------------------------- fitting and measuring

def _position_tables(songs: Sequence, meters: Sequence[str]) -> tuple[dict, dict, dict, dict]:
    """Count where each length starts in the bar, per stated meter and pickup (songs: objects with
    `.events`, `.meter`, `.pickup`)."""
    pos = {m: np.full((bar_steps(m), LONGEST + 1, 2), SMOOTHING) for m in meters}
    start = {m: np.full(bar_steps(m), SMOOTHING) for m in meters}
    end = {m: np.full(bar_steps(m), SMOOTHING) for m in meters}
    count = {m: 1.0 for m in meters}
    for s in songs:
        if s.meter not in pos:
            continue
        bar = bar_steps(s.meter)
        onsets, lengths, rests, total = _rhythm(s.events)
        np.add.at(pos[s.meter], ((onsets - s.pickup) % bar, lengths, rests), 1.0)
        start[s.meter][(-s.pickup) % bar] += 1
        end[s.meter][(total - s.pickup) % bar] += 1
        count[s.meter] += 1
    log = lambda a, axis: np.log(a / a.sum(axis=axis, keepdims=True))  # noqa: E731
    total = sum(count.values())
    return ({m: log(pos[m], (1, 2)) for m in meters}, {m: log(start[m], 0) for m in meters},
            {m: log(end[m], 0) for m in meters}, {m: float(np.log(count[m] / total)) for m in meters})


def fit(songs: Sequence, meters: Sequence[str] = METERS, seed: int = 0) -> MeterModel:
    """Learn the position tables from every song in `meters`, and the classifier from readings made by tables
    that did not see that song (two halves, each scored by the other's tables), so its weights are honest."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    songs = [s for s in songs if s.meter in meters]
    order = np.random.default_rng(seed).permutation(len(songs))
    halves = [[songs[k] for k in order[: len(order) // 2]], [songs[k] for k in order[len(order) // 2:]]]
    x, y = [], []
    for part, other in ((halves[0], halves[1]), (halves[1], halves[0])):
        scorer = MeterModel(tuple(meters), *_position_tables(other, meters), *_identity_classifier(meters))
        x += [scorer.features(s.events) for s in part]
        y += [s.meter for s in part]
    scaler = StandardScaler().fit(x)
    clf = LogisticRegression(max_iter=5000).fit(scaler.transform(x), y)
    rows = [list(clf.classes_).index(m) for m in meters]
    return MeterModel(tuple(meters), *_position_tables(songs, meters), scaler.mean_, scaler.scale_,
                      clf.coef_[rows], clf.intercept_[rows])


def _identity_classifier(meters: Sequence[str]) -> tuple:
    """Placeholder classifier weights for a tables-only model (used while fitting the real classifier)."""
    k = 3 * len(meters)
    return np.zeros(k), np.ones(k), np.zeros((len(meters), k)), np.zeros(len(meters))


def cross_validate(songs: Sequence, folds: int = 5, meters: Sequence[str] = METERS, seed: int = 0) -> dict:
    """Held-out accuracy of `fit`: every song with a stated meter is inferred by a model fitted without it.

    Returns {"rows": [(stated meter, stated pickup, inferred meter, inferred pickup)], "meter": share,
    "meter_and_pickup": share, "n": songs in `meters`, "other": songs stating another meter}.
    """
    stated = [s for s in songs if s.meter]
    usable = [s for s in stated if s.meter in meters]
    order = np.random.default_rng(seed).permutation(len(usable))
    rows = []
    for k in range(folds):
        test = set(order[k::folds].tolist())
        model = fit([s for i, s in enumerate(usable) if i not in test], meters, seed)
        for i in sorted(test):
            m, p = model.infer(usable[i].events)
            rows.append((usable[i].meter, usable[i].pickup, m, p))
    n = len(rows)
    return {"rows": rows, "n": n, "other": len(stated) - n,
            "meter": sum(a == c for a, _, c, _ in rows) / n,
            "meter_and_pickup": sum(a == c and b == d for a, b, c, d in rows) / n}


def confusion(rows: Sequence[tuple], meters: Sequence[str] = METERS):
    """Stated meter (rows) against inferred meter (columns), as a pandas table of song counts."""
    import pandas as pd

    table = pd.DataFrame(0, index=list(meters), columns=list(meters))
    for stated, _, inferred, _ in rows:
        table.loc[stated, inferred] += 1
    table.index.name, table.columns.name = "stated", "inferred"
    return table


# --------------------------------------------------------------------------- the shipped model

def shipped_path() -> Path:
    """thesis_lib/pretrained/meter_model.json."""
    from .shipped import PRETRAINED

    return PRETRAINED / "meter_model.json"


_LOADED: dict = {}


def load(path: str | os.PathLike | None = None) -> MeterModel:
    """The shipped meter model (read once per process)."""
    from .files import read_json

    path = Path(path) if path else shipped_path()
    if path not in _LOADED:
        record = read_json(path)
        if record is None:
            from .errors import ThesisError

            raise ThesisError(f"{path}: no meter model (make it with benchmarks/meter_inference.py --ship)")
        _LOADED[path] = MeterModel.from_json(record["model"])
    return _LOADED[path]


def infer(events: Sequence[tuple], meter: str | None = None) -> tuple[str, int]:
    """(meter, pickup) of a melody by the shipped model; see `MeterModel.infer`."""
    return load().infer(events, meter)
