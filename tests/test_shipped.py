"""The shipped weights: names, paths, provenance, the one loader, and files that load without this package."""

import subprocess
import sys

import pytest

from thesis_lib.core.errors import ThesisError
from thesis_lib.models import shipped


def test_paths_follow_one_rule():
    w = shipped.weights_path("gan")
    assert w.name == "gan_generator.keras" and shipped.vocab_path(w).name == "gan_generator_vocab.json"
    assert shipped.metrics_path(w).name == "gan_metrics.json"
    assert shipped.metrics_path(shipped.weights_path("lstm")).name == "lstm_metrics.json"
    with pytest.raises(ThesisError, match="no shipped weights"):
        shipped.weights_path("markov")


def test_importing_it_is_light():
    code = "import sys, thesis_lib.models.shipped as s; s.provenance(s.weights_path('lstm')); print('tensorflow' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


def test_choose_picks_shipped_or_trained(tmp_path):
    trained = tmp_path / "lstm.keras"
    assert shipped.choose("auto", "quick", "lstm", trained)[0] is None
    with pytest.raises(ThesisError, match="no trained"):
        shipped.choose("trained", "full", "lstm", trained)
    trained.write_bytes(b"x")
    assert shipped.choose("auto", "full", "lstm", trained)[0] == str(trained)
    assert shipped.choose("shipped", "full", "lstm", trained)[0] is None
    with pytest.raises(ValueError):
        shipped.choose("best", "full", "lstm", trained)


PLAIN_KERAS = r"""
import sys, numpy as np, keras
model = keras.saving.load_model(sys.argv[1], compile=False)
assert not any(m.startswith("thesis_lib") for m in sys.modules), "thesis_lib was imported"
print(model.output_shape)
"""


@pytest.mark.parametrize("model", [m for m in shipped.WEIGHTS if shipped.available(m)])
def test_every_shipped_file_loads_in_a_plain_keras_session(model):
    """The recipe of thesis_lib/pretrained/README.md: keras.saving.load_model, nothing else."""
    run = subprocess.run([sys.executable, "-c", PLAIN_KERAS, str(shipped.weights_path(model))],
                         capture_output=True, text=True, timeout=300, cwd="/")
    assert run.returncode == 0, run.stderr[-2000:]
    vocab = shipped.load_vocab(shipped.weights_path(model))
    # Recurrent generators (the LSTM, the whole-tune model, the SeqGAN generator) give a distribution over the
    # vocabulary at each step; the convolutional GANs give a 64-step melody matrix.
    recurrent = model in ("lstm", "tunes", "gan-improved")
    assert run.stdout.strip().splitlines()[-1].endswith(f"{len(vocab) if recurrent else 64})")
