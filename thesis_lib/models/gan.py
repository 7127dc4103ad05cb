"""The DCGAN of §3.3 (Tables 2–4): 64-step windows as 64 × 64 one-hot "images", the thesis's training
loop in `train_step`, decoding by temperature, mode-collapse diagnostics, and a WGAN-GP variant.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from ..core.backend import keras, layers
from ..core.config import DIAGNOSTIC_SAMPLES, HOLD, THESIS, Profile
from ..core.sampling import sample, without
from ..data.encoding import Vocabulary, count_repairs, start_banned
from .checkpoint import EpochCheckpoint, TimeBudget, load_history, save_model_atomic
from .collapse import Diagnostics, best_epoch, collapse_diagnostics, collapsed
from .gan_data import IMAGE, GanData, image

# --------------------------------------------------------------------------- Tables 2 and 3

def build_generator(profile: Profile = THESIS) -> keras.Model:
    """Table 2: noise → Dense(2048) → 8×8×32 → 3 × (UpSampling2D, Conv2D 8×8) → 64×64, softmax per step."""
    noise_size, dropout = profile.gan_noise_size, profile.gan_dropout
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
    out = layers.Softmax(axis=-1, name="softmax")(x)
    return keras.Model(z, out, name="generator")


def build_discriminator(profile: Profile = THESIS, sigmoid: bool = True) -> keras.Model:
    """Table 3: 64×64×1 → 3 strided Conv2D 8×8 (8, 16, 32) with LeakyReLU + Dropout → Dense(1).

    sigmoid=False gives the WGAN-GP critic (an unbounded score).
    """
    dropout = profile.gan_dropout
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

def decode_samples(probs: np.ndarray, vocab: Vocabulary, temperature: float = 1.0, seed: int = 0,
                   melody_start: bool = True) -> tuple[list[list[str]], Counter]:
    """Generator outputs (N, 64, 64) → symbol sequences by temperature sampling per step (§3.1).

    A column beyond the vocabulary (the single-hold scheme pads 38 symbols to 64) reads as a hold. With
    melody_start, the first step is drawn from the notes and rests only, like every model's first symbol;
    the collapse diagnostics decode without it, so that `_ _ _ …` stays visible as what G writes.
    Returns the sequences and how often each repair rule fired over all of them.
    """
    probs = np.asarray(probs, np.float64)
    if melody_start:
        probs = probs.copy()
        probs[:, 0] = without(probs[:, 0], [*start_banned(vocab), *range(len(vocab), probs.shape[-1])])
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

@keras.saving.register_keras_serializable(package="thesis_lib")
class DCGAN(keras.Model):
    """§3.3.3-3.3.4: per step, D learns real → 1, then fakes of the not-yet-updated G → 0; then G learns
    to make D say 1 through a frozen D (Table 4). BCE, Adam 1e-4 (G) and 1e-3 (D)."""

    def __init__(self, generator: keras.Model, discriminator: keras.Model, noise_size: int, seed: int = 0,
                 **kwargs):
        super().__init__(**kwargs)
        self.generator, self.discriminator, self.noise_size = generator, discriminator, int(noise_size)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.trackers = {k: keras.metrics.Mean(name=k) for k in ("d_loss", "g_loss", "d_acc_real", "d_acc_fake")}

    def compile(self, g_optimizer, d_optimizer, **kwargs):
        super().compile(**kwargs)
        self.g_optimizer, self.d_optimizer = g_optimizer, d_optimizer
        self.bce = keras.losses.BinaryCrossentropy()

    @property
    def metrics(self):
        return list(self.trackers.values())

    def _noise(self, batch):
        return keras.random.normal((batch, self.noise_size), seed=self.seed_generator)

    def probabilities(self, noise: np.ndarray) -> np.ndarray:
        """G's output for these noise vectors as per-step probabilities (N, 64, columns)."""
        return np.asarray(self.generator(noise, training=False), np.float64)

    def jax_step(self, state, ids, key):
        """The same step on the JAX backend, a pure function of the variables (`gan_jax.dcgan_step`)."""
        from .gan_jax import dcgan_step

        return dcgan_step(self, state, ids, key)

    def train_step(self, ids):
        import tensorflow as tf

        real = image(ids, IMAGE)
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
    """WGAN-GP (Gulrajani et al. 2017): a critic without sigmoid, a gradient penalty, several critic steps per
    G step (`Profile.wgan_critic_steps`, `Profile.wgan_gp_weight`)."""

    def __init__(self, generator, critic, noise_size: int, critic_steps: int, gp_weight: float, **kwargs):
        super().__init__(generator, critic, noise_size, **kwargs)
        self.critic_steps, self.gp_weight = critic_steps, gp_weight
        self.trackers = {k: keras.metrics.Mean(name=k) for k in ("d_loss", "g_loss", "wasserstein", "gp")}

    def jax_step(self, state, ids, key):
        """The same step on the JAX backend (`gan_jax.wgan_gp_step`)."""
        from .gan_jax import wgan_gp_step

        return wgan_gp_step(self, state, ids, key)

    def train_step(self, ids):
        import tensorflow as tf

        real = image(ids, IMAGE)
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


def build_gan(profile: Profile = THESIS, variant: str = "dcgan", seed: int = 0) -> DCGAN:
    """A compiled DCGAN (Tables 2-4, the thesis's optimizers) or WGAN-GP, every setting from the profile."""
    g = build_generator(profile)
    if variant == "dcgan":
        model = DCGAN(g, build_discriminator(profile), profile.gan_noise_size, seed=seed)
        model.compile(keras.optimizers.Adam(profile.gan_learning_rate_g), keras.optimizers.Adam(profile.gan_learning_rate_d),
                      jit_compile=profile.jit_compile, steps_per_execution=profile.steps_per_execution)
    elif variant == "wgan-gp":
        model = WGANGP(g, build_discriminator(profile, sigmoid=False), profile.gan_noise_size,
                       profile.wgan_critic_steps, profile.wgan_gp_weight, seed=seed)
        adam = dict(learning_rate=profile.wgan_learning_rate, beta_1=profile.wgan_beta_1, beta_2=profile.wgan_beta_2)
        model.compile(keras.optimizers.Adam(**adam), keras.optimizers.Adam(**adam))
    else:
        raise ValueError(f"variant must be 'dcgan' or 'wgan-gp', not {variant!r}")
    return model


# --------------------------------------------------------------------------- data, training, checkpoints

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


def train(data: GanData, profile: Profile, out_dir, *, variant: str = "dcgan", epochs: int | None = None,
          max_seconds: float | None = None, seed: int = 0, restart: bool = False, keep: str = "last",
          model: DCGAN | None = None, name: str = "gan_generator", verbose: int | str = "auto") -> GanResult:
    """Train the DCGAN (or WGAN-GP, or a compiled `model` of the same family) on the windows; checkpoint every
    epoch in out_dir/checkpoint/ and resume.

    keep="best" saves the generator of `best_epoch` (the least noisy epoch that is not collapsed) instead
    of the last one. Epochs are `profile.gan_windows_per_epoch` windows (a fresh random draw; None: all). The
    generator is saved to out_dir/NAME.keras with its vocabulary NAME_vocab.json.
    """
    from pathlib import Path

    from ..core import backend

    backend.set_seed(seed)
    out_dir, epochs = Path(out_dir), epochs if epochs is not None else profile.gan_epochs
    model = model or build_gan(profile, variant, seed)
    history = [] if restart else _resume(model, out_dir / "checkpoint")
    steps = None
    if profile.gan_windows_per_epoch and profile.gan_windows_per_epoch < len(data.windows):
        steps = max(1, profile.gan_windows_per_epoch // profile.gan_batch_size)
    noise = np.random.default_rng(seed).standard_normal((DIAGNOSTIC_SAMPLES, model.noise_size)).astype(np.float32)

    def draw():  # the same noise every epoch, decoded at T = 1
        return decode_samples(model.probabilities(noise), data.vocab, 1.0, seed, melody_start=False)

    callbacks = [Diagnostics(draw), GanCheckpoint(out_dir / "checkpoint", history),
                 TimeBudget(max_seconds)]
    if len(history) < epochs and backend.name() == "jax":
        from .gan_jax import fit

        fit(model, data.windows, batch_size=profile.gan_batch_size, epochs=epochs, initial_epoch=len(history),
            steps=steps, callbacks=callbacks, seed=seed, verbose=verbose)
    elif len(history) < epochs:
        tf = backend.tensorflow()
        # TensorFlow's graph optimizer cannot fuse the LeakyReLU gradients of these networks: it gives up on that
        # pass (the graph stays as it is) and prints "remapper failed" as an error line. Turn the pass off instead.
        tf.config.optimizer.set_experimental_options({"remapping": False})
        ds = tf.data.Dataset.from_tensor_slices(data.windows).shuffle(len(data.windows), seed=seed)
        ds = ds.batch(profile.gan_batch_size, drop_remainder=True)
        model.fit((ds.repeat() if steps else ds).prefetch(tf.data.AUTOTUNE), epochs=epochs,
                  initial_epoch=len(history), steps_per_epoch=steps, callbacks=callbacks, verbose=verbose,
                  shuffle=False)
    generator = model.generator
    best = out_dir / "checkpoint" / "best_generator.keras"
    if keep == "best" and best.exists():  # early stopping on the collapse diagnostics
        generator = keras.saving.load_model(best, compile=False)
    save_model_atomic(generator, out_dir / f"{name}.keras")
    data.vocab.save(out_dir / f"{name}_vocab.json")
    return GanResult(generator, data, history)


def generate(generator: keras.Model, vocab: Vocabulary, n: int = 1, *, temperature: float = 1.0,
             seed: int = 0, melody_start: bool = True) -> tuple[list[list[str]], Counter]:
    """n melodies of 64 steps from noise (seeded), decoded by temperature; plus the repair counts."""
    noise = np.random.default_rng(seed).standard_normal((n, generator.input_shape[-1])).astype(np.float32)
    return decode_samples(np.asarray(generator(noise, training=False)), vocab, temperature, seed, melody_start)


def final_diagnostics(generator: keras.Model, vocab: Vocabulary, n: int = DIAGNOSTIC_SAMPLES, seed: int = 0) -> dict:
    """The collapse diagnostics of n fresh samples at T = 1 (decoded as G writes them), with repairs per sample."""
    seqs, repairs = generate(generator, vocab, n, temperature=1.0, seed=seed + 1, melody_start=False)
    diag = collapse_diagnostics(seqs)
    return {**diag, "collapsed": collapsed(diag), "n": n,
            "repairs": dict(repairs), "repairs_per_sample": sum(repairs.values()) / n}
