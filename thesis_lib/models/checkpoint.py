"""Atomic model files and resumable training: a checkpoint after every epoch, picked up after an interruption."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Sequence

from ..core.backend import keras
from ..core.files import atomic_write_text

CHECKPOINT = "checkpoint.keras"
HISTORY = "history.json"


def save_model_atomic(model: keras.Model, path: str | os.PathLike) -> Path:
    """Save a `.keras` file through a temporary file and a rename: a crash never leaves half a model."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.keras")
    try:
        model.save(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def load_history(directory: str | os.PathLike) -> list[dict]:
    """The per-epoch records saved so far in a checkpoint folder ([] when none)."""
    path = Path(directory) / HISTORY
    return json.loads(path.read_text()) if path.exists() else []


def resume(directory: str | os.PathLike) -> tuple[keras.Model | None, list[dict]]:
    """The last checkpointed model (with its optimizer state) and history, or (None, []) to start afresh."""
    directory = Path(directory)
    history = load_history(directory)
    if not history or not (directory / CHECKPOINT).exists():
        return None, []
    return keras.saving.load_model(directory / CHECKPOINT), history


class EpochCheckpoint(keras.callbacks.Callback):
    """After each epoch: append the logs (plus cumulative seconds) to the history, save model and history atomically."""

    def __init__(self, directory: str | os.PathLike, history: list[dict]):
        super().__init__()
        self.directory = Path(directory)
        self.history = history
        self.seconds_before = history[-1]["seconds"] if history else 0.0

    def on_train_begin(self, logs=None):
        self.t0 = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        record = {"epoch": epoch + 1, "seconds": self.seconds_before + time.perf_counter() - self.t0}
        record.update({k: float(v) for k, v in (logs or {}).items()})
        self.history.append(record)
        self.save_state()
        atomic_write_text(self.directory / HISTORY, json.dumps(self.history, indent=1))

    def save_state(self) -> None:
        """Save what resuming needs: here the compiled model with its optimizer state (the GAN overrides it)."""
        save_model_atomic(self.model, self.directory / CHECKPOINT)


class TimeBudget(keras.callbacks.Callback):
    """Stop training at the end of the epoch that passes `seconds` of wall-clock time."""

    def __init__(self, seconds: float | None):
        super().__init__()
        self.seconds = seconds

    def on_train_begin(self, logs=None):
        self.t0 = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        if self.seconds is not None and time.perf_counter() - self.t0 >= self.seconds:
            self.model.stop_training = True


def time_to_reach(history: Sequence[dict], target: float) -> float | None:
    """Wall-clock seconds until the held-out loss first reached `target` (None if it never did)."""
    return next((h["seconds"] for h in history if h["val_loss"] <= target), None)
