"""The DCGAN of §3.3 (Tables 2–4): 64-step windows as 64 × 64 one-hot "images", the thesis's training
loop in `train_step`, decoding by temperature, mode-collapse diagnostics, and a WGAN-GP variant.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import keras
import numpy as np
from keras import layers

from .checkpoint import EpochCheckpoint, TimeBudget, load_history, save_model_atomic
from .config import HOLD
from .encoding import Vocabulary, count_repairs
from .gan_data import IMAGE, GanData
from .metrics import collapse_diagnostics, collapsed
from .sampling import sample

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
        raise ValueError(f"Tables 2-3 need {IMAGE} columns, got {vocab_size}")
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
    """Generator outputs (N, 64, 64) → symbol sequences by temperature sampling per step (§3.1).

    A column beyond the vocabulary (the single-hold scheme pads 38 symbols to 64) reads as a hold.
    Returns the sequences and how often each repair rule fired over all of them.
    """
    ids = sample(probs, temperature, np.random.default_rng(seed))
    repairs: Counter = Counter()
    seqs = []
    for row in ids:
        unused = int((row >= len(vocab)).sum())
        if unused:
            repairs["unused column read as a hold"] += unused
        seqs.append([vocab.symbols[i] if i < len(vocab) else HOLD for i in row])
        repairs.update(count_repairs(seqs[-1]))
    return seqs, repairs


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
        # Dropout is on in every call, as in the thesis's Keras training: D must judge the same kind of
        # samples that G is optimised on (with G in inference mode here, G learns to fool D only
        # through its dropout noise while D rejects every inference-mode sample).
        fake = self.generator(self._noise(batch), training=True)[..., None]  # from the not-yet-updated G
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
            p = self.discriminator(self.generator(self._noise(batch), training=True)[..., None], training=True)
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
            fake = self.generator(self._noise(batch), training=True)[..., None]
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
                self.generator(self._noise(batch), training=True)[..., None], training=True))
        self.g_optimizer.apply_gradients(zip(tape.gradient(g_loss, g_w), g_w))
        for k, v in (("d_loss", c_loss), ("g_loss", g_loss), ("wasserstein", w_dist), ("gp", gp)):
            self.trackers[k].update_state(v)
        return {k: t.result() for k, t in self.trackers.items()}


# --------------------------------------------------------------------------- data, training, checkpoints

class Diagnostics(keras.callbacks.Callback):
    """Every epoch, on one fixed noise batch: the collapse diagnostics, added to the logs; a warning on collapse."""

    def __init__(self, vocab: Vocabulary, noise: np.ndarray, seed: int = 0):
        super().__init__()
        self.vocab, self.noise, self.seed = vocab, noise, seed

    def on_epoch_end(self, epoch, logs=None):
        import warnings

        probs = np.asarray(self.model.generator(self.noise, training=False))
        seqs, repairs = decode_samples(probs, self.vocab, 1.0, self.seed)
        diag = collapse_diagnostics(seqs)
        logs.update(diag)
        logs["repairs_per_sample"] = sum(repairs.values()) / len(seqs)
        logs["collapsed"] = float(collapsed(diag))
        if logs["collapsed"]:
            warnings.warn(f"epoch {epoch + 1}: mode collapse ({diag['all_holds']:.0%} all holds, "
                          f"{diag['distinct']:.0%} distinct)", stacklevel=1)


class GanCheckpoint(EpochCheckpoint):
    """After each epoch: G and D (.keras), both optimizers' variables and the history, all written atomically."""

    def save_state(self) -> None:
        import os

        save_model_atomic(self.model.generator, self.directory / "generator.keras")
        if not self.history[-1].get("collapsed", 1.0) and self.history[-1]["epoch"] == best_epoch(self.history):
            save_model_atomic(self.model.generator, self.directory / "best_generator.keras")
        save_model_atomic(self.model.discriminator, self.directory / "discriminator.keras")
        tmp = self.directory / f".optimizers.{os.getpid()}.tmp.npz"
        np.savez(tmp, *[np.asarray(v) for v in self.model.g_optimizer.variables],
                 *[np.asarray(v) for v in self.model.d_optimizer.variables])
        os.replace(tmp, self.directory / "optimizers.npz")


SHIP_MAX_ALL_HOLDS, SHIP_MIN_DISTINCT = 0.05, 0.90  # the bar a shipped generator must meet (issue 4)


def wilson_bounds(share: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval (95% by default) of a share observed in n samples."""
    centre = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(share * (1 - share) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def acceptable(diag: dict, n: int = 256) -> bool:
    """Meets the shipping bar with 95% confidence from n samples: the all-holds share's upper Wilson bound is
    at most 5% and the distinct share's lower bound at least 90%. (Point estimates hover around the bar from
    one draw of noise to the next: 3.5% on the fixed batch was 5.9% on a fresh one.)"""
    return (wilson_bounds(diag["all_holds"], n)[1] <= SHIP_MAX_ALL_HOLDS
            and wilson_bounds(diag["distinct"], n)[0] >= SHIP_MIN_DISTINCT)


def best_epoch(history: list[dict]) -> int | None:
    """The epoch to keep: among those whose fixed-noise samples meet the shipping bar (`acceptable`), the least
    noisy (fewest repairs per sample); when none does, the least collapsed (fewest all-hold samples, then most
    distinct, then fewest repairs). None when every epoch collapsed."""
    good = [h for h in history if acceptable(h)]
    if good:
        return min(good, key=lambda h: (h["repairs_per_sample"], h["all_holds"], -h["distinct"]))["epoch"]
    ok = [h for h in history if not h.get("collapsed", 1.0)]
    if not ok:
        return None
    return min(ok, key=lambda h: (h["all_holds"], -h["distinct"], h["repairs_per_sample"]))["epoch"]


def _resume(model: DCGAN, directory) -> list[dict]:
    """Load G, D and optimizer state from a checkpoint folder into a compiled model; the history so far."""
    from pathlib import Path

    directory = Path(directory)
    history = load_history(directory)
    if not history or not (directory / "optimizers.npz").exists():
        return []
    model.generator.set_weights(keras.saving.load_model(directory / "generator.keras").get_weights())
    model.discriminator.set_weights(keras.saving.load_model(directory / "discriminator.keras").get_weights())
    model.g_optimizer.build(model.generator.trainable_variables)
    model.d_optimizer.build(model.discriminator.trainable_variables)
    saved = np.load(directory / "optimizers.npz")
    values = [saved[f"arr_{i}"] for i in range(len(saved.files))]
    for var, val in zip([*model.g_optimizer.variables, *model.d_optimizer.variables], values):
        var.assign(val)
    return history


@dataclass
class GanResult:
    """A trained generator with its per-epoch history (losses, D accuracies, diagnostics)."""

    generator: keras.Model
    data: GanData
    history: list


def train(data: GanData, profile, out_dir, *, variant: str = "dcgan", epochs: int | None = None,
          max_seconds: float | None = None, seed: int = 0, restart: bool = False, keep: str = "last",
          verbose: int | str = "auto") -> GanResult:
    """Train the DCGAN (or WGAN-GP) on the windows; checkpoint every epoch in out_dir/checkpoint/ and resume.

    keep="best" saves the generator of `best_epoch` (the least noisy epoch that is not collapsed) instead
    of the last one. Epochs are `profile.gan_windows_per_epoch` windows (a fresh random draw; None: all). The generator is
    saved to out_dir/gan_generator.keras with its vocabulary gan_generator_vocab.json.
    """
    from pathlib import Path

    import tensorflow as tf

    from .config import set_seed

    set_seed(seed)
    out_dir, epochs = Path(out_dir), epochs if epochs is not None else profile.gan_epochs
    g = build_generator(profile.gan_noise_size)
    if variant == "dcgan":
        model = DCGAN(g, build_discriminator(), profile.gan_noise_size, seed=seed)
        model.compile(keras.optimizers.Adam(profile.gan_learning_rate_g), keras.optimizers.Adam(profile.gan_learning_rate_d))
    elif variant == "wgan-gp":
        model = WGANGP(g, build_discriminator(sigmoid=False), profile.gan_noise_size, seed=seed)
        model.compile()
    else:
        raise ValueError(f"variant must be 'dcgan' or 'wgan-gp', not {variant!r}")
    history = [] if restart else _resume(model, out_dir / "checkpoint")
    ds = tf.data.Dataset.from_tensor_slices(data.windows).shuffle(len(data.windows), seed=seed)
    ds = ds.batch(profile.gan_batch_size, drop_remainder=True)
    steps = None
    if profile.gan_windows_per_epoch and profile.gan_windows_per_epoch < len(data.windows):
        ds, steps = ds.repeat(), max(1, profile.gan_windows_per_epoch // profile.gan_batch_size)
    noise = np.random.default_rng(seed).standard_normal((256, profile.gan_noise_size)).astype(np.float32)
    callbacks = [Diagnostics(data.vocab, noise, seed), GanCheckpoint(out_dir / "checkpoint", history),
                 TimeBudget(max_seconds)]
    if len(history) < epochs:
        model.fit(ds.prefetch(tf.data.AUTOTUNE), epochs=epochs, initial_epoch=len(history), steps_per_epoch=steps,
                  callbacks=callbacks, verbose=verbose, shuffle=False)
    generator = model.generator
    best = out_dir / "checkpoint" / "best_generator.keras"
    if keep == "best" and best.exists():  # early stopping on the collapse diagnostics
        generator = keras.saving.load_model(best, compile=False)
    save_model_atomic(generator, out_dir / "gan_generator.keras")
    data.vocab.save(out_dir / "gan_generator_vocab.json")
    return GanResult(generator, data, history)


def generate(generator: keras.Model, vocab: Vocabulary, n: int = 1, *, temperature: float = 1.0,
             seed: int = 0) -> tuple[list[list[str]], Counter]:
    """n melodies of 64 steps from noise (seeded), decoded by temperature; plus the repair counts."""
    noise = np.random.default_rng(seed).standard_normal((n, generator.input_shape[-1])).astype(np.float32)
    return decode_samples(np.asarray(generator(noise, training=False)), vocab, temperature, seed)


def final_diagnostics(generator: keras.Model, vocab: Vocabulary, n: int = 256, seed: int = 0) -> dict:
    """The collapse diagnostics of n fresh samples at T = 1, with repairs per sample."""
    seqs, repairs = generate(generator, vocab, n, temperature=1.0, seed=seed + 1)
    diag = collapse_diagnostics(seqs)
    return {**diag, "collapsed": collapsed(diag), "n": n,
            "repairs": dict(repairs), "repairs_per_sample": sum(repairs.values()) / n}


def load_pretrained(name: str = "gan_generator") -> tuple[keras.Model, Vocabulary, dict]:
    """The shipped generator, its vocabulary and provenance (metrics JSON) from thesis_lib/pretrained/."""
    from .lstm import load_pretrained as load_shipped

    return load_shipped(name, f"{name.replace('_generator', '')}_metrics.json")
