"""Shared fixtures: the hand-made files in tests/data and the embedded corpus (through its cache)."""

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def embedded():
    """The embedded Essen ballads: parsed once (cold, ~20 s on 2 cores), then from data/cache/."""
    from thesis_lib.data.corpus import load_corpus

    return load_corpus(progress=False)


@pytest.fixture(scope="session")
def tiny_lstm(embedded, tmp_path_factory):
    """A Table-1-shaped LSTM with 32 units, trained 2 quick epochs on 24 songs: fast, and not random."""
    from thesis_lib.core.config import get_profile
    from thesis_lib.data.encoding import encode_events
    from thesis_lib.models import lstm

    out = tmp_path_factory.mktemp("tiny_lstm")
    data = lstm.prepare_data([encode_events(s.events) for s in embedded.songs[:24]], seed=0)
    profile = get_profile("quick", lstm_units=32, lstm_windows_per_epoch=2048)
    result = lstm.train(data, profile, out, epochs=2, seed=0, verbose=0)
    return {"dir": out, "result": result, "model": result.model, "vocab": data.vocab, "data": data}


@pytest.fixture(scope="session")
def first_chapters(tmp_path_factory, embedded):
    """Notebooks 01-03 run once in the quick profile (papermill): their test and the book's read the same outputs,
    also when `make test`'s workers (pytest-xdist) run them in two processes: the first to ask runs them, under a
    lock in the run's shared temporary folder, and the other waits and reads. Returns the output folder and the
    executed notebooks."""
    import fcntl
    import json
    import os

    from thesis_lib.lab.series import run_series

    if "PYTEST_XDIST_WORKER" not in os.environ:
        out = tmp_path_factory.mktemp("quick")
        return out, run_series("quick", output_dir=out, only=["01", "02", "03"], progress=False)
    shared = tmp_path_factory.getbasetemp().parent          # one folder for all the workers of this run
    out, record = shared / "first_chapters", shared / "first_chapters.json"
    with open(shared / "first_chapters.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record.exists():
            done = run_series("quick", output_dir=out, only=["01", "02", "03"], progress=False)
            record.write_text(json.dumps([str(p) for p in done]))
    return out, [Path(p) for p in json.loads(record.read_text())]
