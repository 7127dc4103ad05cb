"""Set against set (Yang & Lerch 2018): per-feature distance distributions, their overlap and KL divergence,
novelty against the training songs, diversity, and a two-sample classifier; the comparison table of 06_survey.

A *set* is a list of melodies, each a list of events (pitch or None, 16th steps). The reference is the
embedded ballads' training side of the LSTM's song split (seed 0), so held-out songs give the ceiling.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from .encoding import encode_events
from .metrics import FEATURES, Novelty, diversity, feature_matrix

MELODY_SUFFIXES = (".krn", ".abc", ".musicxml", ".xml", ".mxl", ".mid", ".midi", ".txt")  # preference per stem


# --------------------------------------------------------------------------- distances, KDE, OA, KL

def set_distances(a: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
    """Euclidean distances between feature rows: all pairs within `a` (b None), else every a-b pair."""
    if b is None:
        i, j = np.triu_indices(len(a), 1)
        return np.linalg.norm(a[i] - a[j], axis=1)
    return np.linalg.norm(a[:, None, :] - b[None, :, :], axis=2).ravel()


def kde(samples: np.ndarray, grid: np.ndarray, floor: float) -> np.ndarray:
    """Gaussian kernel density of 1-D samples on a grid; Silverman's bandwidth, never below `floor`."""
    x = np.asarray(samples, float)
    spread = min(x.std(), (np.percentile(x, 75) - np.percentile(x, 25)) / 1.34) if len(x) > 1 else 0.0
    if spread <= 0:
        spread = x.std()
    bw = max(0.9 * spread * len(x) ** -0.2, floor)
    z = (grid[:, None] - x[None, :]) / bw
    return np.exp(-0.5 * z * z).sum(1) / (len(x) * bw * np.sqrt(2 * np.pi))


def overlap_and_kl(intra: np.ndarray, inter: np.ndarray, points: int = 512, max_samples: int = 4000,
                   seed: int = 0) -> tuple[float, float]:
    """Overlapped area of the two smoothed distributions (1 = the same) and KL(intra || inter) in nats."""
    rng = np.random.default_rng(seed)
    intra, inter = (x if len(x) <= max_samples else rng.choice(x, max_samples, replace=False) for x in (intra, inter))
    scale = max(np.ptp(np.concatenate([intra, inter])), 1e-9)
    floor = scale / 100
    lo, hi = min(intra.min(), inter.min()) - 3 * floor, max(intra.max(), inter.max()) + 3 * floor
    grid = np.linspace(lo, hi, points)
    p, q = kde(intra, grid, floor), kde(inter, grid, floor)
    dx = grid[1] - grid[0]
    p, q = p / (p.sum() * dx), q / (q.sum() * dx)
    oa = float(np.minimum(p, q).sum() * dx)
    kl = float((p * np.log((p + 1e-12) / (q + 1e-12))).sum() * dx)
    return oa, max(kl, 0.0)


# --------------------------------------------------------------------------- the reference

@dataclass
class Reference:
    """A reference set: its melodies, their features (a seeded subsample for distances) and a novelty index."""

    name: str
    melodies: list
    features: dict
    novelty: Novelty

    @classmethod
    def build(cls, name: str, melodies: Sequence[Sequence[tuple]], max_for_distances: int = 200,
              seed: int = 0) -> "Reference":
        """Index all melodies for novelty; features of up to `max_for_distances` of them for the distributions."""
        rng = np.random.default_rng(seed)
        pick = np.sort(rng.choice(len(melodies), min(max_for_distances, len(melodies)), replace=False))
        return cls(name, list(melodies), feature_matrix([melodies[k] for k in pick]),
                   Novelty([encode_events(m) for m in melodies]))


def embedded_split(seed: int = 0, val_fraction: float = 0.1) -> tuple[list, list]:
    """(training songs, held-out songs) of the embedded ballads, as event lists: the LSTM's split by song."""
    from .corpus import load_corpus
    from .scoring import split_songs

    songs = load_corpus(progress=False).songs
    train, held = split_songs(len(songs), val_fraction, seed)
    return [list(songs[k].events) for k in train], [list(songs[k].events) for k in held]


# --------------------------------------------------------------------------- one set against the reference

def two_sample_accuracy(a: dict, b: dict, folds: int = 5, seed: int = 0, l2: float = 1.0) -> float | None:
    """Held-out accuracy of an L2 logistic regression telling set a from set b by all features (k-fold, equal
    class sizes, so 0.5 means indistinguishable). None when either set has fewer than `folds` melodies."""
    xa = np.concatenate([a[f] for f in FEATURES], axis=1)
    xb = np.concatenate([b[f] for f in FEATURES], axis=1)
    k = min(len(xa), len(xb))
    if k < folds:
        return None
    rng = np.random.default_rng(seed)
    xa, xb = xa[rng.choice(len(xa), k, replace=False)], xb[rng.choice(len(xb), k, replace=False)]
    x, y = np.concatenate([xa, xb]), np.r_[np.ones(k), np.zeros(k)]
    fold = np.concatenate([rng.permutation(np.arange(k) % folds), rng.permutation(np.arange(k) % folds)])
    right = 0
    for f in range(folds):
        tr, te = fold != f, fold == f
        mu, sd = x[tr].mean(0), x[tr].std(0) + 1e-9
        w = _logistic_fit((x[tr] - mu) / sd, y[tr], l2)
        z = np.c_[np.ones(te.sum()), (x[te] - mu) / sd] @ w
        right += int(((z > 0) == (y[te] == 1)).sum())
    return right / len(y)


def _logistic_fit(x: np.ndarray, y: np.ndarray, l2: float, iterations: int = 25) -> np.ndarray:
    """Newton's method for L2-penalised logistic regression (intercept not penalised); weights with intercept."""
    xb = np.c_[np.ones(len(x)), x]
    w = np.zeros(xb.shape[1])
    pen = np.full(xb.shape[1], l2)
    pen[0] = 0.0
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-np.clip(xb @ w, -30, 30)))
        grad = xb.T @ (p - y) + pen * w
        hess = (xb * (p * (1 - p))[:, None]).T @ xb + np.diag(pen + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def evaluate_set(melodies: Sequence[Sequence[tuple]], reference: Reference, seed: int = 0) -> dict:
    """One row of the table: per-feature OA and KL against the reference, their means, novelty, diversity,
    bar fill and the two-sample accuracy."""
    if not melodies:
        raise ValueError("an empty set has nothing to evaluate")
    feats = feature_matrix(melodies)
    row: dict = {"melodies": len(melodies)}
    oas, kls = [], []
    for name in FEATURES:
        intra_ref = set_distances(reference.features[name])
        inter = set_distances(feats[name], reference.features[name])
        oa, kl = overlap_and_kl(intra_ref, inter, seed=seed)
        row[f"oa_{name}"], row[f"kl_{name}"] = oa, kl
        oas.append(oa)
        kls.append(kl)
    seqs = [encode_events(m) for m in melodies]
    found = np.array([reference.novelty.copies(s) for s in seqs]).reshape(-1, 3)
    longest, copied = found[:, 0], found[:, 1:]
    div = diversity(seqs)
    row.update({
        "mean_oa": float(np.mean(oas)), "mean_kl": float(np.mean(kls)),
        "two_sample_accuracy": two_sample_accuracy(feats, reference.features, seed=seed),
        "median_steps": float(np.median([len(s) for s in seqs])),
        "longest_copy_median": float(np.median(longest)), "longest_copy_max": int(max(longest)),
        "copied_8bar_share": float(copied[:, 0].sum() / copied[:, 1].sum()) if copied[:, 1].sum() else None,
        "distinct": div["distinct"], "mean_distance": div["mean_distance"],
        "bar_fill": float(feats["bar_fill"].mean()), "scale_consistency": float(feats["scale_consistency"].mean()),
    })
    return row


SUMMARY_COLUMNS = ("melodies", "median_steps", "mean_oa", "mean_kl", "two_sample_accuracy", "longest_copy_median",
                   "copied_8bar_share", "distinct", "mean_distance", "bar_fill", "scale_consistency")


def summary_table(rows: dict[str, dict], columns: Sequence[str] = SUMMARY_COLUMNS):
    """A pandas table: one row per set, the summary columns (per-feature OA/KL stay in the row dicts)."""
    import pandas as pd

    return pd.DataFrame({name: {c: row.get(c) for c in columns} for name, row in rows.items()}).T


def feature_table(rows: dict[str, dict], what: str = "oa"):
    """A pandas table of one per-feature measure ("oa" or "kl"): sets as rows, features as columns."""
    import pandas as pd

    return pd.DataFrame({name: {f: row[f"{what}_{f}"] for f in FEATURES} for name, row in rows.items()}).T


# --------------------------------------------------------------------------- melodies from files

def melody_files(paths: Sequence[str | os.PathLike]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Expand files and folders into melody files, one per stem: `generate` writes the same melody as .mid,
    .musicxml and .txt, and it must count once (preference: kern, ABC, MusicXML, MIDI, symbols .txt).
    Returns (files, skipped as (path, reason))."""
    chosen: dict[tuple, Path] = {}
    skipped: list[tuple[str, str]] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = [f for f in sorted(p.rglob("*")) if f.is_file() and f.suffix.lower() in MELODY_SUFFIXES]
            if not found:
                skipped.append((str(p), "no melody files (.krn .abc .mid .musicxml .txt) in this folder"))
        elif p.is_file():
            found = [p]
            if p.suffix.lower() not in MELODY_SUFFIXES:
                skipped.append((str(p), f"unsupported file type {p.suffix or '(none)'!r}"))
                found = []
        else:
            skipped.append((str(p), "no such file or directory"))
            found = []
        for f in found:
            key = (f.parent, f.stem)
            old = chosen.get(key)
            if old is None or MELODY_SUFFIXES.index(f.suffix.lower()) < MELODY_SUFFIXES.index(old.suffix.lower()):
                chosen[key] = f
    return sorted(chosen.values()), skipped


def read_symbols_file(path: Path) -> list[tuple]:
    """Events of a `.txt` of symbols (as `generate` writes: either scheme, space-separated, C major / A minor)."""
    from .encoding import decode_symbols, parse_symbol
    from .errors import VocabularyError

    try:
        symbols = path.read_text(encoding="utf-8").split()
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read: {exc}") from None
    try:
        [parse_symbol(s) for s in symbols]
    except VocabularyError as exc:
        raise ValueError(str(exc)) from None
    events = decode_symbols(symbols)
    if not any(p is not None for p, _ in events):
        raise ValueError("empty (no notes)")
    return events


def load_melodies(paths: Sequence[str | os.PathLike]) -> tuple[list[str], list[list[tuple]], list[tuple[str, str]]]:
    """Melodies from files and folders: (sources, event lists, skipped as (source, reason)). Score files go
    through the corpus reader (transposed to C major / A minor like the training songs); one bad file never
    stops the run."""
    from .corpus import load_corpus

    files, skipped = melody_files(paths)
    names, melodies = [], []
    for f in [f for f in files if f.suffix.lower() == ".txt"]:
        try:
            melodies.append(read_symbols_file(f))
            names.append(str(f))
        except ValueError as exc:
            skipped.append((str(f), str(exc)))
    scores = [f for f in files if f.suffix.lower() != ".txt"]
    if scores:
        corpus = load_corpus(scores, progress=False, require_songs=False)
        skipped += [(s.source, s.reason) for s in corpus.skipped]
        for song in corpus.songs:
            names.append(song.source)
            melodies.append(list(song.events))
    return names, melodies, skipped


# --------------------------------------------------------------------------- the sets of the comparison table

def random_melodies(n: int, steps: int = 128, seed: int = 0, vocab=None) -> list[list[str]]:
    """n melodies of uniformly random symbols (the shipped LSTM's vocabulary without `/`): the floor."""
    from .encoding import DELIMITER
    from .lstm import load_pretrained

    symbols = [s for s in (vocab or load_pretrained()[1]).symbols if s != DELIMITER]
    rng = np.random.default_rng(seed)
    return [[symbols[k] for k in rng.integers(0, len(symbols), steps)] for _ in range(n)]


def ngram_melodies(train: Sequence[Sequence[tuple]], n: int, *, order: int = 5, discount: float = 0.75,
                   temperature: float = 1.0, max_steps: int = 512, seed: int = 0,
                   primer: Sequence[str] = ()) -> list[list[str]]:
    """n melodies from the n-gram baseline fitted on these songs (order 5, discount 0.75: what validation
    chose in 04_lstm), each after the primer (included)."""
    from .encoding import Vocabulary, build_stream
    from .markov import NGram
    from .scoring import target_positions

    seqs = [encode_events(m) for m in train]
    vocab = Vocabulary.from_sequences(seqs)
    stream = build_stream(seqs, vocab, 64, 64)
    model = NGram(order, len(vocab), discount).fit(stream.ids, target_positions(stream, stream.window_starts()))
    return model.generate(vocab, n, temperature=temperature, max_steps=max_steps, seed=seed, primer=primer)


def shipped_gan_names() -> dict[str, str]:
    """The GAN generators shipped in thesis_lib/pretrained/: row name -> weights name (those present)."""
    from .lstm import PRETRAINED

    names = {"DCGAN": "gan_generator", "WGAN-GP": "wgan_gp_generator"}
    return {row: name for row, name in names.items() if (PRETRAINED / f"{name}.keras").exists()}


def comparison_sets(n: int = 100, seed: int = 0, train: Sequence | None = None, held: Sequence | None = None,
                    max_steps: int = 512) -> dict[str, list[list[tuple]]]:
    """The rows of the comparison table, n melodies each with fixed seeds: held-out real songs, the shipped
    LSTM at T = 0.5 and 1.0, the shipped GAN generators, the n-gram and uniformly random symbols."""
    from . import gan, lstm
    from .encoding import decode_symbols

    if train is None or held is None:
        train, held = embedded_split()
    rng = np.random.default_rng(seed)
    sets: dict[str, list] = {}
    sets["held-out real songs"] = [list(held[k]) for k in np.sort(rng.choice(len(held), min(n, len(held)),
                                                                              replace=False))]
    n = len(sets["held-out real songs"])  # the same number in every row
    model, vocab, _ = lstm.load_pretrained()
    generator = lstm.Generator(model, vocab)
    for t in (0.5, 1.0):
        sets[f"LSTM, T = {t}"] = [decode_symbols(m) for m in
                                   generator.generate(n, temperature=t, max_steps=max_steps, seed=seed)]
    for row, name in shipped_gan_names().items():
        g, gv, _ = gan.load_pretrained(name)
        seqs, _ = gan.generate(g, gv, n, temperature=1.0, seed=seed)
        sets[row] = [decode_symbols(m) for m in seqs]
    sets["5-gram"] = [decode_symbols(m) for m in ngram_melodies(train, n, max_steps=max_steps, seed=seed)]
    sets["random symbols"] = [decode_symbols(m) for m in random_melodies(n, seed=seed, vocab=vocab)]
    return {name: [m for m in mels if m] for name, mels in sets.items()}


def crop(melody: Sequence[tuple], steps: int) -> list[tuple]:
    """The first `steps` 16th steps of a melody (the last event shortened to fit)."""
    out, t = [], 0
    for pitch, n in melody:
        if t >= steps:
            break
        out.append((pitch, min(n, steps - t)))
        t += n
    return out


def comparison(n: int = 100, seed: int = 0, reference: Reference | None = None,
               steps: int | None = None) -> tuple[dict, Reference]:
    """Evaluate every comparison set against the training songs: (rows by set name, the reference).
    With `steps`, every melody, the reference's too, is first cut to that many steps (64: the GAN's length, for
    a like-for-like view of the length-dependent features); novelty is still measured against whole songs."""
    from dataclasses import replace

    train, held = embedded_split()
    reference = reference or Reference.build("embedded ballads, training side", train, seed=seed)
    sets = comparison_sets(n, seed, train, held)
    used = reference
    if steps:
        sets = {name: [crop(m, steps) for m in mels] for name, mels in sets.items()}
        cut = Reference.build(f"{reference.name}, first {steps} steps", [crop(m, steps) for m in reference.melodies],
                              seed=seed)
        used = replace(cut, novelty=reference.novelty)
    return {name: evaluate_set(mels, used, seed) for name, mels in sets.items()}, used
