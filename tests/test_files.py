"""Atomic text and JSON files, and provenance records."""

import json

import numpy as np
import pytest

from thesis_lib.core import files


def test_atomic_write_replaces_whole_and_leaves_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "sub" / "a.txt"
    files.atomic_write_text(target, "one")
    files.atomic_write_text(target, "two")
    assert target.read_text() == "two" and [p.name for p in target.parent.iterdir()] == ["a.txt"]

    def broken(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(files.os, "replace", broken)
    with pytest.raises(OSError):
        files.atomic_write_text(target, "three")
    assert target.read_text() == "two" and [p.name for p in target.parent.iterdir()] == ["a.txt"]


def test_json_records_take_numpy_and_read_back(tmp_path):
    path = files.write_json(tmp_path / "m.json", {"a": np.float32(0.5), "b": np.arange(3), "c": tmp_path})
    assert json.loads(path.read_text()) == {"a": 0.5, "b": [0, 1, 2], "c": str(tmp_path)}
    assert files.read_json(path)["b"] == [0, 1, 2] and files.read_json(tmp_path / "none.json", {}) == {}
