"""Reading songs: rejection reasons, keys and transposition, the embedded corpus, the cache."""

import json

import pytest

from thesis_lib.core.errors import CorpusError
from thesis_lib.data import corpus as tc
from thesis_lib.data import parsing
from thesis_lib.data.encoding import encode_events


def only(path, **kw):
    c = tc.load_corpus([path], cache=False, require_songs=False, **kw)
    return c


def symbols(path, **kw):
    c = only(path, **kw)
    assert len(c.songs) == 1, c.skipped
    return " ".join(encode_events(c.songs[0].events))


def test_issue_example_f_major_kern(data_dir):
    # 4c | 4f 8g 8a 4b- | 2a 4g |  in F major -> down 5 semitones to C major
    assert symbols(data_dir / "f_major.krn") == "55 _ _ _ 60 _ _ _ 62 _ 64 _ 65 _ _ _ 64 _ _ _ _ _ _ _ 62 _ _ _"


def test_kern_minor_is_moved_up_to_a_minor_and_ties_are_one_note(data_dir):
    song = only(data_dir / "d_minor.krn").songs[0]
    assert (song.tonic, song.mode, song.key_source, song.shift) == ("D", "minor", "file", 7)
    # [4dd tied across the bar line to 4dd] is one half note: 81 for 8 steps
    assert song.events[:5] == ((69, 4), (72, 4), (76, 4), (81, 8), (None, 4))


@pytest.mark.parametrize("name, reason", [
    ("chord.krn", "not monophonic"),
    ("two_spines.krn", "not monophonic"),
    ("chord.mid", "not monophonic"),
    ("triplet.krn", "unsupported duration"),
    ("thirty_second.krn", "unsupported duration"),
    ("only_rests.krn", "empty"),
    ("broken.krn", "cannot parse"),
    ("not_music.txt", "unsupported file type"),
])
def test_rejection_reasons(data_dir, name, reason):
    c = only(data_dir / name)
    assert c.songs == []
    assert [s.source for s in c.skipped] == [str(data_dir / name)]
    assert c.skipped[0].reason.startswith(reason)


def test_abc_multi_tune_file_numbers_tunes_and_reads_stated_modes(data_dir):
    c = only(data_dir / "tunes.abc")
    kept = {s.source.rsplit("#", 1)[1]: s for s in c.songs}
    skipped = {s.source.rsplit("#", 1)[1]: s.reason.split(":")[0] for s in c.skipped}
    assert set(kept) == {"1", "2"}
    assert skipped == {"3": "not monophonic", "4": "unsupported duration", "5": "empty"}
    assert (kept["1"].tonic, kept["1"].mode, kept["1"].shift) == ("G", "minor", 2)   # K:Gm
    assert (kept["2"].tonic, kept["2"].mode, kept["2"].shift) == ("D", "major", -2)  # K:D, stated
    assert kept["1"].pitches[:4] == [69, 72, 76, 74]   # G B- d c  +2
    assert kept["2"].pickup == 2 and kept["2"].meter == "6/8"


def test_pickup_is_counted_in_the_bar_the_header_states(data_dir):
    """music21 gives short phrase-end bars time signatures of their own, and here keeps 1/8 for the most steps:
    the pickup must still be measured against the header's 3/4 bar (16 ballads were read as starting on beat 1)."""
    kept = {s.source.rsplit("#", 1)[1]: s for s in only(data_dir / "essen_phrase_bars.abc").songs}
    assert (kept["1"].meter, kept["1"].pickup) == ("3/4", 6)
    assert (kept["2"].meter, kept["2"].pickup) == (None, 0)  # M: none: a free meter has no bars
    assert parsing.abc_meter("M: C|\n") == "2/2" and parsing.abc_meter("T: x\n") is None


def test_essen_style_k_field_is_a_tonic_not_a_major_key(data_dir):
    song = only(data_dir / "essen_style.abc").songs[0]
    assert (song.tonic, song.mode, song.key_source) == ("G", "minor", "file tonic + analysis mode")
    assert song.shift == 2 and song.pitches[0] == 69


def test_midi_key_comes_from_analysis(data_dir):
    song = only(data_dir / "e_minor.mid").songs[0]
    assert (song.tonic, song.mode, song.key_source, song.shift) == ("E", "minor", "analysis", 5)
    assert song.events[-1] == (69, 4)  # no padding rest invented after the last note


@pytest.mark.parametrize("tonic, mode, thesis, nearest", [
    ("F", "major", -5, -5), ("G", "major", -7, 5), ("D", "minor", 7, -5), ("G", "minor", 2, 2),
    ("C", "major", 0, 0), ("A", "minor", 0, 0), ("B-", "major", -10, 2), ("F#", "minor", 3, 3),
])
def test_transposition_rule(tonic, mode, thesis, nearest):
    assert parsing.transposition(tonic, mode, "thesis") == thesis
    assert parsing.transposition(tonic, mode, "nearest") == nearest
    assert -6 <= nearest <= 5 and (thesis - nearest) % 12 == 0


def test_nearest_option_keeps_the_key(data_dir):
    song = only(data_dir / "tunes.abc", transpose="nearest").songs[0]
    assert song.shift == 2


def test_folder_is_read_recursively_and_bad_files_do_not_stop_it(tmp_path, data_dir):
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    (sub / "song.krn").write_bytes((data_dir / "f_major.krn").read_bytes())
    (tmp_path / "bad.krn").write_bytes((data_dir / "chord.krn").read_bytes())
    (tmp_path / "notes.txt").write_text("ignored in folders")
    c = tc.load_corpus([tmp_path], cache=False)
    assert [s.source for s in c.songs] == [str(sub / "song.krn")]
    assert [s.reason.split(":")[0] for s in c.skipped] == ["not monophonic"]


def test_nothing_usable_is_a_clear_error(data_dir):
    with pytest.raises(CorpusError, match="no usable song"):
        tc.load_corpus([data_dir / "chord.krn", data_dir / "only_rests.krn"], cache=False)


def test_missing_path_is_reported_not_fatal(data_dir, tmp_path):
    c = tc.load_corpus([tmp_path / "nope.krn", data_dir / "f_major.krn"], cache=False)
    assert len(c.songs) == 1 and c.skipped[0].reason == "no such file or directory"


def test_embedded_corpus(embedded):
    total = len(embedded.songs) + len(embedded.skipped)
    assert total == 1174  # every tune of ballad10..ballad80.abc is either kept or skipped with a reason
    assert len(embedded.songs) > 1100
    assert all(s.source.startswith("essenFolksong/ballad") and "#" in s.source for s in embedded.songs)
    modes = {s.mode for s in embedded.songs}
    assert modes == {"major", "minor"}
    # every song really is in C major / A minor: its tonic lands on C4 or A4
    for s in embedded.songs:
        assert s.shift == parsing.transposition(s.tonic, s.mode)


def test_cache_is_keyed_by_content_and_settings(tmp_path, data_dir, monkeypatch):
    monkeypatch.setenv("THESIS_CACHE_DIR", str(tmp_path / "cache"))
    src = tmp_path / "song.krn"
    src.write_bytes((data_dir / "f_major.krn").read_bytes())
    first = tc.load_corpus([src])
    files = list((tmp_path / "cache").glob("corpus-*.json"))
    assert len(files) == 1 and json.loads(files[0].read_text())["songs"]
    assert tc.load_corpus([src]).songs == first.songs
    assert len(list((tmp_path / "cache").glob("corpus-*.json"))) == 1
    src.write_text(src.read_text().replace("4g\n==", "4a\n=="))  # new content -> new key
    changed = tc.load_corpus([src])
    assert changed.songs[0].events[-1] == (64, 4)
    assert len(list((tmp_path / "cache").glob("corpus-*.json"))) == 2
    tc.load_corpus([src], transpose="nearest")  # new settings -> new key
    assert len(list((tmp_path / "cache").glob("corpus-*.json"))) == 3


def test_damaged_cache_is_rebuilt(tmp_path, data_dir, monkeypatch):
    monkeypatch.setenv("THESIS_CACHE_DIR", str(tmp_path))
    first = tc.load_corpus([data_dir / "f_major.krn"])
    (cache,) = tmp_path.glob("corpus-*.json")
    cache.write_text("{ half a file")
    assert tc.load_corpus([data_dir / "f_major.krn"]).songs == first.songs


def test_embedded_warm_load_gives_the_same_songs(embedded):
    # (its speed is measured in benchmarks/corpus_load.py, not asserted here)
    again = tc.load_corpus(progress=False)
    assert again.songs == embedded.songs and again.skipped == embedded.skipped
