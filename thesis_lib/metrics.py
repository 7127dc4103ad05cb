"""Objective measures of generated melodies: distinctness, pairwise edit distance, mode collapse."""

from __future__ import annotations

from collections import Counter
from typing import Sequence

import numpy as np

from .encoding import decode_symbols, parse_symbol


def _row_distances(a: np.ndarray, others: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Levenshtein distances from id row `a` to each padded row of `others` (true lengths given), at once.

    Padding never changes a DP cell left of a row's true length, so reading column `lengths` is exact.
    """
    m = others.shape[1]
    cols = np.arange(m + 1)
    prev = np.tile(cols, (len(others), 1))
    for r in range(1, len(a) + 1):
        sub = prev[:, :-1] + (others != a[r - 1])
        best = np.concatenate([np.full((len(others), 1), r), np.minimum(sub, prev[:, 1:] + 1)], axis=1)
        # insertions along the row: cur[c] = min_k<=c (best[k] + c - k), a running minimum
        prev = np.minimum.accumulate(best - cols, axis=1) + cols
    return prev[np.arange(len(others)), lengths]


def edit_distances(seqs: Sequence[Sequence[int]]) -> np.ndarray:
    """Levenshtein distances between all pairs of id rows of any lengths (a symmetric matrix)."""
    rows = [np.asarray(s, np.int64) for s in seqs]
    n = len(rows)
    out = np.zeros((n, n))
    for i in range(n - 1):
        rest = rows[i + 1:]
        lengths = np.array([len(r) for r in rest])
        padded = np.full((len(rest), max(lengths.max(), 1)), -1, np.int64)
        for k, r in enumerate(rest):
            padded[k, :len(r)] = r
        out[i, i + 1:] = out[i + 1:, i] = _row_distances(rows[i], padded, lengths)
    return out


def edit_distance_matrix(seqs: np.ndarray) -> np.ndarray:
    """Levenshtein distances between all pairs of equal-length id rows."""
    return edit_distances(list(np.asarray(seqs)))


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


# --------------------------------------------------------------------------- per-melody features (MGEval)

NOTE_LENGTHS = (1, 2, 3, 4, 6, 8, 12, 16)  # 16th, 8th, dotted 8th, quarter, dotted quarter, half, dotted half, whole
BAR_LENGTHS = (8, 12, 16)                   # 2/4, 3/4 or 6/8, 4/4 in 16th steps
_MAJOR = (0, 2, 4, 5, 7, 9, 11)
_HARMONIC_MINOR = (0, 2, 3, 5, 7, 8, 11)
SCALES = tuple(frozenset((t + d) % 12 for d in shape) for shape in (_MAJOR, _HARMONIC_MINOR) for t in range(12))

# name -> (kind, size): "scalar" features compare by absolute difference, "vector" ones by Euclidean distance
FEATURES = {
    "pitch_count": ("scalar", 1), "pitch_class_histogram": ("vector", 12),
    "pitch_class_transition": ("vector", 144), "pitch_range": ("scalar", 1),
    "avg_pitch_interval": ("scalar", 1), "note_count": ("scalar", 1), "avg_ioi": ("scalar", 1),
    "note_length_histogram": ("vector", len(NOTE_LENGTHS) + 1), "scale_consistency": ("scalar", 1),
    "pitch_entropy": ("scalar", 1), "pitch_class_entropy": ("scalar", 1), "bar_fill": ("scalar", 1),
}


def _entropy(counts) -> float:
    """Shannon entropy in bits of a count vector (0 for an empty one)."""
    c = np.asarray([v for v in counts if v > 0], float)
    return float(-(c / c.sum() * np.log2(c / c.sum())).sum()) if c.size else 0.0


def bar_fill(events: Sequence[tuple], bar_lengths: Sequence[int] = BAR_LENGTHS) -> tuple[float, int]:
    """How well the durations fill whole bars: under the best-fitting bar length and pickup, the share of bar
    lines that fall on an onset (no note or rest held across them). Returns (share, bar length); (1.0, 0) when
    the melody is too short to contain a bar line."""
    onsets, t = set(), 0
    for _, steps in events:
        onsets.add(t)
        t += steps
    best = (1.0, 0)
    first = True
    for bar in bar_lengths:
        for phase in range(bar):
            lines = range(phase or bar, t, bar)
            if len(lines) == 0:
                continue
            share = sum(x in onsets for x in lines) / len(lines)
            if first or share > best[0]:
                best, first = (share, bar), False
    return best


def melody_features(events: Sequence[tuple]) -> dict[str, np.ndarray | float]:
    """The MGEval features of one melody (events of (pitch or None, 16th steps)), plus scale consistency,
    entropies and bar fill. Degenerate melodies (no notes, one note) get 0 where a feature is undefined."""
    notes = [(p, n) for p, n in events if p is not None]
    pitches = np.array([p for p, _ in notes], int)
    pcs = pitches % 12
    onsets, t = [], 0
    for p, n in events:
        if p is not None:
            onsets.append(t)
        t += n
    pc_hist = np.bincount(pcs, minlength=12).astype(float)
    trans = np.zeros((12, 12))
    if len(pcs) > 1:
        np.add.at(trans, (pcs[:-1], pcs[1:]), 1.0)
    lengths = np.zeros(len(NOTE_LENGTHS) + 1)
    for _, n in notes:
        lengths[NOTE_LENGTHS.index(n) if n in NOTE_LENGTHS else -1] += 1
    in_scale = max((sum(pc in sc for pc in pcs) for sc in SCALES), default=0)
    return {
        "pitch_count": float(len(set(pitches.tolist()))),
        "pitch_class_histogram": pc_hist / max(pc_hist.sum(), 1.0),
        "pitch_class_transition": (trans / max(trans.sum(), 1.0)).ravel(),
        "pitch_range": float(pitches.max() - pitches.min()) if len(pitches) else 0.0,
        "avg_pitch_interval": float(np.abs(np.diff(pitches)).mean()) if len(pitches) > 1 else 0.0,
        "note_count": float(len(notes)),
        "avg_ioi": float(np.diff(onsets).mean()) if len(onsets) > 1 else 0.0,
        "note_length_histogram": lengths / max(lengths.sum(), 1.0),
        "scale_consistency": in_scale / len(pcs) if len(pcs) else 0.0,
        "pitch_entropy": _entropy(np.bincount(pitches) if len(pitches) else []),
        "pitch_class_entropy": _entropy(pc_hist),
        "bar_fill": bar_fill(events)[0],
    }


def feature_matrix(melodies: Sequence[Sequence[tuple]]) -> dict[str, np.ndarray]:
    """Every feature of every melody: name -> (n melodies, feature size) array."""
    rows = [melody_features(m) for m in melodies]
    return {name: np.array([np.atleast_1d(r[name]) for r in rows], float).reshape(len(rows), size)
            for name, (_, size) in FEATURES.items()}


# --------------------------------------------------------------------------- novelty and diversity

class Novelty:
    """Verbatim copying from a reference set, via a suffix automaton over the reference songs' symbols.

    `match_lengths(seq)[i]` is the length of the longest run ending at position i of seq that occurs
    verbatim inside one reference song (songs are separated, so no run spans two of them).
    """

    def __init__(self, reference: Sequence[Sequence[str]]):
        self.link, self.length, self.next = [-1], [0], [{}]
        last = 0
        for k, song in enumerate(reference):
            for sym in [*song, ("|", k)]:  # a separator unique to each song: matches never cross songs
                last = self._extend(last, sym)

    def _extend(self, last: int, sym) -> int:
        """Standard online suffix-automaton construction (Blumer et al.)."""
        link, length, nxt = self.link, self.length, self.next
        cur = len(length)
        length.append(length[last] + 1), link.append(-1), nxt.append({})
        p = last
        while p != -1 and sym not in nxt[p]:
            nxt[p][sym] = cur
            p = link[p]
        if p == -1:
            link[cur] = 0
        else:
            q = nxt[p][sym]
            if length[p] + 1 == length[q]:
                link[cur] = q
            else:
                clone = len(length)
                length.append(length[p] + 1), link.append(link[q]), nxt.append(dict(nxt[q]))
                while p != -1 and nxt[p].get(sym) == q:
                    nxt[p][sym] = clone
                    p = link[p]
                link[q] = link[cur] = clone
        return cur

    def match_lengths(self, seq: Sequence[str]) -> np.ndarray:
        """For each position, the longest run ending there that is a substring of one reference song."""
        out, state, n = np.zeros(len(seq), int), 0, 0
        for i, sym in enumerate(seq):
            while state and sym not in self.next[state]:
                state = self.link[state]
                n = self.length[state]
            if sym in self.next[state]:
                state, n = self.next[state][sym], n + 1
            out[i] = n
        return out

    def longest_copy(self, seq: Sequence[str]) -> int:
        """The longest run of symbols of seq that occurs verbatim in a reference song."""
        return self.copies(seq)[0]

    def copied_windows(self, seq: Sequence[str], window: int = 128) -> tuple[int, int]:
        """(copied, total) windows of `window` steps (8 bars of 4/4 by default) found verbatim in a song."""
        return self.copies(seq, window)[1:]

    def copies(self, seq: Sequence[str], window: int = 128) -> tuple[int, int, int]:
        """(longest copied run, copied windows, total windows) from one walk of the automaton."""
        lengths = self.match_lengths(seq)
        ends = lengths[window - 1:] if len(seq) >= window else lengths[:0]
        return int(lengths.max(initial=0)), int((ends >= window).sum()), len(ends)


def diversity(sequences: Sequence[Sequence[str]], max_melodies: int = 64) -> dict:
    """Share of distinct melodies, and their mean pairwise edit distance divided by the longer length
    (over the first `max_melodies`)."""
    if not sequences:
        return {"distinct": 0.0, "mean_distance": 0.0}
    sub = [list(s) for s in sequences[:max_melodies]]
    ids = {s: k for k, s in enumerate(sorted({x for seq in sub for x in seq}))}
    d = edit_distances([[ids[x] for x in seq] for seq in sub])
    lengths = np.array([len(s) for s in sub])
    longer = np.maximum.outer(lengths, lengths).astype(float)
    i, j = np.triu_indices(len(sub), 1)
    return {"distinct": len({tuple(s) for s in sequences}) / len(sequences),
            "mean_distance": float((d[i, j] / np.maximum(longer[i, j], 1)).mean()) if len(i) else 0.0}
