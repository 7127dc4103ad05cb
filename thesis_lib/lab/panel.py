"""The JupyterLab panel of 04_lstm: temperature, primer, seed, meter and mode, and a button that generates,
engraves and plays (the WAV it plays is rendered once, by the same renderer as `generate`'s files)."""

from __future__ import annotations

import os
from typing import Sequence

from ..core.config import BPM, MAX_STEPS


def generation_panel(source: str = "lstm", weights: str | os.PathLike | None = None, *, bpm: float = BPM,
                     max_steps: int = MAX_STEPS, max_draws: int = 200):
    """An ipywidgets box over `sources.melodies` / `sources.matching` (shipped weights unless `weights` is given).

    Each press uses the seed shown (so a melody can be made again) and then moves it on by one.
    """
    import tempfile

    import ipywidgets as w
    from IPython.display import SVG, Audio, display

    from .. import sources
    from ..core.errors import ThesisError, VocabularyError
    from ..data.encoding import check_primer, parse_symbol
    from ..data.notation import melody_score, notation_svg
    from ..render.audio import render_wav

    temperature = w.FloatSlider(value=1.0, min=0.0, max=2.0, step=0.1, description="temperature")
    primer = w.Text(value="", placeholder="e.g. 60 _ _ _ 64 _ 67 _ (empty: start from 64 /)",
                    description="primer", layout=w.Layout(width="60%"))
    seed = w.IntText(value=0, description="seed")
    meter = w.Dropdown(options=["any", "2/4", "3/4", "4/4", "6/8"], value="any", description="meter")
    mode = w.Dropdown(options=["any", "major", "minor"], value="any", description="mode")
    button = w.Button(description="Generate and play", button_style="primary", icon="music")
    out = w.Output()

    def on_click(_=None):
        out.clear_output()
        with out:
            symbols = primer.value.replace(",", " ").split()
            try:
                for s in symbols:
                    parse_symbol(s)
                check_primer(symbols)
                kw = dict(temperature=temperature.value, primer=symbols, max_steps=max_steps, seed=seed.value,
                          weights=weights)
                if meter.value != "any" or mode.value != "any":
                    found = sources.matching(source, 1, meter=None if meter.value == "any" else meter.value,
                                             mode=None if mode.value == "any" else mode.value, max_draws=max_draws, **kw)
                    if not found.batch.melodies:
                        print(f"none of {found.drawn} melodies matched {meter.value} / {mode.value}")
                        return
                    melody = found.batch.melodies[0]
                    print(f"{found.drawn} drawn to find one that matches")
                else:
                    melody = sources.melodies(source, 1, **kw).melodies[0]
            except (VocabularyError, ValueError, ThesisError) as exc:
                print(f"primer: {exc}" if isinstance(exc, VocabularyError) else str(exc))
                return
            if not melody.events:
                print(f"seed {seed.value}, T = {temperature.value}: an empty melody (the model ended it at once)")
            else:
                print(f"seed {seed.value}, T = {temperature.value}: {melody.steps} steps, {melody.meter}, "
                      f"{melody.mode}")
                print(" ".join(melody.symbols))
                display(SVG(notation_svg(melody_score(melody, bpm=bpm))))
                with tempfile.TemporaryDirectory() as tmp:
                    wav = os.path.join(tmp, "melody.wav")
                    render_wav(melody.events, wav, bpm)
                    display(Audio(filename=wav))
            seed.value += 1

    button.on_click(on_click)
    return w.VBox([w.HBox([temperature, seed]), w.HBox([meter, mode]), primer, button, out])


def melodies_table(melodies: Sequence):
    """Length in steps, meter and pickup, mode, notes, distinct pitches of each melody (`Melody` values), as a
    pandas table."""
    import pandas as pd

    rows = []
    for i, m in enumerate(melodies, start=1):
        notes = [p for p, _ in m.events if p is not None]
        meter, pickup, mode = (m.meter, m.pickup, m.mode) if notes else ("–", 0, "–")
        rows.append({"melody": i, "steps": m.steps, "meter": meter, "pickup": pickup, "mode": mode,
                     "notes": len(notes), "distinct pitches": len(set(notes))})
    return pd.DataFrame(rows).set_index("melody")
