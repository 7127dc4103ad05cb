"""The JupyterLab panel of 04_lstm: a temperature slider, a primer, and a button that generates and plays."""

from __future__ import annotations

from typing import Callable, Sequence


def generation_panel(generate: Callable[..., list[list[str]]], *, bpm: float = 100, max_steps: int = 256):
    """An ipywidgets box. `generate(n, temperature=, primer=, max_steps=, seed=)` returns melodies as symbols.

    Each press draws a new seed (shown, so a melody can be made again) and shows notation, symbols and audio.
    """
    import ipywidgets as w
    from IPython.display import SVG, Audio, display

    from .encoding import decode_symbols, parse_symbol
    from .errors import VocabularyError
    from .render import SAMPLE_RATE, melody_score, notation_svg, synthesize

    temperature = w.FloatSlider(value=1.0, min=0.0, max=2.0, step=0.1, description="temperature")
    primer = w.Text(value="", placeholder="e.g. 60 _ _ _ 64 _ 67 _ (empty: start from 64 /)",
                    description="primer", layout=w.Layout(width="60%"))
    seed = w.IntText(value=0, description="seed")
    button = w.Button(description="Generate and play", button_style="primary", icon="music")
    out = w.Output()

    def on_click(_=None):
        out.clear_output()
        with out:
            symbols = primer.value.replace(",", " ").split()
            try:
                for s in symbols:
                    parse_symbol(s)
                melody = generate(1, temperature=temperature.value, primer=symbols, max_steps=max_steps,
                                  seed=seed.value)[0]
            except (VocabularyError, ValueError) as exc:
                print(f"primer: {exc}")
                return
            events = decode_symbols(melody)
            print(f"seed {seed.value}, T = {temperature.value}: {len(melody)} steps")
            print(" ".join(melody))
            if events:
                display(SVG(notation_svg(melody_score(events, bpm))))
                display(Audio(synthesize(events, bpm), rate=SAMPLE_RATE))
            seed.value += 1

    button.on_click(on_click)
    return w.VBox([w.HBox([temperature, seed]), primer, button, out])


def melodies_table(melodies: Sequence[Sequence[str]]):
    """Length in steps and bars, notes, distinct pitches of each generated melody (a pandas table)."""
    import pandas as pd

    from .encoding import decode_symbols

    rows = []
    for i, m in enumerate(melodies, start=1):
        ev = decode_symbols(m)
        notes = [p for p, _ in ev if p is not None]
        rows.append({"melody": i, "steps": len(m), "bars of 4/4": round(len(m) / 16, 2), "notes": len(notes),
                     "distinct pitches": len(set(notes))})
    return pd.DataFrame(rows).set_index("melody")
