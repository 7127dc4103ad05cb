"""What makes a melody a whole tune, measured on a set (07_tunes): whether its phrases come back (repetition near and
far, `metrics.repetition`), how long it is, how it ends (on the tonic, on a downbeat, at a bar line), and whether
the meter and mode it was asked for are heard in it: read back by the meter reader (`data.meter`, fitted on real
songs) and the mode analysis (`theory.melody_mode`), which never saw what was asked.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Sequence

import numpy as np

from ..core.config import TONIC
from ..data.encoding import bar_steps, encode_events
from ..data.melody import Melody
from .metrics import REPETITION_MIN_STEPS, repetition


def ending(melody: Melody) -> dict:
    """How a melody ends: its last note on the tonic of its mode (C, or A in minor), that note on the downbeat of
    its bar, and the melody filling whole bars (`bar_line`: its last bar full, or completing its pickup bar, as
    folk tunes are written)."""
    notes, t = [], 0
    for p, n in melody.events:
        if p is not None:
            notes.append((p, t))
        t += n
    if not notes:
        return {"tonic": False, "downbeat": False, "bar_line": False}
    bar = bar_steps(melody.meter)
    pitch, onset = notes[-1]
    tonic = pitch % 12 == TONIC[melody.mode]
    at = (onset + bar - melody.pickup) % bar
    return {"tonic": bool(tonic), "downbeat": at == 0, "bar_line": (t - melody.pickup) % bar == 0 or t % bar == 0}


def figures(melodies: Sequence[Melody], asked: bool = True) -> dict:
    """A set's figures: repetition near and far (chunks of the melodies of at least 96 steps), the median length,
    the shares ending on the tonic, on a downbeat and at a bar line, and, with `asked` (the melodies were written
    in a meter and mode asked for, their stated ones), the share of each asked meter and of each mode read back."""
    from ..data import meter as meters
    from ..data.theory import melody_mode

    melodies = [m for m in melodies if m.events]
    counts = np.array([repetition(encode_events(m.events)) for m in melodies
                       if m.steps >= REPETITION_MIN_STEPS]).reshape(-1, 3).sum(axis=0)
    ends = [ending(m) for m in melodies]
    out = {"melodies": len(melodies), "median_steps": float(np.median([m.steps for m in melodies])),
           "repetition_near": float(counts[1] / counts[0]) if counts[0] else None,
           "repetition_far": float(counts[2] / counts[0]) if counts[0] else None,
           **{f"ends_{k}": float(np.mean([e[k] for e in ends])) for k in ("tonic", "downbeat", "bar_line")}}
    if asked:
        read = defaultdict(list)
        for m in melodies:
            if m.stated_meter in meters.METERS:
                read[m.stated_meter].append(meters.infer(m.events)[0] == m.stated_meter)
        out["meter_read_back"] = {k: float(np.mean(v)) for k, v in sorted(read.items())}
        out["meter_tunes"] = {k: len(v) for k, v in sorted(read.items())}
        out["mode_read_back"] = float(np.mean([melody_mode(m.events) == m.mode for m in melodies]))
        out["modes"] = dict(Counter(m.mode for m in melodies))
    return out



def repeat_lags(tunes, lookback: Sequence[int] = (1, 2, 4, 8)) -> dict:
    """Whether a copy from `lookback` bars back could make the repeats of barred tunes (`tunes_data.Tune`, those of
    at least 96 steps): of their chunks that come back near and far (`metrics.repetition`'s ranges), how many do
    at one of those bars' distances ("lookback"), only at other whole bars ("other bars") or only at lags that are
    not whole bars ("not bars"); and the chunks in all. Why `copy8` looks back every bar from 1 to 8."""
    from .metrics import CHUNK, FAR, HOP, NEAR

    out = {"chunks": 0, "near": Counter(), "far": Counter()}
    for t in tunes:
        s = list(t.symbols)
        if len(s) < REPETITION_MIN_STEPS:
            continue
        seen: dict[tuple, list[int]] = {}
        for start in range(len(s) - CHUNK + 1):
            seen.setdefault(tuple(s[start:start + CHUNK]), []).append(start)
        for start in range(0, len(s) - CHUNK + 1, HOP):
            out["chunks"] += 1
            lags = [start - p for p in seen[tuple(s[start:start + CHUNK])] if p < start]
            for kind, (lo, hi) in (("near", NEAR), ("far", FAR)):
                bars = {lag // t.bar for lag in lags if lo <= lag <= hi and lag % t.bar == 0}
                if any(lo <= lag <= hi for lag in lags):
                    out[kind]["lookback" if bars & set(lookback) else "other bars" if bars else "not bars"] += 1
    return out
