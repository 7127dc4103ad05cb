"""Objective measures of generated melodies: distinctness, pairwise edit distance, mode collapse."""

from __future__ import annotations

from collections import Counter
from typing import Sequence

import numpy as np

from .encoding import decode_symbols, parse_symbol


def edit_distance_matrix(seqs: np.ndarray) -> np.ndarray:
    """Levenshtein distances between all pairs of equal-length id rows (vectorised over pairs)."""
    seqs = np.asarray(seqs)
    n, length = seqs.shape
    i, j = np.triu_indices(n, 1)
    a, b = seqs[i], seqs[j]
    prev = np.tile(np.arange(length + 1), (len(i), 1))
    for r in range(1, length + 1):
        cur = np.empty_like(prev)
        cur[:, 0] = r
        sub = prev[:, :-1] + (a[:, r - 1:r] != b)
        dele = prev[:, 1:] + 1
        best = np.minimum(sub, dele)
        for c in range(1, length + 1):  # insertion runs along the row
            cur[:, c] = np.minimum(best[:, c - 1], cur[:, c - 1] + 1)
        prev = cur
    out = np.zeros((n, n))
    out[i, j] = out[j, i] = prev[:, -1]
    return out


def collapse_diagnostics(seqs: Sequence[Sequence[str]], max_pairs_of: int = 64) -> dict:
    """Share all-holds, share distinct, pitch-class entropy (bits) and mean pairwise edit distance."""
    holds = [all(parse_symbol(s)[0] == "hold" for s in seq) for seq in seqs]
    pcs: Counter = Counter()
    for seq in seqs:
        for p, n in decode_symbols(seq):
            if p is not None:
                pcs[p % 12] += n
    total = sum(pcs.values())
    ent = -sum(c / total * np.log2(c / total) for c in pcs.values()) if total else 0.0
    vocab = {s: k for k, s in enumerate(sorted({s for seq in seqs for s in seq}))}
    sub = np.array([[vocab[s] for s in seq] for seq in seqs[:max_pairs_of]])
    dist = edit_distance_matrix(sub) if len(sub) > 1 else np.zeros((1, 1))
    n = len(sub)
    return {"all_holds": float(np.mean(holds)), "distinct": len({tuple(s) for s in seqs}) / len(seqs),
            "pitch_class_entropy": float(ent),
            "mean_edit_distance": float(dist.sum() / (n * (n - 1))) if n > 1 else 0.0}


def collapsed(diag: dict) -> bool:
    """Mode collapse: over half the samples are only holds, or under 10% of them are distinct."""
    return diag["all_holds"] > 0.5 or diag["distinct"] < 0.1
