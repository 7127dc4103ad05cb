"""Melodies from any source, one way: seeded, every model starts with a note or a rest, meter and mode on
request, the comparison table's sets, and melodies read back from files."""

import pytest

from thesis_lib import sources
from thesis_lib.core.errors import ThesisError
from thesis_lib.data.corpus import embedded_split
from thesis_lib.data.encoding import parse_symbol
from thesis_lib.data.melody import Melody, Origin
from thesis_lib.models import shipped


def test_melody_files_count_each_generated_melody_once(tmp_path):
    from thesis_lib.render.write import write_melody

    write_melody(Melody(("60", "_", "62", "_", "64", "_", "_", "_")), tmp_path / "lstm_01", ("mid", "musicxml", "txt"))
    (tmp_path / "notes.md").write_text("not a melody")
    files, skipped = sources.melody_files([tmp_path, tmp_path / "missing.mid", tmp_path / "notes.md"])
    assert [f.name for f in files] == ["lstm_01.musicxml"]
    assert {r for _, r in skipped} == {"no such file or directory", "unsupported file type '.md'"}


def test_comparison_sets_have_the_same_size_and_fixed_seeds():
    a = sources.comparison_sets(6, seed=2, max_steps=96)
    b = sources.comparison_sets(6, seed=2, max_steps=96)
    assert {"held-out real songs", "LSTM, T = 0.5", "LSTM, T = 1.0", "5-gram", "random symbols"} <= set(a)
    assert all(len(v) == 6 for v in a.values()) and a == b


GENERATED = ["lstm", "ngram", "random"] + [m for m in ("gan", "wgan-gp", "gan-improved") if shipped.available(m)]


@pytest.mark.parametrize("source", GENERATED)
def test_a_thousand_melodies_start_with_a_note_or_a_rest(source):
    batch = sources.melodies(source, 1000, seed=11, max_steps=2)
    firsts = {parse_symbol(m.symbols[0])[0] for m in batch.melodies if not m.is_empty}
    assert firsts <= {"onset", "rest"}, firsts
    assert sum(not m.is_empty for m in batch.melodies) == 1000


def test_same_seed_same_melodies_and_primers_where_they_belong():
    a = sources.melodies("ngram", 5, seed=4, max_steps=40, primer=["60", "_"])
    assert a.melodies == sources.melodies("ngram", 5, seed=4, max_steps=40, primer=["60", "_"]).melodies
    assert all(m.symbols[:2] == ("60", "_") for m in a.melodies)
    assert [m.origin for m in a.melodies] == [Origin("ngram", None, 1.0, 4, i) for i in range(1, 6)]
    assert a.melodies[1].title == "5-gram melody 2 · T = 1 · seed 4"
    with pytest.raises(ThesisError, match="no primer"):
        sources.melodies("random", 1, primer=["60"])
    with pytest.raises(ThesisError, match="unknown source"):
        sources.melodies("markov", 1)
    real = sources.melodies("real", 3, seed=0)
    assert len(real.melodies) == 3 and "held-out" in real.description
    songs = {s.source: s for s in embedded_split()[1]}
    for m in real.melodies:  # a held-out song keeps the meter, pickup and mode its file states
        song = songs[m.origin.path]
        assert m.events == song.events and m.mode == song.mode
        assert (m.meter, m.pickup) == (song.meter, song.pickup) or not song.meter


def test_matching_keeps_only_what_was_asked_and_counts_the_draws():
    found = sources.matching("ngram", 2, meter="3/4", max_draws=300, seed=1, max_steps=96)
    assert len(found.batch.melodies) == 2 and found.drawn >= 2
    assert all(m.meter == "3/4" and "barring" in m.worked_out for m in found.batch.melodies)
    assert [m.title.split(" · ")[0] for m in found.batch.melodies] == ["5-gram melody 1", "5-gram melody 2"]
    assert found.matched >= 2 and found.acceptance == pytest.approx(found.matched / found.drawn)
    none = sources.matching("ngram", 5, mode="minor", max_draws=3, seed=1, batch_size=3, max_steps=32)
    assert none.drawn == 3 and len(none.batch.melodies) < 5
    with pytest.raises(ValueError, match="5/4"):
        sources.matching("ngram", 1, meter="5/4")
