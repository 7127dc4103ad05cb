"""Which meter and pickup a melody was written in, from its notes alone (beyond the thesis: it bars every
generated melody as 4/4, but the ballads are mostly not in 4/4).

Four parts, all learned from the ballads whose files state a meter:
  * a *metrical position model* per meter: the probability of each note or rest length starting at each
    16th position of the bar, plus where songs start and end in the bar. It scores every (meter, pickup)
    reading of a melody. A reading may change its bar phase inside the melody at a cost (`SWITCH`): some
    ballads put a bar of another length among their bars, and the pickup is the phase the melody starts in;
  * a *context classifier* per meter (a logistic regression): from each note's neighbourhood (the lengths,
    rests and steps of `CONTEXT` events on either side, its pitch class), where in the bar it starts;
  * a *meter classifier* (logistic regression) over each meter's best scores by both models and how much the
    rhythm repeats after one and two bars of that meter: 3/4 songs repeat after 12 and 24 steps, 2/4 and 4/4
    ones after 8 and 16, and the scores alone confuse those families. The meter's best pickup by the position
    model is the answer. (The context classifier helps choose the meter, but not the pickup: summed over a
    melody its confident votes outweigh the position model, and a plain 4/4 march then gets its whole notes
    across the bar lines.);
  * the *ballads themselves*: a melody whose notes (pitch and length) are mostly those of a ballad — a variant
    of the same tune, as the collection holds many — is barred as that ballad is (`VARIANT`).
`fit` learns them, `MeterModel.infer` answers, `cross_validate` measures it on held-out songs. The shipped
model is `thesis_lib/pretrained/meter_model.json` (numpy and rapidfuzz at inference: no scikit-learn import).
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from .encoding import bar_steps

METERS = ("2/4", "3/4", "4/4", "6/8")   # what `generate --meter` offers: the commonest meters of the ballads
LONGEST = 32                             # lengths in 16ths are classes 1..32; longer ones share class 32
SMOOTHING = 0.5                          # add-α counts for the position tables
SWITCH = 10.0                            # log-likelihood cost of a change of bar phase inside a melody
CONTEXT = 6                              # events on either side that the context classifier sees
CONTEXT_C = 0.3                          # its inverse L2 strength (scikit-learn's C)
VARIANT = 0.6                            # similarity to a ballad above which a melody is barred as that ballad
_LENGTHS = (1, 2, 3, 4, 6, 8, 12, 16)    # the context classifier's length classes (others share one more)
_FLOOR = np.log(1e-6)                    # the least log-probability a position gets from the context classifier


def _rhythm(events: Sequence[tuple]) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Onsets, length classes and rest flags of a melody's events, and its length in steps."""
    lengths = np.array([n for _, n in events], np.int64)
    onsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    rests = np.array([p is None for p, _ in events], np.int64)
    return onsets, np.minimum(lengths, LONGEST), rests, int(lengths.sum())


def repetition(events: Sequence[tuple], lag: int) -> float:
    """How much of the rhythm comes back `lag` steps later: the share of onsets (at t or t + lag) where both
    times start an event of the same length and kind (note or rest)."""
    return _repetition(_rhythm(events), lag)


def _repetition(rhythm: tuple, lag: int) -> float:
    """`repetition` of a melody's `_rhythm`."""
    onsets, lengths, rests, total = rhythm
    if lag >= total:
        return 0.0
    grid = np.zeros(total + 1, np.int64)
    grid[onsets] = np.where(rests == 1, -1, 1) * np.maximum(lengths, 1)
    a, b = grid[:-lag], grid[lag:]
    present = (a != 0) | (b != 0)
    return float(((a == b) & present).sum() / max(present.sum(), 1))


def event_features(events: Sequence[tuple]) -> np.ndarray:
    """The context classifier's input, a row per event: for the event and `CONTEXT` events on either side, the
    length class, whether it is a rest, and the step from the note before (same pitch, a second, a third,
    a leap; upwards); then the event's pitch class, and whether it is the first, last or second-to-last."""
    n, w, k = len(events), CONTEXT, len(_LENGTHS)
    per = np.zeros((n + 2 * w, k + 2 + 5))
    lengths = [d for _, d in events]
    per[np.arange(n) + w, [_LENGTHS.index(d) if d in _LENGTHS else k for d in lengths]] = 1
    pcs = np.zeros((n, 12))
    before = None
    for i, (p, _) in enumerate(events):
        if p is None:
            per[i + w, k + 1] = 1
            continue
        pcs[i, p % 12] = 1
        if before is not None:
            step = abs(p - before)
            per[i + w, k + 2 + (0 if step == 0 else 1 if step <= 2 else 2 if step <= 4 else 3)] = 1
            per[i + w, k + 6] = p > before
        before = p
    windows = np.lib.stride_tricks.sliding_window_view(per, (2 * w + 1, per.shape[1]))[:, 0].reshape(n, -1)
    flags = np.zeros((n, 3))
    flags[0, 0] = flags[-1, 1] = 1
    flags[-2:, 2] = [1, 0] if n > 1 else [0]
    return np.hstack([windows, pcs, flags])


def _tokens(events: Sequence[tuple]) -> str:
    """A melody as a string, a character per event (pitch and length), for edit-distance matching."""
    return "".join(chr(0x100 + ((p if p is not None else -1) + 1) * 64 + min(d, 63)) for p, d in events)


def aligned_pickup(events: Sequence[tuple], theirs: Sequence[tuple], pickup: int, bar: int,
                   tokens=_tokens) -> int | None:
    """The pickup that another melody's bar lines (its `pickup`, bars of `bar` steps) give this one where their
    events align (Indel alignment of their `tokens` strings): the commonest among the aligned events; None when
    none align."""
    from rapidfuzz.distance import Indel

    here, there = _rhythm(events)[0], _rhythm(theirs)[0]
    votes = Counter()
    for tag, a0, a1, b0, b1 in Indel.opcodes(tokens(events), tokens(theirs)):
        if tag == "equal":
            votes.update(((here[a0:a1] - there[b0:b1] + pickup) % bar).tolist())
    return int(votes.most_common(1)[0][0]) if votes else None


@dataclass
class MeterModel:
    """The fitted position tables (log-probabilities), context classifiers, meter classifier and ballads."""

    meters: tuple[str, ...]
    position: dict        # meter -> (bar, LONGEST + 1, 2) log P(length class, rest | position)
    start: dict           # meter -> (bar,) log P(first onset's position)
    end: dict             # meter -> (bar,) log P(position where the melody ends)
    prior: dict           # meter -> log P(meter)
    context: dict         # meter -> (coef (bar, features), intercept (bar,)) of P(position | neighbourhood)
    scaler_mean: np.ndarray
    scaler_scale: np.ndarray
    coef: np.ndarray      # (meters, features)
    intercept: np.ndarray
    library: tuple = ()   # (events, meter, pickup) of the ballads a variant is barred like
    _strings: list = field(default=None, init=False, repr=False, compare=False)

    def _position_scores(self, rhythm: tuple, meter: str) -> np.ndarray:
        """Per pickup: the position model's log-likelihood of the best reading that starts with that pickup
        (the phase may change inside the melody at a cost of SWITCH each time). `rhythm`: the melody's `_rhythm`."""
        onsets, lengths, rests, total = rhythm
        bar = bar_steps(meter)
        phase = np.arange(bar)
        each = self.position[meter][(onsets[:, None] - phase[None, :]) % bar, lengths[:, None], rests[:, None]]
        best = each[-1] + self.end[meter][(total - phase) % bar]
        for i in range(len(onsets) - 2, -1, -1):   # backwards: the best rest of the melody from each phase
            best = each[i] + np.maximum(best, best.max() - SWITCH)
        return best + self.start[meter][(-phase) % bar] + self.prior[meter]

    def _context_scores(self, onsets: np.ndarray, x: np.ndarray, meter: str) -> np.ndarray:
        """Per pickup: the sum over events (onsets, `event_features` x) of the context classifier's log P(the
        position that pickup gives)."""
        coef, intercept = self.context[meter]
        logits = x @ coef.T + intercept
        logp = np.maximum(logits - np.logaddexp.reduce(logits, axis=1, keepdims=True), _FLOOR)
        bar = bar_steps(meter)
        return np.array([logp[np.arange(len(onsets)), (onsets - p) % bar].sum() for p in range(bar)])

    def readings(self, events: Sequence[tuple]) -> dict[tuple[str, int], tuple[float, float]]:
        """Every (meter, pickup) reading of the melody: (the position model's score, the context classifier's).
        The first chooses the pickup; both inform the meter classifier."""
        rhythm, x = _rhythm(events), event_features(events)
        out = {}
        for m in self.meters:
            pos, ctx = self._position_scores(rhythm, m), self._context_scores(rhythm[0], x, m)
            out.update({(m, p): (float(pos[p]), float(ctx[p])) for p in range(bar_steps(m))})
        return out

    def features(self, events: Sequence[tuple], readings: dict | None = None) -> np.ndarray:
        """Per meter: its best reading's score per event by each model, and the rhythm's repetition after 1 and
        2 bars."""
        readings = readings or self.readings(events)
        rhythm = _rhythm(events)
        out = []
        for m in self.meters:
            bar = bar_steps(m)
            mine = [v for (mm, _), v in readings.items() if mm == m]
            out += [max(a for a, _ in mine) / len(events), max(b for _, b in mine) / len(events),
                    _repetition(rhythm, bar), _repetition(rhythm, 2 * bar)]
        return np.array(out)

    def meter_probabilities(self, events: Sequence[tuple], readings: dict | None = None) -> dict[str, float]:
        """P(meter | notes) from the classifier."""
        z = (self.features(events, readings) - self.scaler_mean) / self.scaler_scale
        logits = self.coef @ z + self.intercept
        p = np.exp(logits - logits.max())
        return dict(zip(self.meters, (p / p.sum()).tolist()))

    def variant(self, events: Sequence[tuple]) -> tuple[float, str, int] | None:
        """(similarity, meter, pickup) of the ballad the melody is a variant of, or None: the most similar
        ballad (normalised Indel similarity of the pitch-and-length strings) when at least VARIANT, with the
        pickup its bar lines give the melody where their notes align."""
        if not self.library:
            return None
        from rapidfuzz import process
        from rapidfuzz.distance import Indel

        if self._strings is None:
            self._strings = [_tokens(e) for e, _, _ in self.library]
        mine = _tokens(events)
        found = process.extractOne(mine, self._strings, scorer=Indel.normalized_similarity, score_cutoff=VARIANT)
        if found is None:
            return None
        _, similarity, j = found
        theirs, meter, pickup = self.library[j]
        return float(similarity), meter, aligned_pickup(events, theirs, pickup, bar_steps(meter))

    def infer(self, events: Sequence[tuple], meter: str | None = None) -> tuple[str, int]:
        """(meter, pickup in 16ths) of a melody: a ballad's if the melody is a variant of one (in the meter given,
        if any); else the classifier's meter (or the one given) and its best pickup."""
        if meter is not None and meter not in self.meters:
            raise ValueError(f"meter {meter!r} is not one of {', '.join(self.meters)}")
        if not any(p is not None for p, _ in events):
            return meter or "4/4", 0
        known = self.variant(events)
        if known is not None and meter in (None, known[1]):
            return known[1], known[2]
        readings = self.readings(events)
        if meter is None:
            probs = self.meter_probabilities(events, readings)
            meter = max(probs, key=probs.get)
        return meter, max(range(bar_steps(meter)), key=lambda p: readings[(meter, p)][0])

    # ---------------------------------------------------------------- files

    def to_json(self) -> dict:
        """A plain JSON record (lists; the ballads as "pitch:length" strings, r for a rest), the shipped file's
        content."""
        arr = lambda d: {k: np.asarray(v).tolist() for k, v in d.items()}  # noqa: E731
        return {"meters": list(self.meters), "position": arr(self.position), "start": arr(self.start),
                "end": arr(self.end), "prior": dict(self.prior),
                "context": {m: {"coef": c.tolist(), "intercept": b.tolist()} for m, (c, b) in self.context.items()},
                "scaler_mean": self.scaler_mean.tolist(), "scaler_scale": self.scaler_scale.tolist(),
                "coef": self.coef.tolist(), "intercept": self.intercept.tolist(),
                "library": [{"meter": m, "pickup": p, "events": " ".join(f"{'r' if q is None else q}:{d}" for q, d in e)}
                            for e, m, p in self.library]}

    @classmethod
    def from_json(cls, d: dict) -> "MeterModel":
        """The model from its JSON record."""
        arr = lambda x: {k: np.asarray(v, float) for k, v in x.items()}  # noqa: E731
        event = lambda t: (None if t.split(":")[0] == "r" else int(t.split(":")[0]), int(t.split(":")[1]))  # noqa: E731
        return cls(tuple(d["meters"]), arr(d["position"]), arr(d["start"]), arr(d["end"]), dict(d["prior"]),
                   {m: (np.asarray(c["coef"]), np.asarray(c["intercept"])) for m, c in d["context"].items()},
                   np.asarray(d["scaler_mean"]), np.asarray(d["scaler_scale"]), np.asarray(d["coef"]),
                   np.asarray(d["intercept"]),
                   tuple((tuple(event(t) for t in s["events"].split()), s["meter"], s["pickup"]) for s in d["library"]))


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


def _context_classifiers(songs: Sequence, meters: Sequence[str]) -> dict:
    """Per meter, a logistic regression from each event's neighbourhood to its position in the bar, as
    (coef, intercept) with a row for every position (one that never occurs gets a very low intercept)."""
    from sklearn.linear_model import LogisticRegression

    out = {}
    for m in meters:
        bar = bar_steps(m)
        mine = [s for s in songs if s.meter == m]
        x = np.concatenate([event_features(s.events) for s in mine])
        y = np.concatenate([(_rhythm(s.events)[0] - s.pickup) % bar for s in mine])
        clf = LogisticRegression(C=CONTEXT_C, tol=1e-3, max_iter=3000).fit(x, y)
        coef, intercept = np.zeros((bar, x.shape[1])), np.full(bar, -30.0)
        coef[clf.classes_], intercept[clf.classes_] = clf.coef_, clf.intercept_
        out[m] = (coef, intercept)
    return out


def fit(songs: Sequence, meters: Sequence[str] = METERS, seed: int = 0) -> MeterModel:
    """Learn the position tables and context classifiers from every song in `meters`, and the meter classifier
    from readings made by models that did not see that song (two halves, each scored by the other's), so its
    weights are honest. The songs are also the ballads a variant is barred like."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    songs = [s for s in songs if s.meter in meters]
    order = np.random.default_rng(seed).permutation(len(songs))
    halves = [[songs[k] for k in order[: len(order) // 2]], [songs[k] for k in order[len(order) // 2:]]]
    x, y = [], []
    for part, other in ((halves[0], halves[1]), (halves[1], halves[0])):
        scorer = MeterModel(tuple(meters), *_position_tables(other, meters), _context_classifiers(other, meters),
                            *_identity_classifier(meters))
        x += [scorer.features(s.events) for s in part]
        y += [s.meter for s in part]
    scaler = StandardScaler().fit(x)
    clf = LogisticRegression(max_iter=5000).fit(scaler.transform(x), y)
    rows = [list(clf.classes_).index(m) for m in meters]
    return MeterModel(tuple(meters), *_position_tables(songs, meters), _context_classifiers(songs, meters),
                      scaler.mean_, scaler.scale_, clf.coef_[rows], clf.intercept_[rows],
                      tuple((tuple(s.events), s.meter, s.pickup) for s in songs))


def _identity_classifier(meters: Sequence[str]) -> tuple:
    """Placeholder classifier weights for a model without one (used while fitting the real classifier)."""
    k = 4 * len(meters)
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
    from ..core.config import PRETRAINED

    return PRETRAINED / "meter_model.json"


_LOADED: dict = {}


def load(path: str | os.PathLike | None = None) -> MeterModel:
    """The shipped meter model (read once per process)."""
    from ..core.files import read_json

    path = Path(path) if path else shipped_path()
    if path not in _LOADED:
        record = read_json(path)
        if record is None:
            from ..core.errors import ThesisError

            raise ThesisError(f"{path}: no meter model (make it with benchmarks/meter_inference.py --ship)")
        _LOADED[path] = MeterModel.from_json(record["model"])
    return _LOADED[path]


def infer(events: Sequence[tuple], meter: str | None = None) -> tuple[str, int]:
    """(meter, pickup) of a melody by the shipped model; see `MeterModel.infer`."""
    return load().infer(events, meter)
