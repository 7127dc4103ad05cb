"""GAN training speed on this machine: DCGAN (2 D updates + 1 G update per step) and WGAN-GP
(5 critic updates with gradient penalty + 1 G update), batch 64, steps per second side by side.
Run on a GPU machine too when one is lent (`device` tool); this script prints the devices it saw.

Run: .venv/bin/python benchmarks/gan_training.py [--steps 40]
"""

import argparse
import os
import time

import numpy as np


def steps(model, windows: np.ndarray) -> None:
    """Train on these windows in batches of 64: `fit` and the `train_step` on TensorFlow, the GANs' own loop of
    a jitted step on JAX."""
    from thesis_lib.core import backend

    if backend.name() == "jax":
        from thesis_lib.models import gan_jax

        gan_jax.fit(model, windows, batch_size=64, epochs=1, initial_epoch=0, steps=len(windows) // 64,
                    callbacks=[], verbose=0)
    else:
        model.fit(windows, batch_size=64, epochs=1, verbose=0, shuffle=False)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=40, help="timed steps per variant (after 5 warm-up steps)")
    args = ap.parse_args()
    from thesis_lib.core import backend
    from thesis_lib.data.corpus import load_corpus
    from thesis_lib.models import gan
    from thesis_lib.models.gan_data import prepare_data

    data = prepare_data([s.events for s in load_corpus(progress=False).songs])
    gpus = backend.machine()["gpus"]
    print(f"GAN training on {backend.name()}, batch 64, {len(data.windows):,} windows; devices: "
          f"{gpus or f'CPU only ({os.cpu_count()} cores)'}")
    rates = {}
    for name, model in (("DCGAN", gan.build_gan(variant="dcgan")), ("WGAN-GP", gan.build_gan(variant="wgan-gp"))):
        batches = data.windows[np.random.default_rng(0).choice(len(data.windows), 64 * (args.steps + 5))]
        steps(model, batches[:64 * 5])   # warm-up: tracing and compiling
        t = time.perf_counter()
        steps(model, batches[64 * 5:])
        rates[name] = args.steps / (time.perf_counter() - t)
        print(f"  {name:8s} {rates[name]:7.2f} steps/s  {rates[name] * 64:8.0f} windows/s  "
              f"one thesis epoch ({len(data.windows):,} windows) ~ {len(data.windows) / 64 / rates[name] / 60:.1f} min")
    print(f"ratio: DCGAN step x{rates['DCGAN'] / rates['WGAN-GP']:.1f} as fast as a WGAN-GP step")


if __name__ == "__main__":
    main()
