"""The models on Keras's JAX backend as well as on TensorFlow: a tiny training run of the LSTM and of the DCGAN on
JAX, each resumed; the shipped files loaded and generating on both backends, the same melody at T = 0.
Each backend runs in a process of its own (Keras picks its backend once, at import)."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("jax", reason="jax is not installed (pip install -e .[jax])")
pytestmark = pytest.mark.slow


def on(backend: str, code: str, timeout: int = 900) -> dict:
    """Run `code` under KERAS_BACKEND=backend; it prints one JSON line last, which is returned."""
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                       timeout=timeout, env={**os.environ, "KERAS_BACKEND": backend})
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


TRAIN_LSTM = """
import json, sys
from thesis_lib.core import backend
from thesis_lib.core.config import get_profile
from thesis_lib.data.corpus import load_corpus
from thesis_lib.data.encoding import encode_events
from thesis_lib.models import lstm
songs = load_corpus(progress=False).songs[:16]
data = lstm.prepare_data([encode_events(s.events) for s in songs], seed=0)
profile = get_profile("quick", lstm_units=16, lstm_windows_per_epoch=512)
out = sys.argv[-1] if len(sys.argv) > 1 else "{out}"
first = lstm.train(data, profile, out, epochs=1, seed=0, verbose=0, keep="best")
again = lstm.train(data, profile, out, epochs=2, seed=0, verbose=0, keep="best")
melody = lstm.Generator(again.model, data.vocab).generate(1, temperature=0, max_steps=24)[0]
print(json.dumps({{"backend": backend.name(), "epochs": [h["epoch"] for h in again.history],
                  "first": first.history[0]["loss"], "resumed_first": again.history[0]["loss"],
                  "nll": again.val["nll"], "kept": again.kept_epoch, "melody": melody}}))
"""


def test_the_lstm_trains_and_resumes_on_jax(tmp_path, embedded):
    got = on("jax", TRAIN_LSTM.format(out=tmp_path / "lstm"))
    assert got["backend"] == "jax" and got["epochs"] == [1, 2] and got["resumed_first"] == got["first"]
    assert 0 < got["nll"] < 5 and got["kept"] in (1, 2) and got["melody"]
    assert (tmp_path / "lstm" / "lstm.keras").exists()


TRAIN_GAN = """
import json
from thesis_lib.core import backend
from thesis_lib.core.config import get_profile
from thesis_lib.data.corpus import load_corpus
from thesis_lib.models import gan, gan_data
songs = load_corpus(progress=False).songs[:20]
data = gan_data.prepare_data([s.events for s in songs], "per-pitch-hold")
rows = {{}}
for variant in ("dcgan", "wgan-gp"):
    p = get_profile("quick", gan_windows_per_epoch=128, gan_batch_size=32)
    first = gan.train(data, p, "{out}/" + variant, variant=variant, epochs=1, seed=0, verbose=0)
    again = gan.train(data, p, "{out}/" + variant, variant=variant, epochs=2, seed=0, verbose=0)
    melodies, _ = gan.generate(again.generator, data.vocab, 2, seed=0)
    rows[variant] = {{"epochs": [h["epoch"] for h in again.history], "g_loss": again.history[-1]["g_loss"],
                     "same_first": again.history[0] == first.history[0], "steps": [len(m) for m in melodies]}}
print(json.dumps({{"backend": backend.name(), **rows}}))
"""


def test_the_dcgan_and_the_wgan_gp_train_and_resume_on_jax(tmp_path, embedded):
    got = on("jax", TRAIN_GAN.format(out=tmp_path))
    assert got["backend"] == "jax"
    for variant in ("dcgan", "wgan-gp"):
        row = got[variant]
        assert row["epochs"] == [1, 2] and row["same_first"] and row["steps"] == [64, 64], (variant, row)
        assert row["g_loss"] == row["g_loss"]  # a number, not NaN


GENERATE = """
import json
import numpy as np
from thesis_lib import sources
from thesis_lib.core import backend
from thesis_lib.models import lstm, shipped
model, vocab, _ = shipped.load_pretrained("lstm")
melody = lstm.Generator(model, vocab).generate(1, temperature=0, max_steps=160)[0]
probs = np.asarray(model(np.full((1, 64), vocab.id("/"), "int32"), training=False))[0]
out = {"backend": backend.name(), "lstm": melody, "lstm_p": probs.tolist()}
if shipped.available("tunes"):
    out["tunes"] = [list(m.symbols) for m in sources.melodies("tunes", 3, temperature=0, seed=0).melodies]
gan_net, gan_vocab, _ = shipped.load_pretrained("gan")
out["gan_p"] = np.asarray(gan_net(np.ones((1, gan_net.input_shape[-1]), "float32"), training=False)).ravel()[:512].tolist()
print(json.dumps(out))
"""


def test_shipped_files_give_the_same_melody_on_both_backends():
    import numpy as np

    tf, jax = on("tensorflow", GENERATE), on("jax", GENERATE)
    assert (tf["backend"], jax["backend"]) == ("tensorflow", "jax")
    assert tf["lstm"] == jax["lstm"] and len(tf["lstm"]) > 16  # T = 0: the same melody, symbol for symbol
    assert np.abs(np.array(tf["lstm_p"]) - np.array(jax["lstm_p"])).max() < 1e-5
    assert np.abs(np.array(tf["gan_p"]) - np.array(jax["gan_p"])).max() < 1e-5
    assert tf.get("tunes") == jax.get("tunes")
