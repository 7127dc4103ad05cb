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


def sample(p: np.ndarray, temperature: float, rng: np.random.Generator) -> np.ndarray:
    """Draw one index per distribution (last axis) after `apply_temperature`."""
    q = apply_temperature(p, temperature)
    flat = q.reshape(-1, q.shape[-1])
    u = rng.random((flat.shape[0], 1))
    idx = (flat.cumsum(axis=-1) < u).sum(axis=-1)
    return np.minimum(idx, q.shape[-1] - 1).reshape(q.shape[:-1])


def entropy(p: np.ndarray) -> np.ndarray:
    """Shannon entropy in nats of distributions on the last axis."""
    p = np.asarray(p, dtype=np.float64)
    return -(np.where(p > 0, p * np.log(np.clip(p, 1e-300, None)), 0.0)).sum(axis=-1)


def must_start(p: np.ndarray, delimiter: int, primer) -> np.ndarray:
    """Without a primer, take the delimiter out of the first step's distributions (renormalised).

    After a run of `/` an empty melody is never what was asked for, and no model here can count the
    64 `/` exactly (an n-gram sees n-1 symbols, the LSTM only approximates a count).
    """
    if len(primer):
        return p
    p = np.array(p, np.float64)
    p[:, delimiter] = 0.0
    return p / p.sum(axis=1, keepdims=True)
