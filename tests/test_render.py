"""Files and audio: MIDI and MusicXML of songs, generated melodies in every format, FluidSynth and the numpy
synthesizer (and the fallback from one to the other)."""

import shutil
import wave

import numpy as np
import pytest

from thesis_lib.data.melody import Melody
from thesis_lib.render.audio import find_soundfont, render_wav, synthesize
from thesis_lib.render.write import write_melody


def test_songs_survive_midi_and_musicxml_files(embedded, tmp_path):
    from thesis_lib.data.corpus import load_corpus
    from thesis_lib.render.write import write_song

    sample = embedded.songs[::97]
    for i, song in enumerate(sample):
        write_song(song.events, tmp_path / f"s{i:02d}", song.meter, song.pickup, song.title)
    for ext in ("musicxml", "mid"):
        back = load_corpus(sorted(tmp_path.glob(f"*.{ext}")), transpose="none", cache=False)
        # music21's writers complete the last bar with a rest: compare up to trailing rests
        assert [_melody(s.events) for s in back.songs] == [_melody(s.events) for s in sample], ext


def _melody(events):
    return events[:-1] if events[-1][0] is None else events


def test_write_melody_and_the_numpy_synthesizer(tmp_path, monkeypatch):
    monkeypatch.setenv("THESIS_SOUNDFONT", str(tmp_path / "none.sf2"))  # no soundfont: the numpy synthesizer
    symbols = "60 _ _ _ r _ 64 _ _60 67".split()
    melody = Melody(tuple(symbols))
    info = write_melody(melody, tmp_path / "m", ["txt", "wav", "mid"], bpm=120)
    assert (tmp_path / "m.txt").read_text().split() == symbols
    assert melody.meter in ("2/4", "3/4", "4/4", "6/8") and melody.written_key == "C major"
    assert melody.repairs == {"hold of a different pitch": 1}
    with wave.open(str(tmp_path / "m.wav")) as w:
        seconds = w.getnframes() / w.getframerate()
    assert info.renderer.startswith("numpy synthesizer")
    assert seconds == pytest.approx(10 * 0.125 + 0.3, abs=0.01)  # 10 16ths at 120 bpm, plus the release
    audio = synthesize([(69, 4), (None, 4)], bpm=60, sr=8000)
    note, rest = audio[:8000], audio[8400:16000]  # 1 s of A4, then 1 s of rest after a 50 ms release
    assert np.abs(note).max() > 0.5 and np.abs(rest).max() < 1e-6
    spectrum = np.abs(np.fft.rfft(note))
    assert abs(np.argmax(spectrum) * 8000 / len(note) - 440) < 3  # A4 sounds at 440 Hz
    with pytest.raises(ValueError, match="empty"):
        write_melody(Melody(("/",)), tmp_path / "e", ["txt"])


def _wav_frames(path):
    with wave.open(str(path)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), np.int16)


@pytest.mark.skipif(not (shutil.which("fluidsynth") and find_soundfont()),
                    reason="FluidSynth or a General MIDI soundfont is not installed (CI installs both)")
def test_fluidsynth_renders_with_a_soundfont(tmp_path):
    used = render_wav([(60, 4), (64, 4), (67, 8)], tmp_path / "f.wav")
    assert used.startswith("FluidSynth") and np.abs(_wav_frames(tmp_path / "f.wav")).max() > 1000


def test_numpy_synthesizer_renders_without_a_soundfont(tmp_path, monkeypatch):
    monkeypatch.setenv("THESIS_SOUNDFONT", str(tmp_path / "missing.sf2"))
    used = render_wav([(60, 4), (None, 2), (67, 8)], tmp_path / "n.wav")
    assert used.startswith("numpy synthesizer") and np.abs(_wav_frames(tmp_path / "n.wav")).max() > 1000


def test_a_broken_soundfont_falls_back_and_says_why(tmp_path, monkeypatch):
    if not shutil.which("fluidsynth"):
        pytest.skip("FluidSynth is not installed (CI installs it)")
    bad = tmp_path / "broken.sf2"
    bad.write_bytes(b"not a soundfont")
    monkeypatch.setenv("THESIS_SOUNDFONT", str(bad))
    used = render_wav([(60, 4), (64, 4)], tmp_path / "b.wav")
    assert used.startswith("numpy synthesizer (FluidSynth failed") and _wav_frames(tmp_path / "b.wav").size
