"""Meter and pickup from the rhythm: the shipped model, its cross-validated accuracy, and hand-made melodies."""

import dataclasses

import pytest

from thesis_lib.data import meter


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


def test_a_bar_of_another_length_keeps_the_pickup_the_melody_starts_with(monkeypatch):
    """An upbeat quarter, 3 bars of 3/4, one 2/4 bar, 8 bars of 3/4: the pickup is the start's (a quarter),
    though most bars lie in the other phase; without phase changes the later bars decide."""
    events = [(67, 4)] + [(72, 8), (71, 4)] * 3 + [(74, 8)] + waltz(8, pickup=False)
    assert meter.infer(events) == ("3/4", 4)
    monkeypatch.setattr(meter, "SWITCH", float("inf"))
    assert meter.infer(events, "3/4") == ("3/4", 0)


def test_a_variant_of_a_ballad_is_barred_as_that_ballad(embedded):
    """A ballad in 6/8 with a four-eighth upbeat, every fifth pitch changed: the rhythm alone reads it in
    another meter or phase, the ballad it varies gives 6/8 and the upbeat (one eighth more when it starts with
    one more note). A melody like no ballad has no variant."""
    model = meter.load()
    song = next(s for s in embedded.songs if s.meter == "6/8" and s.pickup == 8)
    variant = [(p + 2 if p is not None and i % 5 == 2 else p, n) for i, (p, n) in enumerate(song.events)]
    assert dataclasses.replace(model, library=()).infer(variant) != ("6/8", 8)
    assert model.variant(variant)[1:] == ("6/8", 8) and model.variant(variant)[0] < 1
    assert model.infer(variant) == ("6/8", 8)
    assert model.infer([(67, 2)] + variant) == ("6/8", 10)
    assert model.infer(variant, "3/4")[0] == "3/4"  # a variant in another meter than the one asked for: not used
    assert model.variant(waltz()) is None


def test_context_features_describe_each_event_and_its_neighbours():
    k = len(meter._LENGTHS)
    block, centre = k + 7, meter.CONTEXT * (k + 7)   # columns per event of the window; the event's own block
    x = meter.event_features([(60, 4), (None, 4), (64, 12)])
    assert x.shape == (3, (2 * meter.CONTEXT + 1) * block + 12 + 3)
    own = x[:, centre:centre + block]
    assert own[0, meter._LENGTHS.index(4)] == 1 and own[2, meter._LENGTHS.index(12)] == 1
    assert own[:, k + 1].tolist() == [0, 1, 0]                     # the rest
    assert own[2, k + 2 + 2] == 1 and own[2, k + 6] == 1           # a third up from the last note (60 -> 64)
    assert x[1, centre - block + meter._LENGTHS.index(4)] == 1     # the rest's left neighbour is a quarter
    pcs = x[:, (2 * meter.CONTEXT + 1) * block:][:, :12]
    assert pcs[0, 0] == 1 and pcs[1].sum() == 0 and pcs[2, 4] == 1
    assert x[:, -3:].tolist() == [[1, 0, 0], [0, 0, 1], [0, 1, 0]]  # first, last, second-to-last


def test_repetition_after_one_bar():
    assert meter.repetition(waltz(16, False), 12) > meter.repetition(waltz(16, False), 8)
    assert meter.repetition([(60, 4)], 64) == 0.0


def test_the_shipped_model_and_its_cross_validation(embedded):
    record = __import__("json").loads(meter.shipped_path().read_text())
    assert record["cross_validation"]["n"] > 800
    cv = meter.cross_validate(embedded.songs)
    assert cv["n"] == record["cross_validation"]["n"]
    assert cv["meter"] > 0.9 and cv["meter_and_pickup"] > 0.77  # measured: see the README and 03
    assert (cv["meter"], cv["meter_and_pickup"]) == (record["cross_validation"]["meter"],
                                                     record["cross_validation"]["meter_and_pickup"])
    table = meter.confusion(cv["rows"])
    assert int(table.to_numpy().sum()) == cv["n"] and list(table.index) == list(meter.METERS)
