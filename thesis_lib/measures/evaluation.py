"""Set against set (Yang & Lerch 2018, MGEval): per-feature distance distributions, their overlap and KL
divergence, novelty against the training songs, diversity, and a two-sample classifier; the comparison table.

A *set* is a list of `Melody` values (their events are what is measured). The reference is the
embedded ballads' training side of the LSTM's song split (seed 0), so held-out songs give the ceiling.
The statistics are scipy's (`gaussian_kde`, `entropy`) and scikit-learn's (the two-sample classifier); this
module receives melodies and never runs a model (`thesis_lib.sources` makes them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..data.encoding import encode_events
from ..data.melody import Melody
from .metrics import (
    FEATURES,
    REPETITION_MIN_STEPS,
    Novelty,
    copied_windows,
    diversity,
    feature_matrix,
    repetition,
)

EIGHT_BARS, FOUR_BARS = 128, 64  # steps of 4/4: windows that count as copied when found verbatim in one song

# --------------------------------------------------------------------------- distances, KDE, OA, KL

def set_distances(a: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
    """Euclidean distances between feature rows: all pairs within `a` (b None), else every a-b pair."""
    if b is None:
        i, j = np.triu_indices(len(a), 1)
        return np.linalg.norm(a[i] - a[j], axis=1)
    return np.linalg.norm(a[:, None, :] - b[None, :, :], axis=2).ravel()


def _kde(x: np.ndarray):
    """scipy's Gaussian KDE (Scott's bandwidth, as MGEval); a set of identical distances gets a 1e-9 jitter of
    its own seed, since a KDE of one repeated value is singular (MGEval would stop there)."""
    from scipy.stats import gaussian_kde

    x = np.asarray(x, float)
    if np.ptp(x) == 0:
        x = x + np.random.default_rng(0).normal(0, 1e-9, len(x))
    return gaussian_kde(x)


def overlap_and_kl(intra: np.ndarray, inter: np.ndarray, points: int = 1000, max_samples: int = 4000,
                   seed: int = 0) -> tuple[float, float]:
    """MGEval's two set-against-set measures of two distance samples, with scipy's `gaussian_kde`: the
    overlapped area of the two densities between the smallest and largest distance (1 = the same), and
    KL(intra || inter) in nats by `scipy.stats.entropy` of the densities on `points` evenly spaced values.

    One deliberate difference from MGEval's code: it evaluates each density on the range of its own sample,
    which compares their shapes but not where they lie (two equal shapes far apart get a KL near 0); here both
    are evaluated on the common range. Samples larger than `max_samples` are subsampled (seeded) for speed."""
    from scipy.stats import entropy

    rng = np.random.default_rng(seed)
    intra, inter = (x if len(x) <= max_samples else rng.choice(x, max_samples, replace=False) for x in (intra, inter))
    pdf_a, pdf_b = _kde(intra), _kde(inter)
    lo, hi = min(intra.min(), inter.min()), max(intra.max(), inter.max())
    grid = np.linspace(lo, hi, points)
    oa = float(np.trapezoid(np.minimum(pdf_a(grid), pdf_b(grid)), grid)) if hi > lo else 1.0
    kl = float(entropy(pdf_a(grid) + 1e-12, pdf_b(grid) + 1e-12)) if hi > lo else 0.0
    return min(oa, 1.0), max(kl, 0.0)


# --------------------------------------------------------------------------- the reference

@dataclass
class Reference:
    """A reference set: its melodies, their features (a seeded subsample for distances) and a novelty index."""

    name: str
    melodies: list
    features: dict
    novelty: Novelty

    @classmethod
    def build(cls, name: str, melodies: Sequence[Melody], max_for_distances: int = 200,
              seed: int = 0) -> "Reference":
        """Index all melodies for novelty; features of up to `max_for_distances` of them for the distributions."""
        rng = np.random.default_rng(seed)
        pick = np.sort(rng.choice(len(melodies), min(max_for_distances, len(melodies)), replace=False))
        return cls(name, list(melodies), feature_matrix([melodies[k] for k in pick]),
                   Novelty([encode_events(m.events) for m in melodies]))


# --------------------------------------------------------------------------- one set against the reference

def two_sample_accuracy(a: dict, b: dict, folds: int = 5, seed: int = 0) -> float | None:
    """Held-out accuracy of a classifier telling set a from set b by all features: a scikit-learn pipeline
    (standardise, L2 logistic regression) scored by stratified k-fold `cross_val_score` on equal class sizes,
    so 0.5 means indistinguishable. None when either set has fewer than `folds` melodies."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    xa = np.concatenate([a[f] for f in FEATURES], axis=1)
    xb = np.concatenate([b[f] for f in FEATURES], axis=1)
    k = min(len(xa), len(xb))
    if k < folds:
        return None
    rng = np.random.default_rng(seed)
    xa, xb = xa[rng.choice(len(xa), k, replace=False)], xb[rng.choice(len(xb), k, replace=False)]
    x, y = np.concatenate([xa, xb]), np.r_[np.ones(k), np.zeros(k)]
    clf = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=5000))
    cv = StratifiedKFold(folds, shuffle=True, random_state=seed)
    return float(cross_val_score(clf, x, y, cv=cv, scoring="accuracy").mean())


def evaluate_set(melodies: Sequence[Melody], reference: Reference, seed: int = 0) -> dict:
    """One row of the table: per-feature OA and KL against the reference, their means, novelty, diversity,
    bar fill and the two-sample accuracy."""
    if not melodies:
        raise ValueError("an empty set has nothing to evaluate")
    # a set, not a sequence: the same melodies in any order (files listed by name, or drawn in memory) give the
    # same figures, since the subsampling and the classifier's folds below follow this order
    melodies = sorted(melodies, key=lambda m: [(-1 if p is None else p, n) for p, n in m.events])
    feats = feature_matrix(melodies)
    row: dict = {"melodies": len(melodies)}
    oas, kls = [], []
    for name in FEATURES:
        intra_ref = set_distances(reference.features[name])
        inter = set_distances(feats[name], reference.features[name])
        oa, kl = overlap_and_kl(intra_ref, inter, seed=seed)
        row[f"oa_{name}"], row[f"kl_{name}"] = oa, kl
        oas.append(oa)
        kls.append(kl)
    seqs = [encode_events(m.events) for m in melodies]  # one scheme for every source, as the reference's
    runs = [reference.novelty.match_lengths(s) for s in seqs]  # one walk of the automaton per melody
    longest = np.array([r.max(initial=0) for r in runs])
    copied = np.array([copied_windows(r, EIGHT_BARS) for r in runs]).reshape(-1, 2)
    four_bars = [copied_windows(r, FOUR_BARS)[0] > 0 for r in runs]
    div = diversity(seqs)
    counts = np.array([repetition(q) for q in seqs if len(q) >= REPETITION_MIN_STEPS]).reshape(-1, 3).sum(axis=0)
    row.update({
        "mean_oa": float(np.mean(oas)), "mean_kl": float(np.mean(kls)),
        "two_sample_accuracy": two_sample_accuracy(feats, reference.features, seed=seed),
        "median_steps": float(np.median([len(s) for s in seqs])),
        "longest_copy_median": float(np.median(longest)), "longest_copy_max": int(max(longest)),
        "copied_8bar_share": float(copied[:, 0].sum() / copied[:, 1].sum()) if copied[:, 1].sum() else None,
        "copied_4bar_melodies": float(np.mean(four_bars)),
        "distinct": div["distinct"], "mean_distance": div["mean_distance"],
        "bar_fill": float(feats["bar_fill"].mean()), "scale_consistency": float(feats["scale_consistency"].mean()),
        "repetition_near": float(counts[1] / counts[0]) if counts[0] else None,
        "repetition_far": float(counts[2] / counts[0]) if counts[0] else None,
    })
    return row


def copied_bars(melodies: Sequence[Melody], reference: Reference, bars: int = 8) -> float:
    """The share of melodies holding a window of `bars` bars of their own meter (8 bars of 3/4 are 96 steps)
    that a reference song holds verbatim."""
    from ..data.encoding import bar_steps

    held = [copied_windows(reference.novelty.match_lengths(encode_events(m.events)), bars * bar_steps(m.meter))[0] > 0
            for m in melodies if m.events]
    return float(np.mean(held)) if held else 0.0


SUMMARY_COLUMNS = ("melodies", "median_steps", "mean_oa", "mean_kl", "two_sample_accuracy", "longest_copy_median",
                   "copied_8bar_share", "copied_4bar_melodies", "distinct", "mean_distance", "bar_fill",
                   "scale_consistency", "repetition_near", "repetition_far")


def summary_table(rows: dict[str, dict], columns: Sequence[str] = SUMMARY_COLUMNS):
    """A pandas table: one row per set, the summary columns (per-feature OA/KL stay in the row dicts)."""
    import pandas as pd

    return pd.DataFrame({name: {c: row.get(c) for c in columns} for name, row in rows.items()}).T


def feature_table(rows: dict[str, dict], what: str = "oa"):
    """A pandas table of one per-feature measure ("oa" or "kl"): sets as rows, features as columns."""
    import pandas as pd

    return pd.DataFrame({name: {f: row[f"{what}_{f}"] for f in FEATURES} for name, row in rows.items()}).T


# --------------------------------------------------------------------------- the comparison table

def crop(melody: Melody, steps: int) -> Melody:
    """The first `steps` 16th steps of a melody (the last event shortened to fit)."""
    out, t = [], 0
    for pitch, n in melody.events:
        if t >= steps:
            break
        out.append((pitch, min(n, steps - t)))
        t += n
    return Melody.from_events(out, melody.origin, title=melody.title)


def compare(sets: dict[str, Sequence[Melody]], reference: Reference, seed: int = 0,
            steps: int | None = None) -> tuple[dict, Reference]:
    """Evaluate every set against the reference: (rows by set name, the reference used). With `steps`, every
    melody, the reference's too, is first cut to that many steps (64: the GAN's length, for a like-for-like
    view of the length-dependent features); novelty is still measured against the whole songs."""
    from dataclasses import replace

    used = reference
    if steps:
        sets = {name: [crop(m, steps) for m in mels] for name, mels in sets.items()}
        cut = Reference.build(f"{reference.name}, first {steps} steps", [crop(m, steps) for m in reference.melodies],
                              seed=seed)
        used = replace(cut, novelty=reference.novelty)
    return {name: evaluate_set(mels, used, seed) for name, mels in sets.items()}, used


def embedded_reference(seed: int = 0) -> Reference:
    """The default reference: the embedded ballads' training side of the LSTM's split by song."""
    from ..data.corpus import embedded_split

    return Reference.build("embedded ballads, training side of the LSTM's split (seed 0)",
                           [Melody.from_song(s) for s in embedded_split()[0]], seed=seed)
