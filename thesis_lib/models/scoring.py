"""Next-symbol scoring shared by every model: NLL in nats per step, perplexity, per-class accuracy, pitch bits per note."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..data.encoding import TrainingStream, Vocabulary, parse_symbol

# Target classes (Magenta's "event / no-event" idea, split further): most targets are holds or `/`,
# so plain accuracy flatters a model that only learned to hold.
CLASSES = ("note", "rest", "hold", "delimiter")
_KIND_TO_CLASS = {"onset": "note", "rest": "rest", "hold": "hold", "delimiter": "delimiter"}


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
    """NLL (nats/step), perplexity, accuracy and accuracy per target class of predicted distributions, and the
    pitch cross-entropy in bits per note (`pitch_bits`, IDyOM's unit).

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
    out["pitch_bits"], out["n_notes"] = pitch_bits(probs, targets, vocab)
    return out


def pitch_bits(probs: np.ndarray, targets: np.ndarray, vocab: Vocabulary) -> tuple[float | None, int]:
    """Mean -log2 P(true pitch) over the steps where a note starts, with the model's probabilities renormalised
    over the pitch symbols (as IDyOM predicts the pitch of each note, its onset given), and how many notes."""
    pitch_ids = np.array([i for i, s in enumerate(vocab.symbols) if parse_symbol(s)[0] == "onset"])
    notes = np.isin(targets, pitch_ids)
    if not notes.any():
        return None, 0
    p = np.asarray(probs, np.float64)[notes]
    true = np.clip(p[np.arange(len(p)), targets[notes]], 1e-12, None)
    return float(-np.log2(true / p[:, pitch_ids].sum(axis=1)).mean()), int(notes.sum())


def model_table(rows: dict[str, dict], columns: Sequence[str] = ("nll", "perplexity", "accuracy", "acc_note",
                                                                  "acc_rest", "acc_hold", "acc_delimiter",
                                                                  "pitch_bits")):
    """One pandas table, a row per model, from `score_predictions` results."""
    import pandas as pd

    return pd.DataFrame({name: {c: r.get(c) for c in columns} for name, r in rows.items()}).T
