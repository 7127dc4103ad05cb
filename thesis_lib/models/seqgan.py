"""SeqGAN for the ballads (Yu et al. 2017), the adversarial fine-tuning of a likelihood model: a generator with
Table 1's layers is pre-trained by maximum likelihood (`lstm.train`, every-step), then trained by REINFORCE to
write 64-step song openings that a 1-D CNN discriminator takes for real ones, an MLE term on real windows
keeping it anchored. The reward is the discriminator's judgement of the whole opening, with the batch mean as
the baseline (SeqGAN's Monte-Carlo roll-outs per step would cost 64 times more on a CPU).

The generator draws symbol by symbol from its own distribution, so its melodies never need a decoding repair.
Order of use: `train(data, profile, out_dir, max_seconds=…)`; `gan_improved.generate` draws from the result.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np

from ..core.backend import keras, layers, set_seed
from ..core.config import DELIMITER, DIAGNOSTIC_SAMPLES, Profile
from ..core.files import atomic_write_text
from .checkpoint import load_history, save_model_atomic
from .collapse import collapse_diagnostics, collapsed
from .gan_improved import OPENING
from .lstm import (
    Generator,
    LstmData,
    best_epoch,
    load,
    one_hot_layer,
    plain_copy,
    rebuild,
)
from .lstm import train as train_mle


def build_discriminator(vocab_size: int, profile: Profile) -> keras.Model:
    """64 ids → one-hot → three 1-D convolutions (the last two strided) → global max pool → P(real opening)."""
    w = profile.seqgan_d_width
    ids = keras.Input((OPENING,), dtype="int32", name="ids")
    x = one_hot_layer(vocab_size)(ids)
    for i, stride in enumerate((1, 2, 2), start=1):
        x = layers.Conv1D(w, 5, strides=stride, padding="same", activation="relu", name=f"conv_{i}")(x)
        x = layers.Dropout(profile.gan_dropout, name=f"dropout_{i}")(x)
    x = layers.GlobalMaxPooling1D(name="pool")(x)
    return keras.Model(ids, layers.Dense(1, activation="sigmoid", name="real")(x), name="opening_discriminator")


def openings(data: LstmData, songs: np.ndarray) -> np.ndarray:
    """(N, 64) ids: the first 64 steps of each of these songs that is at least that long (real openings)."""
    delim = data.vocab.id(DELIMITER)
    ids, owner = data.stream.ids, data.stream.owner
    out = []
    for k in songs:
        pos = np.flatnonzero((owner == k) & (ids != delim))
        if len(pos) >= OPENING:
            out.append(ids[pos[:OPENING]])
    return np.array(out, np.int32)


class SeqGAN:
    """The generator (an any-length every-step copy of Table 1), the discriminator, their optimizers and steps."""

    def __init__(self, generator: keras.Model, data: LstmData, profile: Profile, seed: int = 0):
        from ..core import backend

        self.data, self.profile, self.rng = data, profile, np.random.default_rng(seed)
        self.g = rebuild(generator, None, every_step=True)
        self.d = build_discriminator(len(data.vocab), profile)
        self.g_opt = keras.optimizers.Adam(profile.seqgan_learning_rate)
        self.d_opt = keras.optimizers.Adam(profile.seqgan_d_learning_rate)
        self.sampler = Generator(self.g, data.vocab, context=profile.sequence_length)
        self.real = openings(data, data.train_songs)
        self.context = np.full(profile.sequence_length, data.vocab.id(DELIMITER), np.int32)
        if backend.name() == "jax":  # the same updates as pure functions of the variables (`_jax_steps`)
            self._g_step, self._d_step = _jax_steps(self)
        else:
            tf = backend.tensorflow()
            self._g_step, self._d_step = tf.function(self._g_update), tf.function(self._d_update)

    def sample(self, n: int, seed: int) -> np.ndarray:
        """n openings of 64 symbols drawn from the current generator at T = 1, as ids."""
        self.sampler.refresh()
        melodies = self.sampler.generate(n, temperature=1.0, max_steps=OPENING, seed=seed, may_end=False)
        return np.stack([self.data.vocab.encode(m) for m in melodies])

    def _g_update(self, fake, advantage, x, y):
        import tensorflow as tf

        n = tf.shape(fake)[0]
        inputs = tf.concat([tf.tile(self.context[None, :], [n, 1]), fake[:, :-1]], axis=1)
        with tf.GradientTape() as tape:
            p = self.g(inputs, training=True)[:, self.profile.sequence_length - 1:]
            logp = tf.math.log(tf.gather(p, fake, batch_dims=2) + 1e-9)
            pg = -tf.reduce_mean(advantage[:, None] * logp)
            mle = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, self.g(x, training=True)))
            loss = pg + self.profile.seqgan_mle_weight * mle
        w = self.g.trainable_weights
        self.g_opt.apply_gradients(zip(tape.gradient(loss, w), w))
        return pg, mle

    def _d_update(self, real, fake):
        import tensorflow as tf

        with tf.GradientTape() as tape:
            p_real, p_fake = self.d(real, training=True), self.d(fake, training=True)
            loss = (keras.losses.binary_crossentropy(tf.fill(tf.shape(p_real), self.profile.fm_real_label), p_real)
                    + keras.losses.binary_crossentropy(tf.zeros_like(p_fake), p_fake))
            loss = tf.reduce_mean(loss) / 2
        w = self.d.trainable_weights
        self.d_opt.apply_gradients(zip(tape.gradient(loss, w), w))
        return loss, tf.reduce_mean(tf.cast(p_real > 0.5, "float32")), tf.reduce_mean(tf.cast(p_fake < 0.5, "float32"))

    def pretrain_discriminator(self, steps: int, seed: int = 0) -> dict:
        """SeqGAN's D pre-training: real openings against the MLE generator's, before any reward reaches G (a
        fresh D's judgement is noise, and REINFORCE would follow it)."""
        b = self.profile.seqgan_batch_size
        logs = []
        for k in range(steps):
            real = self.real[self.rng.integers(0, len(self.real), b)]
            logs.append([float(v) for v in self._d_step(real, self.sample(b, seed=20_000 + seed + k))])
        return {"d_pretrain_steps": steps, **dict(zip(("d_loss", "d_acc_real", "d_acc_fake"), np.mean(logs[-10:], 0)))}

    def step(self, k: int) -> dict:
        """One adversarial step: D on real and fresh openings, then G by REINFORCE (+ MLE on real windows)."""
        b = self.profile.seqgan_batch_size
        fake = self.sample(b, seed=10_000 + k)
        real = self.real[self.rng.integers(0, len(self.real), b)]
        d_loss, acc_real, acc_fake = (float(v) for v in self._d_step(real, fake))
        reward = np.asarray(self.d(fake, training=False))[:, 0]
        advantage = ((reward - reward.mean()) / (reward.std() + 1e-6)).astype(np.float32)
        starts = self.rng.choice(self.data.train_starts, b)
        window = self.data.stream.ids[starts[:, None] + np.arange(self.profile.sequence_length + 1)[None, :]]
        pg, mle = self._g_step(fake, advantage, window[:, :-1], window[:, 1:])
        return {"d_loss": d_loss, "d_acc_real": acc_real, "d_acc_fake": acc_fake, "reward": float(reward.mean()),
                "pg_loss": float(pg), "mle_loss": float(mle)}

    # ---------------------------------------------------------------- checkpoints

    def save(self, directory: Path, history: list[dict]) -> None:
        """G (a plain Table-1 model), D, both optimizers and the history, each written atomically."""
        save_model_atomic(plain_copy(rebuild(self.g, self.profile.sequence_length)), directory / "generator.keras")
        save_model_atomic(self.d, directory / "discriminator.keras")
        tmp = directory / f".optimizers.{os.getpid()}.tmp.npz"
        np.savez(tmp, *[np.asarray(v) for v in (*self.g_opt.variables, *self.d_opt.variables)])
        os.replace(tmp, directory / "optimizers.npz")
        atomic_write_text(directory / "history.json", json.dumps(history, indent=1))

    def resume(self, directory: Path) -> list[dict]:
        """Pick up a saved adversarial phase (the history so far; [] to start it afresh)."""
        history = load_history(directory)
        if not history or not (directory / "optimizers.npz").exists():
            return []
        from .shipped import load_model

        self.g.set_weights(load_model(directory / "generator.keras").get_weights())
        self.d.set_weights(load_model(directory / "discriminator.keras").get_weights())
        self.g_opt.build(self.g.trainable_variables)
        self.d_opt.build(self.d.trainable_variables)
        saved = np.load(directory / "optimizers.npz")
        for var, k in zip((*self.g_opt.variables, *self.d_opt.variables), range(len(saved.files))):
            var.assign(saved[f"arr_{k}"])
        return history


def _jax_steps(gan: SeqGAN):
    """G's and D's updates on the JAX backend, the same losses as `SeqGAN._g_update` and `_d_update`: each a jitted
    pure function of the network's and its optimizer's variables, whose results are written back into the Keras
    variables (the sampler reads G's weights before every draw)."""
    import jax
    import jax.numpy as jnp

    g, d, p = gan.g, gan.d, gan.profile
    gan.g_opt.build(g.trainable_variables)
    gan.d_opt.build(d.trainable_variables)
    context = jnp.asarray(gan.context)

    @jax.jit
    def g_update(gv, gnt, opt, fake, advantage, x, y):
        def loss(gv, gnt):
            inputs = jnp.concatenate([jnp.tile(context[None, :], (fake.shape[0], 1)), fake[:, :-1]], axis=1)
            probs, gnt = g.stateless_call(gv, gnt, inputs, training=True)
            picked = jnp.take_along_axis(probs[:, p.sequence_length - 1:], fake[..., None], axis=2)[..., 0]
            pg = -jnp.mean(advantage[:, None] * jnp.log(picked + 1e-9))
            q, gnt = g.stateless_call(gv, gnt, x, training=True)
            mle = jnp.mean(keras.losses.sparse_categorical_crossentropy(y, q))
            return pg + p.seqgan_mle_weight * mle, (pg, mle, gnt)

        (_, (pg, mle, gnt)), grads = jax.value_and_grad(loss, has_aux=True)(gv, gnt)
        gv, opt = gan.g_opt.stateless_apply(opt, grads, gv)
        return gv, gnt, opt, pg, mle

    @jax.jit
    def d_update(dv, dnt, opt, real, fake):
        def loss(dv, dnt):
            p_real, dnt = d.stateless_call(dv, dnt, real, training=True)
            p_fake, dnt = d.stateless_call(dv, dnt, fake, training=True)
            both = (keras.losses.binary_crossentropy(jnp.full_like(p_real, p.fm_real_label), p_real)
                    + keras.losses.binary_crossentropy(jnp.zeros_like(p_fake), p_fake))
            return jnp.mean(both) / 2, (p_real, p_fake, dnt)

        (value, (p_real, p_fake, dnt)), grads = jax.value_and_grad(loss, has_aux=True)(dv, dnt)
        dv, opt = gan.d_opt.stateless_apply(opt, grads, dv)
        return dv, dnt, opt, value, jnp.mean(p_real > 0.5), jnp.mean(p_fake < 0.5)

    def run(update, net, opt, *args):
        values = [[v.value for v in vs] for vs in (net.trainable_variables, net.non_trainable_variables,
                                                     opt.variables)]
        out = update(*values, *args)
        for variables, new in zip((net.trainable_variables, net.non_trainable_variables, opt.variables), out[:3]):
            for var, value in zip(variables, new):
                var.assign(value)
        return out[3:]

    return (lambda fake, advantage, x, y: run(g_update, g, gan.g_opt, fake, advantage, x, y),
            lambda real, fake: run(d_update, d, gan.d_opt, real, fake))


def train(data: LstmData, profile: Profile, out_dir: str | os.PathLike, *, max_seconds: float, seed: int = 0,
          verbose: int = 2) -> tuple[keras.Model, list[dict], dict]:
    """Pre-train by MLE for `seqgan_pretrain_share` of the budget (best epoch kept), then adversarial epochs of
    `seqgan_steps_per_epoch` steps until the budget is spent (at least one); both phases checkpoint and resume.
    Returns the generator (a plain Table-1 model), the adversarial history (with collapse diagnostics per epoch)
    and the MLE result's summary. Saves OUT/gan_improved_generator.keras and its vocabulary."""
    set_seed(seed)
    out_dir = Path(out_dir)
    ckpt = out_dir / "checkpoint"
    if load_history(ckpt):  # the adversarial phase had begun: the MLE phase is done, its result on disk
        mle_history = load_history(out_dir / "mle" / "checkpoint")
        mle_model = load(out_dir / "mle" / "lstm.keras")
        mle = {"mle_kept_epoch": best_epoch(mle_history)["epoch"],
               "mle_epochs": len(mle_history), "mle_seconds": mle_history[-1]["seconds"]}
    else:
        result = train_mle(data, profile, out_dir / "mle", every_step=True, epochs=10_000, seed=seed, keep="best",
                           max_seconds=max_seconds * profile.seqgan_pretrain_share, val_share=0.25, verbose=verbose)
        mle_model = result.model
        mle = {"mle_kept_epoch": result.kept_epoch, "mle_epochs": len(result.history), "mle_val": result.val,
               "mle_seconds": result.history[-1]["seconds"] if result.history else 0.0}
    gan = SeqGAN(mle_model, data, profile, seed)
    ckpt.mkdir(parents=True, exist_ok=True)
    history = gan.resume(ckpt)
    spent = history[-1]["seconds"] if history else 0.0
    budget = max_seconds - mle["mle_seconds"]  # what the MLE phase left of the budget
    start = time.perf_counter()  # D's pre-training counts in the adversarial phase's time
    d_pretrain = {}
    if not history:
        d_pretrain = gan.pretrain_discriminator(profile.seqgan_d_pretrain_steps, seed)
        if verbose:
            print(f"discriminator pre-trained: {d_pretrain}", flush=True)
    while not history or spent + time.perf_counter() - start < budget:  # at least one adversarial epoch
        logs = [gan.step(len(history) * profile.seqgan_steps_per_epoch + k)
                for k in range(profile.seqgan_steps_per_epoch)]
        record = {"epoch": len(history) + 1, "seconds": spent + time.perf_counter() - start,
                  **{key: float(np.mean([l[key] for l in logs])) for key in logs[0]}}
        seqs = [data.vocab.decode(r) for r in gan.sample(DIAGNOSTIC_SAMPLES, seed=seed)]
        diag = collapse_diagnostics(seqs)
        record.update(diag, repairs_per_sample=0.0, collapsed=float(collapsed(diag)))
        history.append(record)
        gan.save(ckpt, history)
        if verbose:
            print(f"adversarial epoch {record['epoch']}: " + ", ".join(f"{k} {v:.3f}" for k, v in record.items()
                                                                       if k not in ("epoch",)), flush=True)
    generator = plain_copy(rebuild(gan.g, profile.sequence_length))
    save_model_atomic(generator, out_dir / "gan_improved_generator.keras")
    data.vocab.save(out_dir / "gan_improved_generator_vocab.json")
    return generator, history, {**mle, "d_pretrain": d_pretrain}
