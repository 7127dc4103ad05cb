"""Mode collapse, watched while a GAN trains (§3.3): on one fixed noise batch after every epoch, the share of
samples that are only holds, the share that are distinct, their pitch-class entropy and mean edit distance;
and the rule that picks the epoch to keep (`best_epoch`) against the bar a shipped generator must meet.
"""

from __future__ import annotations

from collections import Counter
from typing import Callable, Sequence

import numpy as np

from ..core.backend import keras
from ..core.config import DIAGNOSTIC_SAMPLES, SHIP_MAX_ALL_HOLDS, SHIP_MIN_DISTINCT
from ..data.encoding import decode_symbols, parse_symbol


def collapse_diagnostics(seqs: Sequence[Sequence[str]], max_pairs_of: int = 64) -> dict:
    """Share all-holds, share distinct, pitch-class entropy (bits) and mean pairwise edit distance."""
    from rapidfuzz.distance import Levenshtein
    from rapidfuzz.process import cdist
    from scipy.stats import entropy

    holds = [all(parse_symbol(s)[0] == "hold" for s in seq) for seq in seqs]
    pcs: Counter = Counter()
    for seq in seqs:
        for p, n in decode_symbols(seq):
            if p is not None:
                pcs[p % 12] += n
    sub = [list(s) for s in seqs[:max_pairs_of]]
    dist = np.asarray(cdist(sub, sub, scorer=Levenshtein.distance), float)
    n = len(sub)
    return {"all_holds": float(np.mean(holds)), "distinct": len({tuple(s) for s in seqs}) / len(seqs),
            "pitch_class_entropy": float(entropy(list(pcs.values()), base=2)) if pcs else 0.0,
            "mean_edit_distance": float(dist.sum() / (n * (n - 1))) if n > 1 else 0.0}


def collapsed(diag: dict) -> bool:
    """Mode collapse: over half the samples are only holds, or under 10% of them are distinct."""
    return diag["all_holds"] > 0.5 or diag["distinct"] < 0.1


def wilson_bounds(share: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval (95% by default) of a share observed in n samples."""
    centre = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(share * (1 - share) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def acceptable(diag: dict, n: int = DIAGNOSTIC_SAMPLES) -> bool:
    """Meets the shipping bar with 95% confidence from n samples: the all-holds share's upper Wilson bound is
    at most SHIP_MAX_ALL_HOLDS and the distinct share's lower bound at least SHIP_MIN_DISTINCT (point estimates
    hover around the bar from one draw of noise to the next)."""
    return (wilson_bounds(diag["all_holds"], n)[1] <= SHIP_MAX_ALL_HOLDS
            and wilson_bounds(diag["distinct"], n)[0] >= SHIP_MIN_DISTINCT)


def best_epoch(history: Sequence[dict]) -> int | None:
    """The epoch to keep: among those whose fixed-noise samples meet the shipping bar (`acceptable`), the least
    noisy (fewest repairs per sample); when none does, the least collapsed (fewest all-hold samples, then most
    distinct, then fewest repairs). None when every epoch collapsed."""
    good = [h for h in history if acceptable(h)]
    if good:
        return min(good, key=lambda h: (h["repairs_per_sample"], h["all_holds"], -h["distinct"]))["epoch"]
    ok = [h for h in history if not h.get("collapsed", 1.0)]
    if not ok:
        return None
    return min(ok, key=lambda h: (h["all_holds"], -h["distinct"], h["repairs_per_sample"]))["epoch"]


class Diagnostics(keras.callbacks.Callback):
    """Every epoch: `draw()` gives the samples of one fixed noise batch (symbols, repairs); their collapse
    diagnostics are added to the logs, with a warning on collapse."""

    def __init__(self, draw: Callable[[], tuple[list[list[str]], Counter]]):
        super().__init__()
        self.draw = draw

    def on_epoch_end(self, epoch, logs=None):
        import warnings

        seqs, repairs = self.draw()
        diag = collapse_diagnostics(seqs)
        logs.update(diag)
        logs["repairs_per_sample"] = sum(repairs.values()) / len(seqs)
        logs["collapsed"] = float(collapsed(diag))
        if logs["collapsed"]:
            warnings.warn(f"epoch {epoch + 1}: mode collapse ({diag['all_holds']:.0%} all holds, "
                          f"{diag['distinct']:.0%} distinct)", stacklevel=1)
