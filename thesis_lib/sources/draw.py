"""Melodies from any source, one way: `melodies("lstm" | "tunes" | "gan" | "gan-improved" | "wgan-gp" | "ngram" |
"random" | "real", n, temperature=, seed=, primer=)`. The CLI, the comparison table of 06 and the survey stimuli all
draw here, so a row of the table and a file from `generate` come from the same code. Each melody is born here
as a `Melody` value (symbols, origin, title), and nothing downstream works out again what it carries.

Also here: melodies that match a requested meter and mode (`matching`) and the sets of the comparison table
(`comparison_sets`).
"""

from __future__ import annotations

import functools
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from ..core.config import DELIMITER, MAX_STEPS, NGRAM_DISCOUNT, NGRAM_ORDER, THESIS
from ..core.errors import ThesisError
from ..data.encoding import encode_events, parse_symbol
from ..data.melody import Melody, Origin

GENERATORS = ("lstm", "tunes", "gan", "gan-improved", "wgan-gp")   # sources with weights (shipped, or --weights)
SOURCES = (*GENERATORS, "ngram", "random", "real")
WHOLE_MELODIES = ("lstm", "tunes", "ngram", "real")               # end where the model (or the song) ends them
RANDOM_STEPS = 128                                         # length of a melody of random symbols (8 bars)
LABELS = {"lstm": "LSTM melody", "tunes": "Tune", "gan": "DCGAN melody", "gan-improved": "Improved GAN melody",
          "wgan-gp": "WGAN-GP melody", "ngram": "5-gram melody", "random": "Random melody",
          "real": "Held-out song"}      # how a score's title names its source


@dataclass
class Batch:
    """Melodies from one source, the decoding repairs they needed, and where they came from."""

    melodies: list[Melody]
    source: str
    description: str
    repairs: Counter = field(default_factory=Counter)


def title(source: str, index: int, temperature: float, seed: int) -> str:
    """A score's title: `LSTM melody 1 · T = 1 · seed 11`, `Tune 3 · T = 1 · seed 0`."""
    return f"{LABELS.get(source, source)} {index} · T = {temperature:g} · seed {seed}"


def born(symbols_list: Sequence[Sequence[str]], source: str, *, temperature: float, seed: int,
         weights: str | None) -> list[Melody]:
    """The melodies a model wrote, as values with their origin and title (numbered from 1)."""
    return [Melody(tuple(s), Origin(source, weights, temperature, seed, i), title(source, i, temperature, seed))
            for i, s in enumerate(symbols_list, start=1)]


@functools.lru_cache(maxsize=8)
def _model(source: str, weights: str | None):
    """A generator's weights and vocabulary, loaded once per process (shipped, or the file given)."""
    from ..models.shipped import load_pretrained

    net, vocab, prov = load_pretrained(source, weights)
    where = weights or f"shipped {source} ({prov.get('command', 'no provenance')})"
    return net, vocab, where


@functools.lru_cache(maxsize=8)
def _generator(source: str, weights: str | None):
    """The batched generator of the LSTM or the tune model, made once per process: its one-step twin and its
    compiled call are built (and traced, per batch shape) once, not at every draw."""
    if source == "tunes":
        from ..models.tunes_generate import Generator
    else:
        from ..models.lstm import Generator
    net, vocab, _ = _model(source, weights)
    return Generator(net, vocab)


@functools.lru_cache(maxsize=4)
def _tune_shares(weights: str | None) -> dict:
    """The shares of meters, modes and pickups among the tune model's training ballads: from its metrics JSON, or
    counted again on the embedded ballads' training side when it has none."""
    from ..models import shipped, tunes_data

    prov = shipped.provenance(weights or shipped.weights_path("tunes"))
    if prov.get("shares"):
        return prov["shares"]
    from ..data.corpus import embedded_split

    return tunes_data.shares(tunes_data.tunes_of(embedded_split()[0])[0])


@functools.lru_cache(maxsize=2)
def _ngram(seed: int = 0):
    """The n-gram baseline fitted on the embedded ballads' training side, and its vocabulary."""
    from ..data.corpus import embedded_split
    from ..data.encoding import Vocabulary, build_stream
    from ..models.markov import NGram
    from ..models.scoring import target_positions

    train, _ = embedded_split(seed)
    seqs = [encode_events(s.events) for s in train]
    vocab = Vocabulary.from_sequences(seqs)
    stream = build_stream(seqs, vocab, THESIS.sequence_length, THESIS.separator_length)
    model = NGram(NGRAM_ORDER, len(vocab), NGRAM_DISCOUNT).fit(stream.ids,
                                                                target_positions(stream, stream.window_starts()))
    return model, vocab


def melodies(source: str, n: int, *, temperature: float = 1.0, seed: int = 0, primer: Sequence[str] = (),
             max_steps: int = MAX_STEPS, weights: str | os.PathLike | None = None, meter: str | None = None,
             mode: str | None = None, pickup: int | None = None, end_in_mode: bool = True) -> Batch:
    """n melodies from a source, seeded (same seed, same melodies on CPU). Primers go to the LSTM, the tune model
    and the n-gram (the melody starts with them); GANs draw whole 64-step melodies from noise; `real` gives
    held-out songs, with the meter, pickup and mode their files state. The tune model writes in the `meter`,
    `mode` and `pickup` asked for (each drawn from the ballads' own shares when not asked: `tunes`), and with
    `end_in_mode` never ends a tune on the other mode's tonic (`tunes_generate.RELATIVE_TONIC`)."""
    if source not in SOURCES:
        raise ThesisError(f"unknown source {source!r}; choose one of {', '.join(SOURCES)}")
    if primer and source not in ("lstm", "tunes", "ngram"):
        raise ThesisError(f"{source} melodies take no primer")
    if source != "tunes" and (meter, mode, pickup) != (None, None, None):
        raise ThesisError(f"{source} melodies are not written in a meter or mode asked for: draw with `matching`")
    weights = str(weights) if weights else None
    mine = dict(temperature=temperature, seed=seed, weights=weights)
    if source == "tunes":
        return tunes(n, meter=meter, mode=mode, pickup=pickup, primer=primer, max_steps=max_steps,
                     end_in_mode=end_in_mode, **mine)
    if source == "lstm":
        net, vocab, where = _model(source, weights)
        vocab.encode(primer)  # VocabularyError names an unknown symbol
        out = _generator(source, weights).generate(n, temperature=temperature, primer=list(primer),
                                                   max_steps=max_steps, seed=seed)
        return Batch(born(out, source, **mine), source, where)
    if source in ("gan", "wgan-gp", "gan-improved"):
        net, vocab, where = _model(source, weights)
        if source == "gan-improved":
            from ..models.gan_improved import generate
        else:
            from ..models.gan import generate
        out, repairs = generate(net, vocab, n, temperature=temperature, seed=seed)
        return Batch(born(out, source, **mine), source, where, repairs)
    if source == "ngram":
        model, vocab = _ngram()
        vocab.encode(primer)
        out = model.generate(vocab, n, temperature=temperature, max_steps=max_steps, seed=seed, primer=list(primer))
        return Batch(born(out, source, **mine), source,
                     f"the {NGRAM_ORDER}-gram baseline fitted on the embedded ballads' training side")
    if source == "random":
        from ..models.shipped import load_vocab, weights_path

        path = weights or weights_path("lstm")
        symbols = [s for s in load_vocab(path).symbols if s != DELIMITER]
        starts = [s for s in symbols if parse_symbol(s)[0] != "hold"]  # a melody starts with a note or a rest
        rng = np.random.default_rng(seed)
        steps = min(RANDOM_STEPS, max_steps)
        out = [[starts[int(rng.integers(len(starts)))]] + [symbols[k] for k in rng.integers(0, len(symbols), steps - 1)]
               for _ in range(n)]
        return Batch(born(out, source, **mine), source, f"uniformly random symbols of {Path(path).name}'s vocabulary")
    from ..data.corpus import embedded_split

    _, held = embedded_split()
    rng = np.random.default_rng(seed)
    pick = np.sort(rng.choice(len(held), min(n, len(held)), replace=False))
    songs = [Melody.from_song(held[k]).replace(origin=Origin("real", seed=seed, index=i, path=held[k].source),
                                               title=held[k].title or f"Held-out song {i}")
             for i, k in enumerate(pick, start=1)]
    return Batch(songs, source, "held-out ballads (10%, split by song, seed 0)")


def tunes(n: int, *, meter: str | None = None, mode: str | None = None, pickup: int | None = None,
          temperature: float = 1.0, seed: int = 0, primer: Sequence[str] = (), max_steps: int = MAX_STEPS,
          weights: str | None = None, end_in_mode: bool = True) -> Batch:
    """n whole tunes from the tune model, each in the meter, mode and pickup asked for, or drawn (seeded) from the
    shares of its training ballads: a meter, then a mode and a pickup as common in that meter. Each tune is born
    with them, so its score is barred as it was written (the meter reader is not asked). With `end_in_mode` (the
    default) no tune ends on the other mode's tonic; without it, the model alone decides where it ends."""
    from ..models.tunes_data import draw_style

    net, vocab, where = _model("tunes", weights)
    vocab.encode(primer)
    meters, modes, pickups = draw_style(n, np.random.default_rng(seed), _tune_shares(weights), meter=meter, mode=mode,
                                        pickup=pickup)
    out = _generator("tunes", weights).generate(n, meters=meters, modes=modes, pickups=pickups,
                                                temperature=temperature, primer=list(primer), max_steps=max_steps,
                                                seed=seed, end_in_mode=end_in_mode)
    born_ = [Melody(tuple(s), Origin("tunes", weights, temperature, seed, i), title("tunes", i, temperature, seed),
                    stated_meter=m, stated_pickup=p, stated_mode=d)
             for i, (s, m, d, p) in enumerate(zip(out, meters, modes, pickups), start=1)]
    return Batch(born_, "tunes", where)


# --------------------------------------------------------------------------- meter and mode on request

@dataclass
class Matching:
    """Melodies that match a requested meter and mode, and how many draws it took."""

    batch: Batch
    drawn: int
    matched: int   # every drawn melody that matched, the ones beyond `n` too

    @property
    def acceptance(self) -> float:
        """Share of drawn melodies that matched."""
        return self.matched / self.drawn if self.drawn else 0.0


def matching(source: str, n: int, *, meter: str | None = None, mode: str | None = None, max_draws: int = 1000,
             batch_size: int | None = None, **kw) -> Matching:
    """Draw melodies (batches seeded seed, seed+1, …) and keep those whose inferred meter and analysed mode match,
    until n are found or `max_draws` melodies were drawn. The models are not conditioned on either. Each kept
    melody keeps what was read from it (its meter, pickup and mode), renumbered and titled with the first seed."""
    from ..data import meter as meters

    if meter is not None and meter not in meters.METERS:
        raise ValueError(f"meter {meter!r}: choose one of {', '.join(meters.METERS)}")
    if mode not in (None, "major", "minor"):
        raise ValueError(f"mode {mode!r}: choose major or minor")
    seed = kw.pop("seed", 0)
    first_seed, temperature = seed, kw.get("temperature", 1.0)
    size = batch_size or max(n, 16)
    kept, repairs, drawn, matched, first = [], Counter(), 0, 0, None
    while len(kept) < n and drawn < max_draws:
        b = melodies(source, min(size, max_draws - drawn), seed=seed, **kw)
        first = first or b
        drawn += len(b.melodies)
        for mel in b.melodies:
            if mel.is_empty:
                continue
            if (meter is None or mel.meter == meter) and (mode is None or mel.mode == mode):
                matched += 1
                if len(kept) < n:
                    kept.append(mel.replace(title=title(source, len(kept) + 1, temperature, first_seed)))
        repairs.update(b.repairs)
        seed += 1
    return Matching(Batch(kept, source, first.description, repairs), drawn, matched)


# --------------------------------------------------------------------------- the comparison table's sets

def comparison_sets(n: int = 100, seed: int = 0, max_steps: int = MAX_STEPS) -> dict[str, list[Melody]]:
    """The rows of the comparison table, n melodies each with fixed seeds: held-out real songs, the shipped LSTM
    at T = 0.5 and 1.0, every shipped GAN generator, the n-gram and uniformly random symbols."""
    from ..models.shipped import available

    rows = {"held-out real songs": ("real", 1.0)}
    rows.update({"LSTM, T = 0.5": ("lstm", 0.5), "LSTM, T = 1.0": ("lstm", 1.0)})
    if available("tunes"):
        rows["whole-tune model, T = 1.0"] = ("tunes", 1.0)
    rows.update({name: (src, 1.0) for name, src in (("DCGAN", "gan"), ("WGAN-GP", "wgan-gp"),
                                                     ("improved GAN", "gan-improved")) if available(src)})
    rows.update({f"{NGRAM_ORDER}-gram": ("ngram", 1.0), "random symbols": ("random", 1.0)})
    sets = {}
    for name, (src, t) in rows.items():
        batch = melodies(src, n, temperature=t, seed=seed, max_steps=max_steps)
        sets[name] = [m for m in batch.melodies if m.events]
        if src == "real":
            n = len(sets[name])  # the same number in every row
    return sets
