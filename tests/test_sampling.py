"""Temperature sampling exactly as §3.1 writes it."""

import numpy as np
import pytest

from thesis_lib.core.sampling import apply_temperature, sample


def test_temperature_one_is_identity_and_zero_is_argmax():
    p = np.array([0.1, 0.6, 0.3])
    assert np.allclose(apply_temperature(p, 1.0), p)
    assert apply_temperature(p, 0).tolist() == [0, 1, 0]


def test_formula_and_entropy_rises_with_t():
    p = np.array([0.1, 0.6, 0.3])
    t = 0.5
    expect = np.exp(np.log(p) / t) / np.exp(np.log(p) / t).sum()
    assert np.allclose(apply_temperature(p, t), expect)
    ent = [-(q * np.log(q)).sum() for q in (apply_temperature(p, t) for t in (0.3, 1, 3))]
    assert ent[0] < ent[1] < ent[2]


def test_tiny_and_zero_probabilities_never_give_nan():
    p = np.array([1.0, 0.0, 1e-300])
    for t in (0.01, 1.0, 50.0):
        q = apply_temperature(p, t)
        assert np.isfinite(q).all() and abs(q.sum() - 1) < 1e-9


def test_sampling_follows_the_distribution_and_the_seed():
    p = np.array([0.2, 0.5, 0.3])
    draws = sample(np.tile(p, (20000, 1)), 1.0, np.random.default_rng(0))
    assert np.allclose(np.bincount(draws, minlength=3) / 20000, p, atol=0.02)
    a = sample(np.tile(p, (50, 1)), 1.0, np.random.default_rng(7))
    b = sample(np.tile(p, (50, 1)), 1.0, np.random.default_rng(7))
    assert a.tolist() == b.tolist()
    with pytest.raises(ValueError):
        apply_temperature(p, -1)
