"""Next-symbol scores: NLL, per-class accuracy, and the pitch cross-entropy in bits per note (IDyOM's unit)."""

import numpy as np
import pytest

from thesis_lib.data.encoding import Vocabulary
from thesis_lib.models.scoring import pitch_bits, score_predictions

VOCAB = Vocabulary(("/", "_", "r", "60", "62", "64"))


def test_pitch_bits_renormalise_over_the_pitches_at_note_onsets_only():
    # two targets: a hold (not a note: not counted) and a 62 onset
    probs = np.array([[0.1, 0.6, 0.1, 0.1, 0.05, 0.05],
                      [0.1, 0.4, 0.1, 0.1, 0.2, 0.1]])
    targets = np.array([1, 4])
    bits, notes = pitch_bits(probs, targets, VOCAB)
    assert notes == 1 and bits == pytest.approx(-np.log2(0.2 / 0.4))  # 0.2 of the 0.4 on pitches
    assert pitch_bits(probs[:1], targets[:1], VOCAB) == (None, 0)


def test_score_predictions_reports_nll_classes_and_pitch_bits():
    probs = np.full((4, 6), 1 / 6)
    got = score_predictions(probs, np.array([0, 1, 3, 5]), VOCAB)
    assert got["nll"] == pytest.approx(np.log(6)) and got["n_notes"] == 2
    assert got["pitch_bits"] == pytest.approx(np.log2(3))  # uniform over the three pitches
    assert got["share_note"] == 0.5 and got["share_delimiter"] == 0.25
    with pytest.raises(ValueError):
        score_predictions(probs[:, :5], np.array([0, 1, 3, 5]), VOCAB)
