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
    from thesis_lib.corpus import load_corpus

    return load_corpus(progress=False)
