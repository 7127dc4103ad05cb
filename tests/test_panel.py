"""The 04_lstm JupyterLab panel: the button generates with the panel's settings, through `sources`."""

import pytest

from thesis_lib import sources
from thesis_lib.data.melody import Melody
from thesis_lib.lab import panel
from thesis_lib.lab.panel import generation_panel, melodies_table


def widgets_of(box):
    found = []
    for child in box.children:
        found += widgets_of(child) if hasattr(child, "children") else [child]
    return found


def parts_of(box):
    return {type(w).__name__ + ":" + getattr(w, "description", ""): w for w in widgets_of(box)}


@pytest.fixture
def calls(monkeypatch):
    seen = []

    def fake_melodies(source, n, **kw):
        seen.append(("melodies", source, n, kw))
        return sources.Batch([Melody(tuple(kw["primer"]) + ("67", "_", "_", "_"))], source, "fake")

    def fake_matching(source, n, **kw):
        seen.append(("matching", source, n, kw))
        return sources.Matching(sources.Batch([Melody(("69", "_", "_", "_"))], source, "fake"), 7, 1)

    monkeypatch.setattr(sources, "melodies", fake_melodies)
    monkeypatch.setattr(sources, "matching", fake_matching)
    return seen


def test_button_generates_with_the_panel_settings_and_moves_to_the_next_seed(calls):
    parts = parts_of(generation_panel("lstm", "w.keras", max_steps=64))
    parts["FloatSlider:temperature"].value = 0.5
    parts["Text:primer"].value = "60 _ 64 _"
    parts["Button:Generate and play"].click()
    parts["Button:Generate and play"].click()
    assert [(c[0], c[1], c[2], c[3]["seed"], c[3]["temperature"], c[3]["primer"], c[3]["weights"]) for c in calls] == \
        [("melodies", "lstm", 1, s, 0.5, ["60", "_", "64", "_"], "w.keras") for s in (0, 1)]
    parts["Dropdown:meter"].value = "3/4"
    parts["Dropdown:mode"].value = "minor"
    parts["Button:Generate and play"].click()
    assert calls[-1][0] == "matching" and calls[-1][3]["meter"] == "3/4" and calls[-1][3]["mode"] == "minor"


@pytest.mark.parametrize("primer", ["60 banana", "/ 60", "_ _ 60"])
def test_a_bad_primer_is_reported_not_generated(calls, primer, capsys):
    parts = parts_of(generation_panel())
    parts["Text:primer"].value = primer
    parts["Button:Generate and play"].click()
    assert calls == [] and "primer: " in capsys.readouterr().out  # in JupyterLab: inside the panel


def test_melodies_table():
    t = melodies_table([Melody(("60", "_", "_", "_", "62", "_", "r", "_")), Melody(())])
    assert t.loc[1, "steps"] == 8 and t.loc[1, "notes"] == 2 and t.loc[1, "distinct pitches"] == 2
    assert t.loc[2, "steps"] == 0 and t.loc[1, "meter"] in ("2/4", "3/4", "4/4", "6/8")
    assert panel  # the module imports without ipywidgets until a panel is built
