"""Atomic model files, resumable histories and the time a run took to reach a loss."""

import json

import pytest

from thesis_lib.models import checkpoint
from thesis_lib.models.checkpoint import save_model_atomic


def test_model_files_are_written_atomically(tiny_lstm, tmp_path, monkeypatch):
    target = tmp_path / "m.keras"
    save_model_atomic(tiny_lstm["model"], target)
    before = target.read_bytes()

    def broken_save(path, *a, **k):
        open(path, "wb").write(b"half a model")
        raise OSError("disk full")

    monkeypatch.setattr(tiny_lstm["model"], "save", broken_save)
    with pytest.raises(OSError):
        save_model_atomic(tiny_lstm["model"], target)
    assert target.read_bytes() == before and list(tmp_path.iterdir()) == [target]


def test_history_is_read_back_and_time_to_reach_finds_the_first_epoch_below(tmp_path):
    assert checkpoint.load_history(tmp_path) == []
    history = [{"epoch": 1, "seconds": 10.0, "val_loss": 0.9}, {"epoch": 2, "seconds": 21.5, "val_loss": 0.7},
               {"epoch": 3, "seconds": 30.0, "val_loss": 0.75}]
    (tmp_path / checkpoint.HISTORY).write_text(json.dumps(history))
    assert checkpoint.load_history(tmp_path) == history
    assert checkpoint.time_to_reach(history, 0.8) == 21.5 and checkpoint.time_to_reach(history, 0.5) is None
    assert checkpoint.resume(tmp_path) == (None, [])  # a history without its model file starts afresh
