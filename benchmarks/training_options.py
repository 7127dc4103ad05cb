"""What the accelerator options cost and change, side by side in one run on this machine: the Table-1 LSTM
(last-step, batch 128) and the DCGAN (batch 64) trained for the same steps from the same seed, plain and with
each option of `Profile` (`jit_compile`, `steps_per_execution`, `mixed_precision`). Each variant runs in a
process of its own; it prints windows per second (after a warm-up, the median of three timed passes over the
same batches) and the loss the same steps reach, so an option that changes the numbers by more than noise
shows.

Run: .venv/bin/python benchmarks/training_options.py [--batches 60]
On a GPU machine the same script measures the options where they are meant to help.
"""

import argparse
import json
import subprocess
import sys

CHILD = r"""
import json, sys, time
import numpy as np
from thesis_lib.core.config import get_profile
from thesis_lib.core.backend import keras
model_name, option, batches = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])


def timed(fit, windows, repeats=3):
    # windows per second of the median of `repeats` passes: a single pass on this shared 2-core machine
    # was seen to take 1.7 times as long as the next, for no reason in the code
    seconds = []
    for _ in range(repeats):
        t = time.perf_counter()
        fit()
        seconds.append(time.perf_counter() - t)
    return windows / sorted(seconds)[repeats // 2]

profile = get_profile("full", **option)
keras.utils.set_random_seed(0)
from thesis_lib.data.corpus import load_corpus
songs = load_corpus(progress=False).songs
if model_name == "lstm":
    from thesis_lib.models import lstm
    from thesis_lib.data.encoding import encode_events
    data = lstm.prepare_data([encode_events(s.events) for s in songs], profile=profile)
    keras.mixed_precision.set_global_policy("mixed_float16" if profile.mixed_precision else "float32")
    model = lstm.compile_model(lstm.build_model(len(data.vocab), profile), data.vocab, profile)
    rng = np.random.default_rng(0)
    starts = rng.choice(data.train_starts, (batches + 5) * 128)
    w = data.stream.ids[starts[:, None] + np.arange(65)[None, :]]
    vs = rng.choice(data.val_starts, 4096)
    vw = data.stream.ids[vs[:, None] + np.arange(65)[None, :]]
    model.fit(w[:640, :64], w[:640, 64], batch_size=128, epochs=1, verbose=0, shuffle=False)  # warm-up, tracing
    rate = timed(lambda: model.fit(w[640:, :64], w[640:, 64], batch_size=128, epochs=1, verbose=0, shuffle=False),
                 batches * 128)
    loss = float(model.evaluate(vw[:, :64], vw[:, 64], batch_size=512, verbose=0, return_dict=True)["loss"])
else:
    from thesis_lib.models import gan
    from thesis_lib.models.gan_data import prepare_data
    data = prepare_data([s.events for s in songs])
    model = gan.build_gan(profile, "dcgan")
    rng = np.random.default_rng(0)
    w = data.windows[rng.choice(len(data.windows), (batches + 5) * 64)]
    model.fit(w[:320], batch_size=64, epochs=1, verbose=0, shuffle=False)
    rate = timed(lambda: model.fit(w[320:], batch_size=64, epochs=1, verbose=0, shuffle=False), batches * 64)
    loss = float(model.history.history["g_loss"][-1])
print(json.dumps({"windows_per_s": rate, "loss": loss}))
"""

VARIANTS = {"plain (the thesis)": {}, "jit_compile": {"jit_compile": True},
            "steps_per_execution 32": {"steps_per_execution": 32}, "mixed precision": {"mixed_precision": True}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--batches", type=int, default=60, help="timed batches per variant")
    args = ap.parse_args()
    for model, what in (("lstm", "held-out loss (nats)"), ("gan", "G loss after the steps")):
        print(f"{model.upper()}, {args.batches} batches, from seed 0; {what}")
        base = None
        for name, option in VARIANTS.items():
            if model == "gan" and name == "mixed precision":
                continue  # the DCGAN's train_step has no loss scaling: not offered for it
            r = subprocess.run([sys.executable, "-c", CHILD, model, json.dumps(option), str(args.batches)],
                               capture_output=True, text=True)
            if r.returncode:
                print(f"  {name:24s} failed: {r.stderr.strip().splitlines()[-1]}")
                continue
            got = json.loads(r.stdout.strip().splitlines()[-1])
            base = base or got
            print(f"  {name:24s} {got['windows_per_s']:8.0f} windows/s  x{got['windows_per_s'] / base['windows_per_s']:.2f}"
                  f"   loss {got['loss']:.4f} ({got['loss'] - base['loss']:+.4f})", flush=True)


if __name__ == "__main__":
    main()
