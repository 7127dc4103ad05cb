"""The weights shipped in `thesis_lib/pretrained/`: their names, paths, vocabularies and provenance, and one loader.

Importing this module is cheap (no TensorFlow): the CLI asks it for paths and provenance; only
`load_model` / `load_pretrained` import Keras. Every shipped `.keras` file is built from built-in Keras
layers, so `keras.saving.load_model(path)` also works without this package.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..core.config import PRETRAINED
from ..core.errors import ThesisError

# a source of melodies -> the stem of its shipped weights (NAME.keras, NAME_vocab.json)
WEIGHTS = {"lstm": "lstm", "tunes": "tunes", "gan": "gan_generator", "wgan-gp": "wgan_gp_generator",
           "gan-improved": "gan_improved_generator"}


def weights_path(model: str) -> Path:
    """The shipped `.keras` file of a model name (`lstm`, `tunes`, `gan`, `wgan-gp`, `gan-improved`)."""
    try:
        return PRETRAINED / f"{WEIGHTS[model]}.keras"
    except KeyError:
        raise ThesisError(f"no shipped weights for {model!r}; choose one of {', '.join(WEIGHTS)}") from None


def vocab_path(weights: str | os.PathLike) -> Path:
    """The vocabulary that belongs to a weights file: NAME_vocab.json beside NAME.keras."""
    weights = Path(weights)
    return weights.with_name(f"{weights.stem}_vocab.json")


def metrics_path(weights: str | os.PathLike) -> Path:
    """The provenance of a weights file: NAME_metrics.json beside it (`gan_generator` -> `gan_metrics.json`)."""
    weights = Path(weights)
    return weights.with_name(f"{weights.stem.removesuffix('_generator')}_metrics.json")


def available(model: str) -> bool:
    """Whether this checkout ships weights for the model."""
    return model in WEIGHTS and weights_path(model).exists()


def provenance(weights: str | os.PathLike) -> dict:
    """The metrics JSON beside a weights file ({} when there is none)."""
    from ..core.files import read_json

    return read_json(metrics_path(weights), {})


def load_vocab(weights: str | os.PathLike):
    """The vocabulary of a weights file; ThesisError names it when it is missing."""
    from ..data.encoding import Vocabulary

    path = vocab_path(weights)
    if not path.exists():
        raise ThesisError(f"{path}: the vocabulary that belongs to {weights} is missing")
    return Vocabulary.load(path)


def load_model(path: str | os.PathLike):
    """Load a `.keras` model without its optimizer; ThesisError when the file is missing."""
    from ..core.backend import keras

    path = Path(path)
    if not path.exists():
        raise ThesisError(f"{path}: no such model file")
    return keras.saving.load_model(path, compile=False)


def load_pretrained(model: str = "lstm", weights: str | os.PathLike | None = None) -> tuple:
    """(Keras model, vocabulary, provenance dict) of a shipped model, or of the weights file given."""
    path = Path(weights) if weights else weights_path(model)
    return load_model(path), load_vocab(path), provenance(path)


def choose(generate_with: str, profile: str, model: str, trained: str | os.PathLike | None = None) -> tuple:
    """The one place that picks shipped or freshly trained weights for a notebook: (weights path, or None for the
    shipped file; a sentence saying which).

    generate_with: "shipped", "trained", or "auto" (shipped in the quick profile, whose training is only a
    rehearsal; trained in full). `trained` is the weights file the notebook wrote, if any.
    """
    if generate_with not in ("auto", "shipped", "trained"):
        raise ValueError(f"generate_with must be auto, shipped or trained, not {generate_with!r}")
    have_trained = trained is not None and Path(trained).exists()
    if generate_with == "auto":
        generate_with = "trained" if profile == "full" and have_trained else "shipped"
    if generate_with == "shipped" and not available(model):
        generate_with = "trained"
    if generate_with == "trained":
        if not have_trained:
            raise ThesisError(f"no trained {model} weights at {trained}, and none shipped")
        return str(trained), f"trained in this notebook: {trained}"
    return None, f"shipped: {weights_path(model).name} ({provenance(weights_path(model)).get('command', '')})"
