"""The `Melody` value: made once where a melody is born, and what it carries is worked out at most once, and only
when something asks for it (writing its symbols asks for nothing)."""

import dataclasses

import pytest

from thesis_lib.data import melody as melody_module
from thesis_lib.data import meter, theory
from thesis_lib.data.melody import Melody, Origin
from thesis_lib.render.write import write_melody

SYMBOLS = tuple("60 _ _ _ 62 _ 64 _ 65 _ _ _ 67 _ _ _ 69 _ _ _ 67 _ _ _ 64 _ _ _ 60 _ _ _".split())


@pytest.fixture
def calls(monkeypatch):
    """How often the melody's notes are decoded, its meter read and its mode analysed."""
    seen = {"decode": 0, "infer": 0, "mode": 0}

    def counting(name, real):
        def wrapper(*a, **kw):
            seen[name] += 1
            return real(*a, **kw)
        return wrapper

    monkeypatch.setattr(melody_module, "decode_symbols", counting("decode", melody_module.decode_symbols))
    monkeypatch.setattr(meter, "infer", counting("infer", meter.infer))
    monkeypatch.setattr(theory, "melody_mode", counting("mode", theory.melody_mode))
    return seen


def test_writing_symbols_works_out_nothing(tmp_path, calls):
    m = Melody(SYMBOLS, Origin("lstm", seed=3, index=1), "LSTM melody 1")
    written = write_melody(m, tmp_path / "m", ["txt"])
    assert (tmp_path / "m.txt").read_text().split() == list(SYMBOLS)
    assert m.worked_out == frozenset() and calls == {"decode": 0, "infer": 0, "mode": 0} and written.score is None


def test_every_format_at_once_decodes_reads_and_analyses_once(tmp_path, calls, monkeypatch):
    monkeypatch.setenv("THESIS_SOUNDFONT", str(tmp_path / "none.sf2"))  # the numpy synthesizer: quick
    m = Melody(SYMBOLS, Origin("lstm"), "LSTM melody 1")
    written = write_melody(m, tmp_path / "m", ["mid", "musicxml", "txt", "wav", "svg"])
    assert calls == {"decode": 1, "infer": 1, "mode": 1}
    assert len(written.files) == 5 and written.renderer.startswith("numpy")
    assert (m.meter, m.mode) == (written.score.recurse().getElementsByClass("TimeSignature").first().ratioString,
                                 "major")
    write_melody(m, tmp_path / "again", ["mid"])
    assert calls == {"decode": 1, "infer": 1, "mode": 1}  # the value keeps what it worked out


def test_a_song_is_born_with_its_files_meter_pickup_and_mode(embedded, calls):
    song = next(s for s in embedded.songs if s.meter == "3/4" and s.pickup)
    m = Melody.from_song(song)
    assert m.events == song.events and (m.meter, m.pickup, m.mode) == ("3/4", song.pickup, song.mode)
    assert m.origin == Origin("corpus", path=song.source) and m.title == song.title
    assert calls == {"decode": 0, "infer": 0, "mode": 0}


def test_a_melody_in_another_key_is_barred_as_its_home_melody(calls):
    m = Melody(SYMBOLS)
    d = m.in_key("D")
    assert [p for p, _ in d.events if p] == [p + 2 for p, _ in m.events if p]
    assert d.symbols[0] == "62" and d.written_key == "D major" and d.mode == "major"
    assert (d.meter, d.pickup) == (m.meter, m.pickup) and calls["infer"] == 1  # read once, from the C-major notes
    minor = Melody(tuple("69 _ _ _ 72 _ 71 _ 69 _ _ _".split())).in_key("D")  # a minor melody in D: B minor
    assert minor.written_key == "b minor" and minor.symbols[0] == "71"


def test_replace_keeps_what_was_worked_out_only_while_it_still_holds(calls):
    m = Melody(SYMBOLS)
    m.meter, m.mode
    renamed = m.replace(title="another title")
    assert renamed.worked_out == m.worked_out and calls["infer"] == 1
    longer = m.replace(symbols=SYMBOLS + ("72", "_"))
    assert longer.worked_out == frozenset() and longer.steps == len(SYMBOLS) + 2


def test_the_value_is_frozen_and_plain():
    m = Melody(("/", "60", "_", "/"))
    assert m.symbols == ("60", "_") and m == Melody(("60", "_")) and hash(m) == hash(Melody(("60", "_")))
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.title = "x"
    with pytest.raises(ValueError, match="major or minor"):
        Melody(("60",), stated_mode="dorian")
    assert Melody(("60", "_60", "r", "_r")).scheme == "per-pitch-hold" and m.scheme == "thesis"
    assert Melody(()).is_empty and not m.is_empty
