"""Atomic files and metrics JSON: a reader never sees half a file, and every run records where it happened.

Order of use: `atomic_write_text` for any text (vocabularies, caches, stimuli), `write_json` for a record,
`write_metrics` for a training run's provenance (it adds `backend.machine()`).
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from pathlib import Path


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """Write via a temp file in the same folder and a rename, so a reader never sees half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the file the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def jsonable(obj):
    """numpy scalars and arrays, paths and dataclasses as JSON values (json.dumps's `default`)."""
    import numpy as np

    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if dataclasses.is_dataclass(obj):
        return dataclasses.asdict(obj)
    return str(obj)


def write_json(path: str | os.PathLike, record) -> Path:
    """Write a JSON record atomically (indented, numpy and dataclasses allowed)."""
    return atomic_write_text(path, json.dumps(record, indent=1, default=jsonable) + "\n")


def read_json(path: str | os.PathLike, default=None):
    """A JSON file's content, or `default` when the file does not exist."""
    path = Path(path)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else default


def write_metrics(path: str | os.PathLike, record: dict) -> Path:
    """Write a provenance/metrics JSON (the run's command, settings, data, scores, history) with `machine()`."""
    from .backend import machine

    return write_json(path, {**record, "machine": machine()})
