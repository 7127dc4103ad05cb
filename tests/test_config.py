"""One source for every setting: the thesis's figures in `full`, a CPU rehearsal in `quick`, overrides by name."""

import pytest

from thesis_lib.core import config


def test_profiles_hold_the_thesis_numbers():
    full = config.get_profile("full")
    assert (full.lstm_units, full.lstm_dropout, full.lstm_learning_rate, full.lstm_epochs, full.lstm_batch_size) == \
        (256, 0.3, 1e-3, 50, 128)
    assert (full.gan_epochs, full.gan_batch_size, full.gan_learning_rate_g, full.gan_learning_rate_d) == \
        (100, 64, 1e-4, 1e-3)
    assert full.sequence_length == 64 and config.THESIS is full
    assert config.get_profile("quick").max_songs and config.get_profile("quick", lstm_epochs=7).lstm_epochs == 7


def test_unknown_names_fail_clearly():
    with pytest.raises(ValueError, match="unknown profile 'fast'"):
        config.get_profile("fast")
    with pytest.raises(TypeError):
        config.get_profile("full", lstm_unitz=3)
