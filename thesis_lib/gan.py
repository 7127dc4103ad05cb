"""The DCGAN of §3.3 (Tables 2–4): 64-step windows as 64 × 64 one-hot "images", the thesis's training
loop in `train_step`, decoding by temperature, mode-collapse diagnostics, and a WGAN-GP variant.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Sequence

import keras
import numpy as np
from keras import layers

from .config import DELIMITER, HOLD, REST
from .encoding import Vocabulary, count_repairs, decode_symbols, parse_symbol
from .sampling import sample

IMAGE = 64  # Tables 2-3: 64 steps x 64 symbols


# --------------------------------------------------------------------------- data: windows as images

@dataclass(frozen=True)
class Folding:
    """How a per-pitch vocabulary is made to fit the 64 columns of Tables 2-3.

    Rare pitches move by octaves onto a kept pitch of the same pitch class; `moved_steps` says what it costs.
    """

    kept: tuple[int, ...]
    moves: dict            # pitch -> kept pitch
    moved_steps: int       # song steps whose pitch was moved
    total_steps: int


def choose_folding(sequences: Sequence[Sequence[str]], columns: int = IMAGE) -> Folding:
    """Keep the commonest pitches so that 2 × pitches + 2 (`r`, `_r`) fit `columns`; fold the rest by octave."""
    weight: Counter = Counter()
    for seq in sequences:
        for sym in seq:
            kind, pitch = parse_symbol(sym)
            if kind in ("onset", "hold") and pitch not in (None, -1):
                weight[pitch] += 1
    room = (columns - 2) // 2
    kept = sorted(p for p, _ in weight.most_common(room))
    moves = {}
    for p in weight:
        if p in kept:
            continue
        same_class = [k for k in kept if k % 12 == p % 12]
        if not same_class:
            raise ValueError(f"pitch {p} has no kept pitch of its pitch class to fold onto")
        moves[p] = min(same_class, key=lambda k: abs(k - p))
    moved = sum(weight[p] for p in moves)
    return Folding(tuple(kept), moves, moved, sum(weight.values()))


def fold(symbols: Sequence[str], folding: Folding) -> list[str]:
    """Apply a folding to per-pitch-hold symbols (`70` -> `58`, `_70` -> `_58`)."""
    out = []
    for sym in symbols:
        kind, pitch = parse_symbol(sym)
        if pitch in folding.moves:
            p = folding.moves[pitch]
            sym = str(p) if kind == "onset" else f"{HOLD}{p}"
        out.append(sym)
    return out


def gan_vocabulary(folding: Folding) -> Vocabulary:
    """`r`, `_r`, then each kept pitch and its hold: 2 × 31 + 2 = 64 symbols when 31 pitches are kept."""
    syms = [REST, HOLD + REST] + [s for p in folding.kept for s in (str(p), f"{HOLD}{p}")]
    return Vocabulary(tuple(sorted(syms, key=_order)))


def _order(sym: str):
    from .encoding import symbol_sort_key

    return symbol_sort_key(sym)


def song_windows(sequences: Sequence[Sequence[str]], vocab: Vocabulary, length: int = IMAGE,
                 stride: int = 1) -> np.ndarray:
    """(N, 64) int32 ids of every 64-step window that lies inside one song (no `/`: a GAN sample is an excerpt)."""
    rows = []
    for seq in sequences:
        ids = vocab.encode([s for s in seq if s != DELIMITER])
        for start in range(0, len(ids) - length + 1, stride):
            rows.append(ids[start:start + length])
    return np.array(rows, np.int32).reshape(-1, length)


# --------------------------------------------------------------------------- Tables 2 and 3

def build_generator(noise_size: int = 32, vocab_size: int = IMAGE, dropout: float = 0.3) -> keras.Model:
    """Table 2: noise → Dense(2048) → 8×8×32 → 3 × (UpSampling2D, Conv2D 8×8) → 64×V, softmax over V."""
    z = keras.Input((noise_size,), name="noise")
    x = layers.Dense(8 * 8 * 32, name="dense")(z)
    x = layers.Reshape((8, 8, 32), name="reshape")(x)
    for i, filters in enumerate((16, 8), start=1):
        x = layers.UpSampling2D(name=f"up_{i}")(x)
        x = layers.Conv2D(filters, 8, padding="same", name=f"conv_{i}")(x)
        x = layers.LeakyReLU(0.2, name=f"leaky_{i}")(x)
        x = layers.Dropout(dropout, name=f"dropout_{i}")(x)
    x = layers.UpSampling2D(name="up_3")(x)
    x = layers.Conv2D(1, 8, padding="same", name="conv_3")(x)
    x = layers.Reshape((IMAGE, IMAGE), name="steps_by_symbols")(x)
    if vocab_size != IMAGE:
        raise ValueError(f"Tables 2-3 need {IMAGE} symbols; fold the vocabulary first (got {vocab_size})")
    out = layers.Softmax(axis=-1, name="softmax")(x)
    return keras.Model(z, out, name="generator")


def build_discriminator(dropout: float = 0.3, sigmoid: bool = True) -> keras.Model:
    """Table 3: 64×64×1 → 3 strided Conv2D 8×8 (8, 16, 32) with LeakyReLU + Dropout → Dense(1).

    sigmoid=False gives the WGAN-GP critic (an unbounded score).
    """
    img = keras.Input((IMAGE, IMAGE, 1), name="image")
    x = img
    for i, filters in enumerate((8, 16, 32), start=1):
        x = layers.Conv2D(filters, 8, strides=2, padding="same", name=f"conv_{i}")(x)
        x = layers.LeakyReLU(0.2, name=f"leaky_{i}")(x)
        x = layers.Dropout(dropout, name=f"dropout_{i}")(x)
    x = layers.Flatten(name="flatten")(x)
    out = layers.Dense(1, activation="sigmoid" if sigmoid else None, name="real")(x)
    return keras.Model(img, out, name="discriminator" if sigmoid else "critic")


TABLE2 = {"dense": 67_584, "conv_1": 32_784, "conv_2": 8_200, "conv_3": 513}   # total 109,081
TABLE3 = {"conv_1": 520, "conv_2": 8_208, "conv_3": 32_800, "real": 2_049}     # total 43,577


# --------------------------------------------------------------------------- decoding and diagnostics

def decode_samples(probs: np.ndarray, vocab: Vocabulary, temperature: float = 1.0,
                   seed: int = 0) -> tuple[list[list[str]], Counter]:
    """Generator outputs (N, 64, V) → symbol sequences by temperature sampling per step (§3.1).

    Returns the sequences and how often each repair rule of `decode_symbols` fired over all of them.
    """
    ids = sample(probs, temperature, np.random.default_rng(seed))
    seqs = [vocab.decode(row) for row in ids]
    repairs: Counter = Counter()
    for s in seqs:
        repairs.update(count_repairs(s))
    return seqs, repairs


def edit_distance_matrix(seqs: np.ndarray) -> np.ndarray:
    """Levenshtein distances between all pairs of equal-length id rows (vectorised over pairs)."""
    seqs = np.asarray(seqs)
    n, length = seqs.shape
    i, j = np.triu_indices(n, 1)
    a, b = seqs[i], seqs[j]
    prev = np.tile(np.arange(length + 1), (len(i), 1))
    for r in range(1, length + 1):
        cur = np.empty_like(prev)
        cur[:, 0] = r
        sub = prev[:, :-1] + (a[:, r - 1:r] != b)
        dele = prev[:, 1:] + 1
        best = np.minimum(sub, dele)
        for c in range(1, length + 1):  # insertion runs along the row
            cur[:, c] = np.minimum(best[:, c - 1], cur[:, c - 1] + 1)
        prev = cur
    out = np.zeros((n, n))
    out[i, j] = out[j, i] = prev[:, -1]
    return out


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


# --------------------------------------------------------------------------- the training loops

def _image(ids, depth: int):
    """Integer windows (batch, 64) → one-hot images (batch, 64, V, 1), per batch."""
    from keras import ops

    return ops.expand_dims(ops.one_hot(ops.cast(ids, "int32"), depth), -1)


@keras.saving.register_keras_serializable(package="thesis_lib")
class DCGAN(keras.Model):
    """§3.3.3-3.3.4: per step, D learns real → 1, then fakes of the not-yet-updated G → 0; then G learns
    to make D say 1 through a frozen D (Table 4). BCE, Adam 1e-4 (G) and 1e-3 (D)."""

    def __init__(self, generator: keras.Model, discriminator: keras.Model, noise_size: int = 32, seed: int = 0,
                 **kwargs):
        super().__init__(**kwargs)
        self.generator, self.discriminator, self.noise_size = generator, discriminator, int(noise_size)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.trackers = {k: keras.metrics.Mean(name=k) for k in ("d_loss", "g_loss", "d_acc_real", "d_acc_fake")}

    def compile(self, g_optimizer=None, d_optimizer=None, **kwargs):
        super().compile(**kwargs)
        self.g_optimizer = g_optimizer or keras.optimizers.Adam(1e-4)
        self.d_optimizer = d_optimizer or keras.optimizers.Adam(1e-3)
        self.bce = keras.losses.BinaryCrossentropy()

    @property
    def metrics(self):
        return list(self.trackers.values())

    def _noise(self, batch):
        return keras.random.normal((batch, self.noise_size), seed=self.seed_generator)

    def train_step(self, ids):
        import tensorflow as tf

        real = _image(ids, IMAGE)
        batch = tf.shape(real)[0]
        fake = self.generator(self._noise(batch), training=False)[..., None]  # from the not-yet-updated G
        d_w = self.discriminator.trainable_weights
        with tf.GradientTape() as tape:
            p_real = self.discriminator(real, training=True)
            loss_real = self.bce(tf.ones_like(p_real), p_real)
        self.d_optimizer.apply_gradients(zip(tape.gradient(loss_real, d_w), d_w))
        with tf.GradientTape() as tape:
            p_fake = self.discriminator(fake, training=True)
            loss_fake = self.bce(tf.zeros_like(p_fake), p_fake)
        self.d_optimizer.apply_gradients(zip(tape.gradient(loss_fake, d_w), d_w))
        g_w = self.generator.trainable_weights
        with tf.GradientTape() as tape:  # only G's weights get gradients: D is frozen here (Table 4)
            p = self.discriminator(self.generator(self._noise(batch), training=True)[..., None], training=False)
            g_loss = self.bce(tf.ones_like(p), p)
        self.g_optimizer.apply_gradients(zip(tape.gradient(g_loss, g_w), g_w))
        for k, v in (("d_loss", (loss_real + loss_fake) / 2), ("g_loss", g_loss),
                     ("d_acc_real", tf.reduce_mean(tf.cast(p_real > 0.5, "float32"))),
                     ("d_acc_fake", tf.reduce_mean(tf.cast(p_fake < 0.5, "float32")))):
            self.trackers[k].update_state(v)
        return {k: t.result() for k, t in self.trackers.items()}


@keras.saving.register_keras_serializable(package="thesis_lib")
class WGANGP(DCGAN):
    """WGAN-GP (Gulrajani et al. 2017): a critic without sigmoid, gradient penalty 10, 5 critic steps per G step."""

    def __init__(self, generator, critic, noise_size: int = 32, critic_steps: int = 5, gp_weight: float = 10.0,
                 **kwargs):
        super().__init__(generator, critic, noise_size, **kwargs)
        self.critic_steps, self.gp_weight = critic_steps, gp_weight
        self.trackers = {k: keras.metrics.Mean(name=k) for k in ("d_loss", "g_loss", "wasserstein", "gp")}

    def compile(self, g_optimizer=None, d_optimizer=None, **kwargs):
        super().compile(g_optimizer or keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9),
                        d_optimizer or keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9), **kwargs)

    def train_step(self, ids):
        import tensorflow as tf

        real = _image(ids, IMAGE)
        batch = tf.shape(real)[0]
        c_w = self.discriminator.trainable_weights
        for _ in range(self.critic_steps):
            fake = self.generator(self._noise(batch), training=False)[..., None]
            with tf.GradientTape() as tape:
                s_real = self.discriminator(real, training=True)
                s_fake = self.discriminator(fake, training=True)
                eps = keras.random.uniform((batch, 1, 1, 1), seed=self.seed_generator)
                mix = eps * real + (1 - eps) * fake
                with tf.GradientTape() as inner:
                    inner.watch(mix)
                    s_mix = self.discriminator(mix, training=True)
                grad = inner.gradient(s_mix, mix)
                gp = tf.reduce_mean((tf.sqrt(tf.reduce_sum(grad ** 2, axis=[1, 2, 3]) + 1e-12) - 1.0) ** 2)
                w_dist = tf.reduce_mean(s_real) - tf.reduce_mean(s_fake)
                c_loss = -w_dist + self.gp_weight * gp
            self.d_optimizer.apply_gradients(zip(tape.gradient(c_loss, c_w), c_w))
        g_w = self.generator.trainable_weights
        with tf.GradientTape() as tape:
            g_loss = -tf.reduce_mean(self.discriminator(
                self.generator(self._noise(batch), training=True)[..., None], training=False))
        self.g_optimizer.apply_gradients(zip(tape.gradient(g_loss, g_w), g_w))
        for k, v in (("d_loss", c_loss), ("g_loss", g_loss), ("wasserstein", w_dist), ("gp", gp)):
            self.trackers[k].update_state(v)
        return {k: t.result() for k, t in self.trackers.items()}
