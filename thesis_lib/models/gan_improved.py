"""Beyond the thesis's DCGAN: the changes the field tried against its collapse and noise, each a variant that an
ablation (benchmarks/gan_ablation.py, 05's last section) trains with the same time budget.

  * `dcgan-fm`   Tables 2-3 as they are, plus help for G (MidiNet): feature matching (×0.1), real labels
                 smoothed to 0.9, two G updates per D update;
  * `wgan-1d`    WGAN-GP over 1-D convolutions of the 64 × V one-hot sequence (Gulrajani et al. 2017's language
                 model, narrower for a CPU): time is the 1-D axis, not one side of an image; G's softmax goes
                 straight to the critic;
  * `wgan-1d-st` the same, with straight-through Gumbel-softmax: the critic sees one-hot samples, not the soft
                 outputs a real sequence never has (the soft/one-hot gap);
  * `seqgan`     an LSTM generator pre-trained by maximum likelihood (Table 1's layers), then trained by
                 REINFORCE on a 1-D CNN discriminator's judgement of whole 64-step openings (SeqGAN, Yu et al.
                 2017, with a sequence-level reward instead of Monte-Carlo roll-outs), an MLE term keeping it
                 anchored. Its melodies are drawn symbol by symbol, so the decoder has nothing to repair.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from ..core.backend import keras, layers
from ..core.config import DIAGNOSTIC_SAMPLES, THESIS, Profile
from ..data.encoding import Vocabulary
from .gan import DCGAN, WGANGP, decode_samples
from .gan_data import IMAGE, image

VARIANTS = ("dcgan-fm", "wgan-1d", "wgan-1d-st", "seqgan")
OPENING = IMAGE  # every improved GAN writes 64 steps (4 bars of 4/4), like the thesis's


# --------------------------------------------------------------------------- help for the DCGAN (MidiNet)

@keras.saving.register_keras_serializable(package="thesis_lib")
class FeatureMatchingDCGAN(DCGAN):
    """Tables 2-3 trained with MidiNet's help for G: G also matches the mean of D's last hidden features on real
    and generated windows (×`fm_weight`), D learns real windows as `real_label`, and G is updated `g_steps` times
    per D update."""

    def __init__(self, generator, discriminator, noise_size: int, fm_weight: float, real_label: float, g_steps: int,
                 **kwargs):
        super().__init__(generator, discriminator, noise_size, **kwargs)
        self.fm_weight, self.real_label, self.g_steps = fm_weight, real_label, g_steps
        self.features = keras.Model(discriminator.input, discriminator.get_layer("flatten").output)

    jax_step = None  # this ablation variant trains on TensorFlow only

    def train_step(self, ids):
        import tensorflow as tf

        real = image(ids, IMAGE)
        batch = tf.shape(real)[0]
        fake = self.generator(self._noise(batch), training=True)[..., None]
        d_w = self.discriminator.trainable_weights
        with tf.GradientTape() as tape:
            p_real, p_fake = self.discriminator(real, training=True), self.discriminator(fake, training=True)
            d_loss = self.bce(tf.fill(tf.shape(p_real), self.real_label), p_real) + \
                self.bce(tf.zeros_like(p_fake), p_fake)
        self.d_optimizer.apply_gradients(zip(tape.gradient(d_loss, d_w), d_w))
        g_w = self.generator.trainable_weights
        target = tf.reduce_mean(self.features(real, training=True), axis=0)
        for _ in range(self.g_steps):
            with tf.GradientTape() as tape:
                made = self.generator(self._noise(batch), training=True)[..., None]
                p = self.discriminator(made, training=True)
                fm = tf.reduce_mean(tf.square(tf.reduce_mean(self.features(made, training=True), axis=0) - target))
                g_loss = self.bce(tf.ones_like(p), p) + self.fm_weight * fm
            self.g_optimizer.apply_gradients(zip(tape.gradient(g_loss, g_w), g_w))
        for k, v in (("d_loss", d_loss / 2), ("g_loss", g_loss), ("d_acc_real", tf.reduce_mean(tf.cast(p_real > 0.5, "float32"))),
                     ("d_acc_fake", tf.reduce_mean(tf.cast(p_fake < 0.5, "float32")))):
            self.trackers[k].update_state(v)
        return {k: t.result() for k, t in self.trackers.items()}


# --------------------------------------------------------------------------- WGAN-GP over 1-D convolutions

def _res_block(x, width: int, kernel: int, name: str):
    """Gulrajani et al.'s residual block: x + 0.3 · conv(relu(conv(relu(x)))), no batch norm."""
    h = layers.Activation("relu", name=f"{name}_relu_a")(x)
    h = layers.Conv1D(width, kernel, padding="same", name=f"{name}_conv_a")(h)
    h = layers.Activation("relu", name=f"{name}_relu_b")(h)
    h = layers.Conv1D(width, kernel, padding="same", name=f"{name}_conv_b")(h)
    h = layers.Rescaling(0.3, name=f"{name}_scale")(h)
    return layers.Add(name=f"{name}_add")([x, h])


def build_generator_1d(profile: Profile = THESIS, vocab_size: int = IMAGE, logits: bool = False) -> keras.Model:
    """noise → Dense(64·width) → (64, width) → residual 1-D conv blocks → Conv1D(V, 1) → softmax per step
    (or the logits, for the straight-through variant)."""
    w, k = profile.gan1d_width, profile.gan1d_kernel
    z = keras.Input((profile.gan1d_noise_size,), name="noise")
    x = layers.Reshape((OPENING, w), name="steps")(layers.Dense(OPENING * w, name="dense")(z))
    for i in range(profile.gan1d_blocks):
        x = _res_block(x, w, k, f"block_{i + 1}")
    x = layers.Conv1D(vocab_size, 1, name="symbols")(x)
    out = x if logits else layers.Softmax(axis=-1, name="softmax")(x)
    return keras.Model(z, out, name="generator_1d")


def build_critic_1d(profile: Profile = THESIS, vocab_size: int = IMAGE) -> keras.Model:
    """(64, V) one-hot or soft sequence → Conv1D(width, 1) → residual blocks → Dense(1), no sigmoid."""
    w, k = profile.gan1d_width, profile.gan1d_kernel
    seq = keras.Input((OPENING, vocab_size), name="sequence")
    x = layers.Conv1D(w, 1, name="embed")(seq)
    for i in range(profile.gan1d_blocks):
        x = _res_block(x, w, k, f"block_{i + 1}")
    out = layers.Dense(1, name="score")(layers.Flatten(name="flatten")(x))
    return keras.Model(seq, out, name="critic_1d")


@keras.saving.register_keras_serializable(package="thesis_lib")
class WGAN1D(WGANGP):
    """WGAN-GP on (64, V) sequences. With `straight_through`, G's logits become one-hot samples in the forward
    pass (Gumbel-max) while gradients flow through the Gumbel-softmax relaxation at temperature `tau`."""

    def __init__(self, generator, critic, noise_size: int, critic_steps: int, gp_weight: float,
                 straight_through: bool = False, tau: float = 1.0, **kwargs):
        super().__init__(generator, critic, noise_size, critic_steps, gp_weight, **kwargs)
        self.straight_through, self.tau = straight_through, tau

    jax_step = None  # this ablation variant trains on TensorFlow only

    def probabilities(self, noise: np.ndarray) -> np.ndarray:
        """Per-step probabilities: the softmax output, or the softmax of the straight-through variant's logits."""
        out = np.asarray(self.generator(noise, training=False), np.float64)
        if not self.straight_through:
            return out
        out = np.exp(out - out.max(-1, keepdims=True))
        return out / out.sum(-1, keepdims=True)

    def fake(self, batch, training=True):
        """G's samples as the critic sees them: softmax outputs, or straight-through one-hot samples."""
        import tensorflow as tf

        out = self.generator(self._noise(batch), training=training)
        if not self.straight_through:
            return out
        u = keras.random.uniform(tf.shape(out), 1e-6, 1 - 1e-6, seed=self.seed_generator)
        soft = tf.nn.softmax((out - tf.math.log(-tf.math.log(u))) / self.tau)
        hard = tf.one_hot(tf.argmax(soft, -1), tf.shape(out)[-1])
        return hard + soft - tf.stop_gradient(soft)

    def train_step(self, ids):
        import tensorflow as tf

        real = image(ids, self.generator.output_shape[-1])[..., 0]
        batch = tf.shape(real)[0]
        c_w = self.discriminator.trainable_weights
        for _ in range(self.critic_steps):
            fake = self.fake(batch)
            with tf.GradientTape() as tape:
                s_real, s_fake = self.discriminator(real, training=True), self.discriminator(fake, training=True)
                eps = keras.random.uniform((batch, 1, 1), seed=self.seed_generator)
                mix = eps * real + (1 - eps) * fake
                with tf.GradientTape() as inner:
                    inner.watch(mix)
                    s_mix = self.discriminator(mix, training=True)
                grad = inner.gradient(s_mix, mix)
                gp = tf.reduce_mean((tf.sqrt(tf.reduce_sum(grad ** 2, axis=[1, 2]) + 1e-12) - 1.0) ** 2)
                w_dist = tf.reduce_mean(s_real) - tf.reduce_mean(s_fake)
                c_loss = -w_dist + self.gp_weight * gp
            self.d_optimizer.apply_gradients(zip(tape.gradient(c_loss, c_w), c_w))
        g_w = self.generator.trainable_weights
        with tf.GradientTape() as tape:
            g_loss = -tf.reduce_mean(self.discriminator(self.fake(batch), training=True))
        self.g_optimizer.apply_gradients(zip(tape.gradient(g_loss, g_w), g_w))
        for k, v in (("d_loss", c_loss), ("g_loss", g_loss), ("wasserstein", w_dist), ("gp", gp)):
            self.trackers[k].update_state(v)
        return {k: t.result() for k, t in self.trackers.items()}


def build(profile: Profile, variant: str, seed: int = 0, vocab_size: int = IMAGE) -> DCGAN:
    """A compiled noise-to-sequence GAN of a variant (`dcgan-fm`, `wgan-1d`, `wgan-1d-st`), every setting from the
    profile. (`seqgan` has its own loop: `seqgan.train`.)"""
    from .gan import build_discriminator, build_generator

    adam = dict(learning_rate=profile.wgan_learning_rate, beta_1=profile.wgan_beta_1, beta_2=profile.wgan_beta_2)
    if variant == "dcgan-fm":
        model = FeatureMatchingDCGAN(build_generator(profile), build_discriminator(profile), profile.gan_noise_size,
                                     profile.fm_weight, profile.fm_real_label, profile.fm_g_steps, seed=seed)
        model.compile(keras.optimizers.Adam(profile.gan_learning_rate_g), keras.optimizers.Adam(profile.gan_learning_rate_d))
    elif variant in ("wgan-1d", "wgan-1d-st"):
        st = variant == "wgan-1d-st"
        model = WGAN1D(build_generator_1d(profile, vocab_size, logits=st), build_critic_1d(profile, vocab_size),
                       profile.gan1d_noise_size, profile.gan1d_critic_steps, profile.wgan_gp_weight,
                       straight_through=st, seed=seed)
        model.compile(keras.optimizers.Adam(**adam), keras.optimizers.Adam(**adam))
    else:
        raise ValueError(f"variant must be one of {VARIANTS[:3]} here, not {variant!r}")
    return model


# --------------------------------------------------------------------------- melodies from any improved generator

def generate(net: keras.Model, vocab: Vocabulary, n: int = 1, *, temperature: float = 1.0,
             seed: int = 0, melody_start: bool = True) -> tuple[list[list[str]], Counter]:
    """n melodies of 64 steps from an improved generator, with the repairs their decoding needed: an LSTM
    generator (integer input) draws symbol by symbol and never needs one; a noise-to-sequence generator is
    decoded like the thesis's (`gan.decode_samples`; logits of the straight-through variant are softmaxed)."""
    if "int" in str(net.inputs[0].dtype):
        from .lstm import Generator

        return Generator(net, vocab).generate(n, temperature=temperature, max_steps=OPENING, seed=seed,
                                              may_end=False), Counter()
    noise = np.random.default_rng(seed).standard_normal((n, net.input_shape[-1])).astype(np.float32)
    out = np.asarray(net(noise, training=False), np.float64)
    if net.layers[-1].name != "softmax":  # the straight-through generator's logits
        out = np.exp(out - out.max(-1, keepdims=True))
        out /= out.sum(-1, keepdims=True)
    return decode_samples(out, vocab, temperature, seed, melody_start)


def final_diagnostics(net: keras.Model, vocab: Vocabulary, n: int = DIAGNOSTIC_SAMPLES, seed: int = 0) -> dict:
    """The collapse diagnostics of n fresh samples at T = 1 (as G writes them), with repairs per sample."""
    from .collapse import collapse_diagnostics, collapsed

    seqs, repairs = generate(net, vocab, n, temperature=1.0, seed=seed + 1, melody_start=False)
    diag = collapse_diagnostics(seqs)
    return {**diag, "collapsed": collapsed(diag), "n": n, "repairs": dict(repairs),
            "repairs_per_sample": sum(repairs.values()) / n}
