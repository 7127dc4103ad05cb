"""Meter and pickup from the rhythm: the shipped model, its cross-validated accuracy, and hand-made melodies."""

import pytest

from thesis_lib import meter


def waltz(bars=8, pickup=True):
    """An upbeat quarter, then bars of half + quarter, a dotted half at every phrase end (4 bars): 3/4."""
    events = [(67, 4)] if pickup else []
    for b in range(bars):
        events += [(72, 12)] if b % 4 == 3 else [(72, 8), (71, 4)]
    return events


def march(bars=8):
    """Bars of 4/4: quarter quarter half, a whole note at every phrase end."""
    events = []
    for b in range(bars):
        events += [(60, 16)] if b % 4 == 3 else [(60, 4), (62, 4), (64, 8)]
    return events


def test_a_waltz_is_read_as_3_4_with_its_upbeat():
    assert meter.infer(waltz()) == ("3/4", 4)
    assert meter.infer(waltz(pickup=False)) == ("3/4", 0)


def test_a_four_four_tune_is_read_as_4_4():
    assert meter.infer(march()) == ("4/4", 0)


def test_a_requested_meter_only_chooses_the_pickup():
    assert meter.infer(waltz(), "6/8")[0] == "6/8"
    with pytest.raises(ValueError, match="5/4"):
        meter.infer(waltz(), "5/4")
    assert meter.infer([(None, 8)]) == ("4/4", 0)  # no notes: nothing to read


def test_repetition_after_one_bar():
    assert meter.repetition(waltz(16, False), 12) > meter.repetition(waltz(16, False), 8)
    assert meter.repetition([(60, 4)], 64) == 0.0


def test_the_shipped_model_and_its_cross_validation(embedded):
    record = __import__("json").loads(meter.shipped_path().read_text())
    assert record["cross_validation"]["n"] > 800
    cv = meter.cross_validate(embedded.songs)
    assert cv["n"] == record["cross_validation"]["n"]
    assert cv["meter"] > 0.85 and cv["meter_and_pickup"] > 0.7  # measured: see the README and 03
    table = meter.confusion(cv["rows"])
    assert int(table.to_numpy().sum()) == cv["n"] and list(table.index) == list(meter.METERS)
