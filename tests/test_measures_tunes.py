"""A set's figures as whole tunes: how each melody ends, and the asked meter and mode read back."""

from thesis_lib.data.melody import Melody
from thesis_lib.measures import tunes as tune_measures


def test_how_a_tune_ends():
    # 3/4 with a one-beat pickup: G | C E G | C (a half note on beat 1): tonic, downbeat, and the last bar
    # completes the pickup bar
    home = Melody.from_events([(67, 4), (60, 4), (64, 4), (67, 4), (72, 8)], stated_meter="3/4", stated_pickup=4,
                              stated_mode="major")
    assert tune_measures.ending(home) == {"tonic": True, "downbeat": True, "bar_line": True}
    away = Melody.from_events([(67, 4), (60, 4), (64, 4), (67, 4), (62, 2), (71, 2)], stated_meter="3/4",
                              stated_pickup=4, stated_mode="major")
    assert tune_measures.ending(away) == {"tonic": False, "downbeat": False, "bar_line": False}
    minor = Melody.from_events([(64, 4), (69, 12)], stated_meter="3/4", stated_pickup=4, stated_mode="minor")
    assert tune_measures.ending(minor) == {"tonic": True, "downbeat": True, "bar_line": True}  # a full last bar


def test_figures_of_a_set(embedded):
    songs = [s for s in embedded.songs if s.meter in ("3/4", "6/8") and s.regular][:20]
    fig = tune_measures.figures([Melody.from_song(s) for s in songs])
    assert fig["melodies"] == 20 and set(fig["meter_read_back"]) <= {"3/4", "6/8"}
    assert all(0.8 <= v <= 1 for v in fig["meter_read_back"].values())  # the reader holds the ballads themselves
    assert fig["mode_read_back"] > 0.8 and 0 <= fig["repetition_near"] <= 1 and fig["ends_tonic"] > 0.5


def test_repeat_lags_says_which_lookbacks_could_copy_a_repeat():
    from thesis_lib.measures.tunes import repeat_lags
    from thesis_lib.models.tunes_data import Tune

    bar = [[f"{b}.{i}" for i in range(16)] for b in range(5)]        # five bars of 4/4, no symbol twice
    tune = Tune(tuple(s for b in (0, 1, 2, 0, 3, 4) for s in bar[b]), "4/4", "major", 0)
    assert len(tune.symbols) == 96
    few = repeat_lags([tune], (1, 2, 4, 8))
    assert few["chunks"] == 21 and dict(few["near"]) == {"other bars": 1} and not few["far"]  # bar 1 again 3 bars on
    assert dict(repeat_lags([tune], range(1, 9))["near"]) == {"lookback": 1}
    short = Tune(tune.symbols[:80], "4/4", "major", 0)
    assert repeat_lags([short])["chunks"] == 0                       # under 96 steps: not counted
