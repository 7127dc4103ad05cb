"""Next-symbol scoring shared by every model: the song split, NLL in nats per step, perplexity, per-class accuracy."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .encoding import TrainingStream, Vocabulary, parse_symbol

# Target classes (Magenta's "event / no-event" idea, split further): ~80% of targets are holds or `/`,
# so plain accuracy flatters a model that only learned to hold.
CLASSES = ("note", "rest", "hold", "delimiter")
_KIND_TO_CLASS = {"onset": "note", "rest": "rest", "hold": "hold", "delimiter": "delimiter"}


def split_songs(n_songs: int, val_fraction: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Song indices (train, validation): a seeded shuffle, `val_fraction` of the songs held out (at least one)."""
    if n_songs < 2:
        raise ValueError(f"need at least 2 songs to hold some out, got {n_songs}")
    if not 0 < val_fraction < 1:
        raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction}")
    order = np.random.default_rng(seed).permutation(n_songs)
    n_val = min(n_songs - 1, max(1, round(n_songs * val_fraction)))
    return np.sort(order[n_val:]).astype(np.int32), np.sort(order[:n_val]).astype(np.int32)


def symbol_classes(vocab: Vocabulary) -> np.ndarray:
    """Class index (into CLASSES) of every vocabulary id."""
    return np.array([CLASSES.index(_KIND_TO_CLASS[parse_symbol(s)[0]]) for s in vocab.symbols], np.int32)


def target_positions(stream: TrainingStream, starts: np.ndarray) -> np.ndarray:
    """Stream positions of the next-symbol targets of windows (start + sequence_length)."""
    return np.asarray(starts, np.int64) + stream.sequence_length


def window_targets(stream: TrainingStream, starts: np.ndarray) -> np.ndarray:
    """The next-symbol target (id) of each window start."""
    return stream.ids[target_positions(stream, starts)]


def score_predictions(probs: np.ndarray, targets: np.ndarray, vocab: Vocabulary) -> dict:
    """NLL (nats/step), perplexity, accuracy and accuracy per target class of predicted distributions.

    probs: (N, V) next-symbol probabilities; targets: (N,) ids. A class absent from the targets gets None.
    """
    probs = np.asarray(probs, np.float64)
    targets = np.asarray(targets, np.int64)
    if probs.shape != (len(targets), len(vocab)):
        raise ValueError(f"probs must be ({len(targets)}, {len(vocab)}), got {probs.shape}")
    p_true = np.clip(probs[np.arange(len(targets)), targets], 1e-12, None)
    nll = float(-np.log(p_true).mean())
    correct = probs.argmax(axis=1) == targets
    out = {"n_targets": int(len(targets)), "nll": nll, "perplexity": float(np.exp(nll)),
           "accuracy": float(correct.mean())}
    cls = symbol_classes(vocab)[targets]
    for k, name in enumerate(CLASSES):
        mask = cls == k
        out[f"acc_{name}"] = float(correct[mask].mean()) if mask.any() else None
        out[f"share_{name}"] = float(mask.mean())
    return out


def model_table(rows: dict[str, dict], columns: Sequence[str] = ("nll", "perplexity", "accuracy", "acc_note",
                                                                  "acc_rest", "acc_hold", "acc_delimiter")):
    """One pandas table, a row per model, from `score_predictions` results."""
    import pandas as pd

    return pd.DataFrame({name: {c: r.get(c) for c in columns} for name, r in rows.items()}).T
