"""The GANs' training loop on Keras's JAX backend (05, and the GPU run): the thesis's loop unchanged (D on real
windows, D on fakes of the not-yet-updated G, then G through a frozen D; WGAN-GP: the critic's steps with their
gradient penalty, then G), written as pure functions of the networks' variables, compiled once by `jax.jit`.

The Keras guide "Customizing what happens in fit() with JAX" writes a train step that is a pure function of the
model's state; `fit` then hands it one optimizer's variables. A GAN has two optimizers, so here the same pure
step runs in a small loop of its own (`fit`), which feeds the Keras callbacks (checkpoints, diagnostics, the time
budget) at the end of each epoch as `fit` does. On TensorFlow the GANs keep their `train_step` and `fit`
(`gan.DCGAN.train_step`): a step per backend, as the Keras guides do.
"""

from __future__ import annotations

import time
from typing import Sequence

import numpy as np

from ..core.backend import keras
from .gan_data import IMAGE, image


def _state(model) -> dict:
    """The networks' and the optimizers' variables as arrays (the optimizers built first)."""
    g, d = model.generator, model.discriminator
    model.g_optimizer.build(g.trainable_variables)
    model.d_optimizer.build(d.trainable_variables)
    return {"g": [v.value for v in g.trainable_variables], "g_nt": [v.value for v in g.non_trainable_variables],
            "d": [v.value for v in d.trainable_variables], "d_nt": [v.value for v in d.non_trainable_variables],
            "g_opt": [v.value for v in model.g_optimizer.variables],
            "d_opt": [v.value for v in model.d_optimizer.variables]}


def _sync(model, state: dict) -> None:
    """Write the state back into the Keras variables (for the callbacks, the checkpoints and the files)."""
    g, d = model.generator, model.discriminator
    for variables, values in ((g.trainable_variables, state["g"]), (g.non_trainable_variables, state["g_nt"]),
                              (d.trainable_variables, state["d"]), (d.non_trainable_variables, state["d_nt"]),
                              (model.g_optimizer.variables, state["g_opt"]),
                              (model.d_optimizer.variables, state["d_opt"])):
        for var, value in zip(variables, values):
            var.assign(value)


def dcgan_step(model, state: dict, ids, key):
    """One step of the thesis's loop (Table 4): D on a real batch (label 1), D on fakes from the not-yet-updated
    G (label 0), then G towards 1 through D, whose weights get no gradient there."""
    import jax
    import jax.numpy as jnp


    G, D, bce = model.generator, model.discriminator, model.bce
    real = image(ids, IMAGE)
    b = real.shape[0]
    k1, k2 = jax.random.split(key)
    fake, g_nt = G.stateless_call(state["g"], state["g_nt"], jax.random.normal(k1, (b, model.noise_size)),
                                  training=True)
    fake = jax.lax.stop_gradient(fake[..., None])

    def d_loss(d_vars, d_nt, x, label):
        p, d_nt = D.stateless_call(d_vars, d_nt, x, training=True)
        return bce(jnp.full_like(p, label), p), (p, d_nt)

    (loss_real, (p_real, d_nt)), grads = jax.value_and_grad(d_loss, has_aux=True)(state["d"], state["d_nt"], real, 1.)
    d_vars, d_opt = model.d_optimizer.stateless_apply(state["d_opt"], grads, state["d"])
    (loss_fake, (p_fake, d_nt)), grads = jax.value_and_grad(d_loss, has_aux=True)(d_vars, d_nt, fake, 0.)
    d_vars, d_opt = model.d_optimizer.stateless_apply(d_opt, grads, d_vars)

    def g_loss(g_vars, g_nt, d_nt):
        made, g_nt = G.stateless_call(g_vars, g_nt, jax.random.normal(k2, (b, model.noise_size)), training=True)
        p, d_nt = D.stateless_call(d_vars, d_nt, made[..., None], training=True)
        return bce(jnp.ones_like(p), p), (g_nt, d_nt)

    (loss_g, (g_nt, d_nt)), grads = jax.value_and_grad(g_loss, has_aux=True)(state["g"], g_nt, d_nt)
    g_vars, g_opt = model.g_optimizer.stateless_apply(state["g_opt"], grads, state["g"])
    logs = {"d_loss": (loss_real + loss_fake) / 2, "g_loss": loss_g, "d_acc_real": jnp.mean(p_real > 0.5),
            "d_acc_fake": jnp.mean(p_fake < 0.5)}
    return {"g": g_vars, "g_nt": g_nt, "d": d_vars, "d_nt": d_nt, "g_opt": g_opt, "d_opt": d_opt}, logs


def wgan_gp_step(model, state: dict, ids, key):
    """WGAN-GP (Gulrajani et al. 2017): `critic_steps` critic updates, each with its gradient penalty on random
    mixes of real and fake windows, then one G update."""
    import jax
    import jax.numpy as jnp


    G, C = model.generator, model.discriminator
    real = image(ids, IMAGE)
    b = real.shape[0]
    keys = jax.random.split(key, 3 * model.critic_steps + 1)
    g_nt, c_vars, c_nt, c_opt = state["g_nt"], state["d"], state["d_nt"], state["d_opt"]
    for k in range(model.critic_steps):
        fake, g_nt = G.stateless_call(state["g"], g_nt, jax.random.normal(keys[3 * k], (b, model.noise_size)),
                                      training=True)
        fake = jax.lax.stop_gradient(fake[..., None])
        eps = jax.random.uniform(keys[3 * k + 1], (b, 1, 1, 1))
        mix = eps * real + (1 - eps) * fake

        def c_loss(c_vars, c_nt):
            s_real, c_nt = C.stateless_call(c_vars, c_nt, real, training=True)
            s_fake, c_nt = C.stateless_call(c_vars, c_nt, fake, training=True)
            grad = jax.grad(lambda x: jnp.sum(C.stateless_call(c_vars, c_nt, x, training=True)[0]))(mix)
            gp = jnp.mean((jnp.sqrt(jnp.sum(grad ** 2, axis=(1, 2, 3)) + 1e-12) - 1.0) ** 2)
            w = jnp.mean(s_real) - jnp.mean(s_fake)
            return -w + model.gp_weight * gp, (w, gp, c_nt)

        (loss_c, (w_dist, gp, c_nt)), grads = jax.value_and_grad(c_loss, has_aux=True)(c_vars, c_nt)
        c_vars, c_opt = model.d_optimizer.stateless_apply(c_opt, grads, c_vars)

    def g_loss(g_vars, g_nt, c_nt):
        made, g_nt = G.stateless_call(g_vars, g_nt, jax.random.normal(keys[-1], (b, model.noise_size)),
                                      training=True)
        s, c_nt = C.stateless_call(c_vars, c_nt, made[..., None], training=True)
        return -jnp.mean(s), (g_nt, c_nt)

    (loss_g, (g_nt, c_nt)), grads = jax.value_and_grad(g_loss, has_aux=True)(state["g"], g_nt, c_nt)
    g_vars, g_opt = model.g_optimizer.stateless_apply(state["g_opt"], grads, state["g"])
    logs = {"d_loss": loss_c, "g_loss": loss_g, "wasserstein": w_dist, "gp": gp}
    return {"g": g_vars, "g_nt": g_nt, "d": c_vars, "d_nt": c_nt, "g_opt": g_opt, "d_opt": c_opt}, logs


def fit(model, windows: np.ndarray, *, batch_size: int, epochs: int, initial_epoch: int, steps: int | None,
        callbacks: Sequence, seed: int = 0, verbose: int | str = "auto") -> None:
    """Train a GAN of `gan` on JAX: epochs of shuffled batches (seeded; `steps` batches an epoch, the shuffled
    windows read on across epochs and reshuffled when used up, as `fit` does with `steps_per_epoch`), the step
    compiled once, the callbacks told at the end of each epoch."""
    import jax

    step_fn = getattr(model, "jax_step", None)
    if step_fn is None:
        raise NotImplementedError(f"{type(model).__name__} trains on the TensorFlow backend only (05's ablation)")
    step = jax.jit(lambda state, ids, key: step_fn(state, ids, key))
    callbacks = keras.callbacks.CallbackList(list(callbacks), model=model)
    rng, key = np.random.default_rng(seed), jax.random.PRNGKey(seed)
    per_epoch = steps or len(windows) // batch_size
    order, at = rng.permutation(len(windows)), 0
    for _ in range(initial_epoch):          # a resumed run reads on where it would have been
        at += per_epoch * batch_size
        if at + batch_size > len(windows):
            order, at = rng.permutation(len(windows)), 0
    state = _state(model)
    model.stop_training = False
    callbacks.on_train_begin()
    for epoch in range(initial_epoch, epochs):
        start, sums = time.perf_counter(), {}
        for _ in range(per_epoch):
            if at + batch_size > len(windows):
                order, at = rng.permutation(len(windows)), 0
            ids = windows[order[at:at + batch_size]]
            at += batch_size
            key, sub = jax.random.split(key)
            state, logs = step(state, ids, sub)
            sums = {k: sums.get(k, 0.0) + v for k, v in logs.items()}
        _sync(model, state)
        logs = {k: float(v) / per_epoch for k, v in sums.items()}
        callbacks.on_epoch_end(epoch, logs)
        if verbose:
            print(f"epoch {epoch + 1}/{epochs}: " + ", ".join(f"{k} {v:.4f}" for k, v in logs.items())
                  + f" ({time.perf_counter() - start:.0f} s)", flush=True)
        if model.stop_training:
            break
    callbacks.on_train_end()
