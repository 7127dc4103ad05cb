"""Temperature sampling (§3.1): pred = log(p) / T, p' = exp(pred) / sum(exp(pred)); T = 0 means argmax."""

from __future__ import annotations

import numpy as np


def apply_temperature(p: np.ndarray, temperature: float) -> np.ndarray:
    """Reweight distributions (last axis) by temperature; T=0 gives a one-hot argmax, never NaN."""
    p = np.asarray(p, dtype=np.float64)
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")
    if temperature == 0:
        return np.eye(p.shape[-1])[np.argmax(p, axis=-1)]
    logits = np.log(np.clip(p, np.finfo(np.float64).tiny, None)) / temperature
    logits -= logits.max(axis=-1, keepdims=True)  # exp never overflows; the max becomes exp(0) = 1
    q = np.exp(logits)
    return q / q.sum(axis=-1, keepdims=True)


def sample(p: np.ndarray, temperature: float, rng: np.random.Generator, *, rows: np.ndarray | None = None,
           batch: int | None = None) -> np.ndarray:
    """Draw one index per distribution (last axis) after `apply_temperature`. With `rows` (p holds those rows of a
    batch of `batch`), the draws are made for the whole batch and those rows' used: a tune gets the same draws
    whichever of its batch's tunes have already ended."""
    q = apply_temperature(p, temperature)
    flat = q.reshape(-1, q.shape[-1])
    u = rng.random((flat.shape[0] if rows is None else batch, 1))
    if rows is not None:
        u = u[rows]
    idx = (flat.cumsum(axis=-1) < u).sum(axis=-1)
    return np.minimum(idx, q.shape[-1] - 1).reshape(q.shape[:-1])


def without(p: np.ndarray, banned) -> np.ndarray:
    """Distributions (last axis) with the `banned` ids taken out and the rest renormalised; where nothing else
    had any probability, the rest share it equally."""
    p = np.array(p, np.float64)
    p[..., list(banned)] = 0.0
    total = p.sum(axis=-1, keepdims=True)
    allowed = np.ones(p.shape[-1])
    allowed[list(banned)] = 0.0
    return np.where(total > 0, p / np.where(total > 0, total, 1.0), allowed / allowed.sum())


def must_start(p: np.ndarray, banned, primer) -> np.ndarray:
    """Without a primer, the first new symbol is a note or a rest: `/` and holds are taken out (renormalised).

    After a run of `/` an empty melody is never what was asked for, and no model here can count the
    64 `/` exactly (an n-gram sees n-1 symbols, the LSTM only approximates a count); a hold with no note
    before it would hold nothing.
    """
    return p if len(primer) else without(p, banned)
