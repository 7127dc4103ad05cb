"""What a notebook cell calls: the set-up, and show_melody (files written once; the audio played is that file)."""

import matplotlib

matplotlib.use("Agg")

from thesis_lib.data.melody import Melody  # noqa: E402
from thesis_lib.lab import notebook  # noqa: E402


def test_setup_gives_settings_folders_and_songs(tmp_path, embedded):
    ch = notebook.setup("quick", None, 0, tmp_path / "out")
    assert ch.settings.name == "quick" and len(ch.songs) == ch.settings.max_songs
    assert all((tmp_path / "out" / sub).is_dir() for sub in notebook.FOLDERS)
    assert ch.figure("x.png") == tmp_path / "out" / "figures" / "x.png"


def test_show_melody_plays_the_wav_it_wrote(tmp_path, embedded, monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *objs: shown.extend(objs))
    ch = notebook.setup("quick", None, 0, tmp_path)
    melody = Melody(tuple("r _ _ _ 60 _ _ _ 64 _ 67 _ 72 _ _ _ _ _ _ _".split()), title="a test")
    written = notebook.show_melody(melody, "m1", ch)
    wav = tmp_path / "audio" / "m1.wav"
    audio = [o for o in shown if type(o).__name__ == "Audio"]
    assert len(audio) == 1 and audio[0].data == wav.read_bytes()  # the player holds the file on disk
    assert {p.suffix for p in (tmp_path / "midi").iterdir()} == {".mid", ".musicxml", ".txt"}
    assert (tmp_path / "figures" / "m1.svg").exists() and written.renderer and wav in written.files
    assert "a test" in (tmp_path / "midi" / "m1.musicxml").read_text()
