"""`thesis-music generate` and `train`: files per melody, keys, primers, exit codes; melody writing and audio."""

import shutil
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from thesis_lib.render import synthesize, write_melody
from thesis_lib.theory import melody_mode, parse_key, transpose_to_key

CLI = [sys.executable, "-m", "thesis_lib.cli"]
PRETRAINED = Path(__file__).resolve().parents[1] / "thesis_lib" / "pretrained"


def run(*args):
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def weights(tiny_lstm, tmp_path_factory):
    d = tmp_path_factory.mktemp("weights")
    shutil.copy(tiny_lstm["dir"] / "lstm.keras", d / "lstm.keras")
    shutil.copy(tiny_lstm["dir"] / "lstm_vocab.json", d / "lstm_vocab.json")
    return d / "lstm.keras"


def midi_pitches(path):
    from music21 import converter

    return [n.pitch.midi for n in converter.parse(path).flatten().notes]


def test_generate_writes_every_format_per_melody_and_is_seeded(weights, tmp_path):
    primer = "60 _ _ _ 62 _ 64 _"
    r = run("generate", "--weights", weights, "-n", 2, "--seed", 5, "--primer", primer, "--temperature", 1.5,
            "--max-steps", 40, "--out", tmp_path / "a")
    assert r.returncode == 0, r.stderr
    assert "seed 5" in r.stderr and "audio rendered with" in r.stderr
    for i in (1, 2):
        stem = tmp_path / "a" / f"lstm_0{i}"
        for ext in ("mid", "musicxml", "txt", "wav"):
            assert stem.with_suffix(f".{ext}").exists(), ext
        symbols = stem.with_suffix(".txt").read_text().split()
        assert symbols[:8] == primer.split() and "/" not in symbols
        assert midi_pitches(stem.with_suffix(".mid"))[:3] == [60, 62, 64]
    again = run("generate", "--weights", weights, "-n", 2, "--seed", 5, "--primer", primer, "--temperature", 1.5,
                "--max-steps", 40, "--formats", "txt", "--out", tmp_path / "b")
    assert again.returncode == 0, again.stderr
    assert [(tmp_path / "b" / f"lstm_0{i}.txt").read_text() for i in (1, 2)] == \
        [(tmp_path / "a" / f"lstm_0{i}.txt").read_text() for i in (1, 2)]
    assert not list((tmp_path / "b").glob("*.mid"))


def test_generate_key_transposes_the_melody(weights, tmp_path):
    r = run("generate", "--weights", weights, "-n", 1, "--seed", 1, "--primer", "60 _ _ _ 64 _ 67 _ 72 _ _ _",
            "--max-steps", 4, "--key", "D", "--formats", "mid,txt", "--out", tmp_path)
    assert r.returncode == 0, r.stderr
    assert midi_pitches(tmp_path / "lstm_01.mid")[:4] == [62, 66, 69, 74]
    assert (tmp_path / "lstm_01.txt").read_text().split()[:4] == ["62", "_", "_", "_"]


@pytest.mark.parametrize("args, code, words", [
    (["--formats", "mid,mp3"], 2, "unknown format"),
    (["--key", "H"], 2, "not a key"),
    (["--primer", "60 _ banana"], 1, "'banana' is not a symbol"),
    (["--primer", "60 _ 127"], 1, "not in the vocabulary"),
    (["-n", "0"], 2, "-n and --max-steps"),
])
def test_generate_rejects_bad_input_with_a_clear_message(weights, tmp_path, args, code, words):
    r = run("generate", "--weights", weights, "--out", tmp_path, *args)
    assert r.returncode == code and words in r.stderr, r.stderr
    assert not list(tmp_path.iterdir())


def test_generate_names_a_missing_model(tmp_path):
    r = run("generate", "--weights", tmp_path / "nothing.keras", "--out", tmp_path / "x")
    assert r.returncode == 1 and "nothing_vocab.json" in r.stderr


def test_primer_from_a_file_is_transposed_like_the_corpus(weights, data_dir, tmp_path):
    # f_major.krn begins on C4 in F major, which the thesis's rule moves to G3 in C major
    r = run("generate", "--weights", weights, "-n", 1, "--seed", 0, "--primer", data_dir / "f_major.krn",
            "--max-steps", 1, "--formats", "txt", "--out", tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "lstm_01.txt").read_text().split()[:5] == ["55", "_", "_", "_", "60"]


@pytest.mark.slow
@pytest.mark.skipif(not (PRETRAINED / "lstm.keras").exists(), reason="no shipped weights in this checkout")
def test_shipped_weights_give_three_distinct_melodies_that_end_by_themselves(tmp_path):
    r = run("generate", "-n", 3, "--seed", 0, "--out", tmp_path)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 3 and all("ended by itself" in l for l in lines), r.stdout
    texts = {(tmp_path / f"lstm_0{i}.txt").read_text() for i in (1, 2, 3)}
    assert len(texts) == 3 and all(len(t.split()) >= 16 for t in texts)


def test_train_cli_writes_weights_vocabulary_and_provenance(embedded, tmp_path):
    import json

    r = run("train", "--model", "lstm", "--profile", "quick", "--max-songs", 12, "--epochs", 1, "--out", tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    m = json.loads((tmp_path / "lstm_metrics.json").read_text())
    assert m["command"].startswith("thesis-music train --model lstm --profile quick")
    assert m["epochs_run"] == 1 and m["data"]["songs_val"] == 1 and np.isfinite(m["val"]["nll"])
    assert m["machine"]["tensorflow"] and (tmp_path / "lstm.keras").exists()


# --------------------------------------------------------------------------- keys, melodies, audio

def test_parse_key():
    assert parse_key("D") == (2, "major") and parse_key("Em") == (4, "minor")
    assert parse_key("Bb") == (10, "major") and parse_key("F#m") == (6, "minor") and parse_key("Ebm") == (3, "minor")
    for bad in ("H", "", "Dmm", "C##"):
        with pytest.raises(ValueError):
            parse_key(bad)


def test_keys_of_generated_melodies():
    c_major = [(60, 4), (64, 4), (67, 4), (60, 4)]
    a_minor = [(69, 4), (72, 4), (76, 4), (69, 4)]
    assert melody_mode(c_major) == "major" and melody_mode(a_minor) == "minor"
    assert transpose_to_key(c_major, "D") == ([(62, 4), (66, 4), (69, 4), (62, 4)], "D major")
    assert transpose_to_key(a_minor, "Em")[0][0] == (64, 4)  # A -> E, the nearest way (down 5)
    moved, written = transpose_to_key(c_major, "Em")  # a major melody keeps E minor's signature: G major
    assert written == "G major" and moved[0] == (55, 4)


def test_write_melody_and_the_numpy_synthesizer(tmp_path, monkeypatch):
    monkeypatch.setenv("THESIS_SOUNDFONT", str(tmp_path / "none.sf2"))  # no soundfont: the numpy synthesizer
    symbols = "60 _ _ _ r _ 64 _ _60 67".split()
    info = write_melody(symbols, tmp_path / "m", ["txt", "wav", "mid"], bpm=120)
    assert (tmp_path / "m.txt").read_text().split() == symbols
    assert info["repairs"] == {"hold of a different pitch": 1}
    with wave.open(str(tmp_path / "m.wav")) as w:
        seconds = w.getnframes() / w.getframerate()
    assert info["renderer"].startswith("numpy synthesizer")
    assert seconds == pytest.approx(10 * 0.125 + 0.3, abs=0.01)  # 10 16ths at 120 bpm, plus the release
    audio = synthesize([(69, 4), (None, 4)], bpm=60, sr=8000)
    note, rest = audio[:8000], audio[8400:16000]  # 1 s of A4, then 1 s of rest after a 50 ms release
    assert np.abs(note).max() > 0.5 and np.abs(rest).max() < 1e-6
    spectrum = np.abs(np.fft.rfft(note))
    assert abs(np.argmax(spectrum) * 8000 / len(note) - 440) < 3  # A4 sounds at 440 Hz
    with pytest.raises(ValueError, match="empty"):
        write_melody(["/"], tmp_path / "e", ["txt"])


def test_gan_train_and_generate_through_the_cli(embedded, tmp_path):
    import json

    r = run("train", "--model", "gan", "--profile", "quick", "--max-songs", 20, "--epochs", 1,
            "--windows-per-epoch", 256, "--out", tmp_path / "m")
    assert r.returncode == 0, r.stderr[-2000:]
    m = json.loads((tmp_path / "m" / "gan_metrics.json").read_text())
    assert m["variant"] == "dcgan" and m["diagnostics_256"]["n"] == 256 and m["data"]["columns"] == 64
    r = run("generate", "--model", "gan", "--weights", tmp_path / "m" / "gan_generator.keras", "-n", 2, "--seed", 1,
            "--formats", "txt,mid", "--out", tmp_path / "x")
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.splitlines()) == 2 and all("64 steps from noise" in l for l in r.stdout.splitlines())
    assert len((tmp_path / "x" / "gan_01.txt").read_text().split()) > 0
    r = run("generate", "--model", "gan", "--weights", tmp_path / "m" / "gan_generator.keras", "--primer", "60",
            "--out", tmp_path / "y")
    assert r.returncode == 2 and "no --primer" in r.stderr


@pytest.mark.slow
def test_shipped_generator_gives_three_distinct_melodies(tmp_path):
    r = run("generate", "--model", "gan", "-n", 3, "--seed", 0, "--formats", "txt", "--out", tmp_path)
    assert r.returncode == 0, r.stderr
    texts = {(tmp_path / f"gan_0{i}.txt").read_text() for i in (1, 2, 3)}
    assert len(texts) == 3


def test_shipped_generator_is_not_collapsed():
    """Issue 4's bar: of 256 fresh samples, at most 5% all holds and at least 90% distinct."""
    from thesis_lib import gan

    generator, vocab, provenance = gan.load_pretrained()
    diag = gan.final_diagnostics(generator, vocab, 256, seed=0)
    assert diag["all_holds"] <= 0.05 and diag["distinct"] >= 0.90, diag
    assert provenance["command"].startswith("thesis-music train --model gan")


def test_baseline_models_write_melodies_and_refuse_what_they_cannot_use(tmp_path):
    r = run("generate", "--model", "ngram", "-n", 2, "--seed", 3, "--primer", "60 _ 62 _", "--formats", "txt",
            "--out", tmp_path / "ng")
    assert r.returncode == 0, r.stderr
    first = (tmp_path / "ng" / "ngram_01.txt").read_text().split()
    assert first[:4] == ["60", "_", "62", "_"] and "5-gram" in r.stderr
    r = run("generate", "--model", "random", "-n", 2, "--seed", 3, "--max-steps", 32, "--formats", "txt",
            "--out", tmp_path / "rn")
    assert r.returncode == 0 and len((tmp_path / "rn" / "random_01.txt").read_text().split()) == 32
    assert run("generate", "--model", "random", "--primer", "60", "--out", tmp_path / "x").returncode == 2
    r = run("generate", "--model", "ngram", "--weights", "w.keras", "--out", tmp_path / "x")
    assert r.returncode == 2 and "has no weights" in r.stderr
