"""What a notebook cell calls: one set-up per chapter (settings, output folders, songs), one way to show a
melody (files, notation, piano roll and the audio of the very WAV on disk), and the library's own source of a
key idea, shown beside the prose as the FMP notebooks do beside `libfmp`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..core.config import BPM, Profile, get_profile
from ..data.melody import Melody
from ..render.write import Written

FOLDERS = ("figures", "midi", "audio", "models")


@dataclass
class Chapter:
    """A notebook's set-up: its settings (profile), its output folder and the songs it works on."""

    settings: Profile
    out: Path
    corpus: object          # thesis_lib.corpus.Corpus (kept and skipped songs)
    seed: int

    @property
    def songs(self) -> list:
        """The kept songs, capped by the profile (`max_songs`)."""
        return self.corpus.songs[: self.settings.max_songs]

    def figure(self, name: str) -> Path:
        """outputs/<profile>/figures/NAME."""
        return self.out / "figures" / name


def setup(profile: str = "quick", corpus: str | None = None, seed: int = 0, output_dir: str | os.PathLike = "outputs",
          *, seed_models: bool = False) -> Chapter:
    """The one set-up call of a notebook: settings, output folders (created), the songs (cached parse), seeds.

    seed_models also seeds TensorFlow/Keras (it imports them, so the chapters without a model leave it out)."""
    import numpy as np
    import pandas as pd

    from ..data.corpus import load_corpus

    settings = get_profile(profile)
    out = Path(output_dir)
    for sub in FOLDERS:
        (out / sub).mkdir(parents=True, exist_ok=True)
    np.random.seed(seed)
    if seed_models:  # (the backend is imported quietly: no start-up lines in the cells)
        from ..core.backend import set_seed

        set_seed(seed)
    pd.set_option("display.precision", 3)
    return Chapter(settings, out, load_corpus([corpus] if corpus else None, progress=False), seed)


def show_melody(melody: Melody, stem: str, chapter: Chapter, *, key: str | None = None, bpm: float = BPM) -> Written:
    """Write a melody's files (MIDI, MusicXML, symbols, WAV: the WAV is rendered once), then show its notation, its
    piano roll and an audio player of that same WAV file; `key` moves it to another key first. Returns what was
    written (`render.write.Written`)."""
    from IPython.display import SVG, Audio, display

    from ..data.encoding import bar_steps
    from ..data.notation import display_key, save_svg
    from ..render import plots
    from ..render.audio import render_wav
    from ..render.write import write_melody

    melody = melody.in_key(key) if key else melody
    written = write_melody(melody, chapter.out / "midi" / stem, ["mid", "musicxml", "txt"], bpm=bpm)
    wav = chapter.out / "audio" / f"{stem}.wav"
    written.renderer = render_wav(melody.events, wav, bpm)
    written.files.append(wav)
    display(SVG(save_svg(written.score, chapter.figure(f"{stem}.svg")).read_text()))
    fig = plots.piano_roll(melody.events, bar=bar_steps(melody.meter), pickup=melody.pickup,
                           title=f"{melody.title} (piano roll, {melody.meter})")
    plots.save(fig, chapter.figure(f"{stem}_roll.png"))
    display(fig)
    plots.close(fig)
    display(Audio(filename=str(wav)))
    print(f"{stem}: {display_key(melody.written_key)}, {melody.meter}, pickup {melody.pickup} steps; "
          f"audio by {written.renderer}")
    return written


def show_song(song, stem: str, chapter: Chapter, *, original_key: bool = False) -> Path:
    """A corpus song engraved in its own meter and pickup (transposed, or in its written key), shown and saved
    as SVG, with an audio player of its WAV (rendered once); MIDI and MusicXML beside it. Returns the SVG path."""
    from IPython.display import SVG, Audio, display

    from ..data.notation import key_for, save_svg, to_score
    from ..render.audio import render_wav
    from ..render.write import write_score

    events = song.events
    if original_key:
        from music21 import pitch

        events = [(None if p is None else p - song.shift, n) for p, n in events]
        key = key_for(pitch.Pitch(song.tonic).pitchClass, song.mode)
    else:
        key = key_for(0, "major") if song.mode == "major" else key_for(9, "minor")
    score = to_score(events, song.meter, song.pickup, song.title, key)
    write_score(score, chapter.out / "midi" / f"{stem}.mid")
    write_score(score, chapter.out / "midi" / f"{stem}.musicxml")
    path = save_svg(score, chapter.figure(f"{stem}.svg"))
    display(SVG(path.read_text()))
    wav = chapter.out / "audio" / f"{stem}.wav"
    render_wav(events, wav, BPM)
    display(Audio(filename=str(wav)))
    return path


def show_source(obj) -> None:
    """Show the library's own source of a function or class (the idea the cell above explains), highlighted."""
    import inspect

    from IPython.display import Code, display

    display(Code(inspect.getsource(obj), language="python"))
