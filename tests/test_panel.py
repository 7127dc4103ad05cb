"""The 04_lstm JupyterLab panel: the button generates with the slider's temperature and the typed primer."""

from thesis_lib.panel import generation_panel, melodies_table


def widgets_of(box):
    found = []
    for child in box.children:
        found += widgets_of(child) if hasattr(child, "children") else [child]
    return found


def test_button_generates_with_the_panel_settings_and_moves_to_the_next_seed():
    calls = []

    def fake_generate(n, temperature, primer, max_steps, seed):
        calls.append((n, temperature, list(primer), max_steps, seed))
        return [list(primer) + ["67", "_", "_", "_"]]

    box = generation_panel(fake_generate, max_steps=64)
    parts = {type(w).__name__ + ":" + getattr(w, "description", ""): w for w in widgets_of(box)}
    parts["FloatSlider:temperature"].value = 0.5
    parts["Text:primer"].value = "60 _ 64 _"
    parts["Button:Generate and play"].click()
    parts["Button:Generate and play"].click()
    assert calls == [(1, 0.5, ["60", "_", "64", "_"], 64, 0), (1, 0.5, ["60", "_", "64", "_"], 64, 1)]


def test_a_bad_primer_is_reported_not_generated():
    calls = []
    box = generation_panel(lambda *a, **k: calls.append(k) or [[]])
    parts = {type(w).__name__ + ":" + getattr(w, "description", ""): w for w in widgets_of(box)}
    parts["Text:primer"].value = "60 banana"
    parts["Button:Generate and play"].click()
    assert calls == []


def test_melodies_table():
    t = melodies_table([["60", "_", "_", "_", "62", "_", "r", "_"], []])
    assert t.loc[1, "steps"] == 8 and t.loc[1, "notes"] == 2 and t.loc[1, "distinct pitches"] == 2
    assert t.loc[2, "steps"] == 0
