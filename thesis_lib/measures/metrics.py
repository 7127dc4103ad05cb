"""Objective measures of one melody and of a set's variety: MGEval features (Yang & Lerch 2018), bar fill, how
much of a melody comes back (repetition near and far), verbatim copying (novelty) and diversity. They receive
melodies; they never run a model."""

from __future__ import annotations

from typing import Sequence

import numpy as np


def edit_distances(seqs: Sequence[Sequence]) -> np.ndarray:
    """Levenshtein distances between all pairs of sequences of any lengths (symbols or ids), by rapidfuzz."""
    from rapidfuzz.distance import Levenshtein
    from rapidfuzz.process import cdist

    rows = [list(s) for s in seqs]
    return np.asarray(cdist(rows, rows, scorer=Levenshtein.distance, dtype=np.int64), float)


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
    "repetition_near": ("scalar", 1), "repetition_far": ("scalar", 1),
}

# repetition: a 16-step chunk (taken every 4 steps) repeats when the same 16 symbols sounded exactly L steps earlier,
# L in NEAR (within about a phrase: one to four bars of 4/4) or FAR (a phrase or more back)
CHUNK, HOP, NEAR, FAR = 16, 4, (16, 63), (64, 256)
REPETITION_MIN_STEPS = 96   # a set's repetition figures count the melodies at least this long


def entropy_bits(counts) -> float:
    """Shannon entropy in bits of a count vector (0 for an empty one), by scipy."""
    from scipy.stats import entropy

    c = np.asarray(counts, float)
    return float(entropy(c, base=2)) if c.sum() > 0 else 0.0


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


def repetition(symbols: Sequence[str]) -> tuple[int, int, int]:
    """(chunks, near, far): of the melody's 16-step chunks at steps 0, 4, 8, …, how many sounded exactly L steps
    earlier for some L in NEAR and for some L in FAR (symbols of one scheme, the thesis's for every source)."""
    seen: dict[tuple, list[int]] = {}
    symbols = list(symbols)
    for start in range(len(symbols) - CHUNK + 1):
        seen.setdefault(tuple(symbols[start:start + CHUNK]), []).append(start)
    chunks = near = far = 0
    for s in range(0, len(symbols) - CHUNK + 1, HOP):
        lags = [s - p for p in seen[tuple(symbols[s:s + CHUNK])] if p < s]
        chunks += 1
        near += any(NEAR[0] <= lag <= NEAR[1] for lag in lags)
        far += any(FAR[0] <= lag <= FAR[1] for lag in lags)
    return chunks, near, far


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
    from ..data.encoding import encode_events

    chunks, near, far = repetition(encode_events(events)) if events else (0, 0, 0)
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
        "pitch_entropy": entropy_bits(np.bincount(pitches) if len(pitches) else []),
        "pitch_class_entropy": entropy_bits(pc_hist),
        "bar_fill": bar_fill(events)[0],
        "repetition_near": near / chunks if chunks else 0.0,
        "repetition_far": far / chunks if chunks else 0.0,
    }


def feature_matrix(melodies: Sequence) -> dict[str, np.ndarray]:
    """Every feature of every melody (`Melody` values): name -> (n melodies, feature size) array."""
    rows = [melody_features(m.events) for m in melodies]
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
        return int(self.match_lengths(seq).max(initial=0))

    def copied_windows(self, seq: Sequence[str], window: int = 128) -> tuple[int, int]:
        """(copied, total) windows of `window` steps (8 bars of 4/4 by default) found verbatim in a song."""
        return copied_windows(self.match_lengths(seq), window)


def copied_windows(match_lengths: np.ndarray, window: int) -> tuple[int, int]:
    """(copied, total) windows of `window` steps, from `Novelty.match_lengths`: a window is copied when the run
    ending at its last step is at least the window long."""
    ends = match_lengths[window - 1:] if len(match_lengths) >= window else match_lengths[:0]
    return int((ends >= window).sum()), len(ends)


def diversity(sequences: Sequence[Sequence[str]], max_melodies: int = 64) -> dict:
    """Share of distinct melodies, and their mean pairwise edit distance divided by the longer length
    (over the first `max_melodies`)."""
    if not sequences:
        return {"distinct": 0.0, "mean_distance": 0.0}
    sub = [list(s) for s in sequences[:max_melodies]]
    d = edit_distances(sub)
    lengths = np.array([len(s) for s in sub])
    longer = np.maximum.outer(lengths, lengths).astype(float)
    i, j = np.triu_indices(len(sub), 1)
    return {"distinct": len({tuple(s) for s in sequences}) / len(sequences),
            "mean_distance": float((d[i, j] / np.maximum(longer[i, j], 1)).mean()) if len(i) else 0.0}
