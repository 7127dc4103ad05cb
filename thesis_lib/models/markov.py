"""The n-gram (Markov) baseline: next symbol from the previous n-1, interpolated absolute discounting.

Counts live in numpy arrays keyed by an integer code of each context, so fitting the whole corpus and
scoring every validation window take a second or two; `choose_order` picks n on the validation songs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np

from ..core.config import DELIMITER, MAX_STEPS, NGRAM_DISCOUNT, THESIS
from ..core.sampling import sample, without
from ..data.encoding import TrainingStream, Vocabulary, start_banned, until_delimiter
from .scoring import score_predictions, target_positions, window_targets


def context_keys(ids: np.ndarray, positions: np.ndarray, k: int, vocab_size: int) -> np.ndarray:
    """Integer code of the k symbols before each position (base-V digits; 0 for k = 0)."""
    positions = np.asarray(positions, np.int64)
    key = np.zeros(len(positions), np.int64)
    for j in range(k):
        key = key * vocab_size + ids[positions - k + j]
    return key


@dataclass
class _Level:
    keys: np.ndarray     # sorted context codes
    counts: np.ndarray   # (contexts, V) counts of the next symbol
    totals: np.ndarray   # (contexts,) counts of the context
    types: np.ndarray    # (contexts,) distinct next symbols seen after it


@dataclass
class NGram:
    """An order-n model: P(w | previous n-1 symbols), each order interpolated with the one below."""

    order: int
    vocab_size: int
    discount: float = NGRAM_DISCOUNT
    levels: list = field(default_factory=list)
    unigram: np.ndarray | None = None

    def fit(self, ids: np.ndarray, positions: np.ndarray) -> "NGram":
        """Count the symbol at each target position after its contexts (positions must be >= order - 1)."""
        if self.order < 1:
            raise ValueError(f"order must be >= 1, got {self.order}")
        ids, positions = np.asarray(ids, np.int64), np.asarray(positions, np.int64)
        if len(positions) and positions.min() < self.order - 1:
            raise ValueError("every target position needs order - 1 symbols before it")
        V, targets = self.vocab_size, ids[positions]
        self.unigram = (np.bincount(targets, minlength=V) + 1.0) / (len(targets) + V)  # add-one at the bottom
        self.levels = []
        for k in range(1, self.order):
            keys, inverse = np.unique(context_keys(ids, positions, k, V), return_inverse=True)
            counts = np.zeros((len(keys), V), np.float32)
            np.add.at(counts, (inverse, targets), 1.0)
            self.levels.append(_Level(keys, counts, counts.sum(1), (counts > 0).sum(1).astype(np.float32)))
        return self

    def distributions(self, ids: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """(N, V) next-symbol probabilities for the symbols before each position."""
        ids, positions = np.asarray(ids, np.int64), np.asarray(positions, np.int64)
        p = np.tile(self.unigram, (len(positions), 1))
        for k, lv in enumerate(self.levels, start=1):
            key = context_keys(ids, positions, k, self.vocab_size)
            row = np.minimum(np.searchsorted(lv.keys, key), len(lv.keys) - 1)
            seen = lv.keys[row] == key if len(lv.keys) else np.zeros(len(key), bool)
            if not seen.any():
                continue
            r = row[seen]
            tot = lv.totals[r][:, None]
            higher = np.maximum(lv.counts[r] - self.discount, 0.0) / tot
            p[seen] = higher + (self.discount * lv.types[r][:, None] / tot) * p[seen]
        return p

    def generate(self, vocab: Vocabulary, n: int = 1, *, temperature: float = 1.0, max_steps: int = MAX_STEPS,
                 seed: int = 0, primer: Sequence[str] = (), context: int = THESIS.separator_length) -> list[list[str]]:
        """Sample n melodies after `context` × `/` (+ primer), each until `/` or max_steps; primer included.

        An n-gram sees only n-1 symbols, so after a run of `/` it cannot tell that the song should
        start: the first symbol is drawn with `/` excluded.
        """
        rng = np.random.default_rng(seed)
        delim = vocab.id(DELIMITER)
        start = [delim] * context + list(vocab.encode(primer))
        buf = np.tile(np.array(start, np.int64), (n, 1))
        buf = np.concatenate([buf, np.full((n, max_steps), delim, np.int64)], axis=1)
        done = np.zeros(n, bool)
        for t in range(len(start), len(start) + max_steps):
            # one row per melody: its own buffer, target position t
            rows = np.arange(n) * buf.shape[1] + t
            p = self.distributions(buf.reshape(-1), rows)
            if t == len(start):  # the first new symbol is never `/` (primer or not), nor a hold without a primer
                p = without(p, [delim] if len(primer) else start_banned(vocab))
            nxt = sample(p, temperature, rng)
            buf[:, t] = np.where(done, delim, nxt)
            done |= nxt == delim
            if done.all():
                break
        return [until_delimiter(vocab.decode(row[len(start) - len(primer):])) for row in buf]


def choose_order(stream: TrainingStream, train_starts: np.ndarray, val_starts: np.ndarray, vocab_size: int,
                 orders: Iterable[int] = range(1, 11), discounts: Iterable[float] = (0.5, 0.75, 0.9)
                 ) -> tuple[NGram, list[dict]]:
    """Fit every (order, discount) on the train windows' targets; keep the lowest validation NLL.

    Returns the chosen model and one row per candidate: order, discount, val_nll (nats per step).
    """
    tr, va = target_positions(stream, train_starts), target_positions(stream, val_starts)
    y = stream.ids[va]
    rows, best = [], None
    for order in orders:
        for d in discounts:
            m = NGram(order, vocab_size, d).fit(stream.ids, tr)
            p = m.distributions(stream.ids, va)
            nll = float(-np.log(np.clip(p[np.arange(len(y)), y], 1e-12, None)).mean())
            rows.append({"order": order, "discount": d, "val_nll": nll})
            if best is None or nll < best[0]:
                best = (nll, m)
    return best[1], rows


def majority_distributions(stream: TrainingStream, train_starts: np.ndarray, n: int, vocab_size: int) -> np.ndarray:
    """The majority-class baseline: argmax is the commonest training target; probabilities are its add-one unigram."""
    m = NGram(1, vocab_size).fit(stream.ids, target_positions(stream, train_starts))
    return np.tile(m.unigram, (n, 1))


def baseline_scores(stream: TrainingStream, train_starts: np.ndarray, val_starts: np.ndarray,
                    vocab: Vocabulary) -> tuple[dict, NGram, list[dict]]:
    """Scores of the majority-class and the best n-gram baseline on the held-out windows.

    Returns ({name: score_predictions(...)}, the chosen n-gram, the order/discount search rows).
    """
    y = window_targets(stream, val_starts)
    best, rows = choose_order(stream, train_starts, val_starts, len(vocab))
    scores = {"majority class": score_predictions(majority_distributions(stream, train_starts, len(y), len(vocab)),
                                                  y, vocab),
              f"{best.order}-gram": score_predictions(best.distributions(stream.ids, target_positions(stream, val_starts)),
                                                      y, vocab)}
    return scores, best, rows
