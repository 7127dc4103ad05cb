"""The 16th-note encoding: both schemes, round trips, vocabulary, stream, windows, tf.data."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from thesis_lib.core.errors import VocabularyError
from thesis_lib.data import encoding as enc


def test_thesis_example_from_section_3_1():
    assert enc.encode_events([(60, 3), (61, 3)]) == "60 _ _ 61 _ _".split()
    assert enc.encode_events([(None, 2), (60, 1)]) == ["r", "_", "60"]


def test_per_pitch_hold_scheme():
    assert enc.encode_events([(60, 3), (None, 2)], "per-pitch-hold") == "60 _60 _60 r _r".split()


# a melody: events with no two rests in a row (a rest is one `r` and holds, so rests merge)
pitch = st.one_of(st.none(), st.integers(21, 108))
melodies = st.lists(st.tuples(pitch, st.integers(1, 24)), min_size=1, max_size=40).map(
    lambda evs: [e for i, e in enumerate(evs) if not (e[0] is None and i and evs[i - 1][0] is None)])


@given(melodies, st.sampled_from(enc.SCHEMES))
def test_symbols_round_trip_on_random_melodies(events, scheme):
    symbols = enc.encode_events(events, scheme)
    assert len(symbols) == sum(n for _, n in events)
    assert enc.decode_symbols(symbols) == [tuple(e) for e in events]
    assert enc.count_repairs(symbols) == {}


def test_decoding_is_lenient_and_counts_repairs():
    syms = ["_60", "60", "_62", "_62", "r", "_"]
    assert enc.decode_symbols(syms) == [(60, 1), (60, 1), (62, 2), (None, 2)]
    assert enc.count_repairs(syms) == {"hold with nothing before it": 1, "hold of a different pitch": 1}


def test_vocabulary_is_sorted_and_round_trips_json(tmp_path):
    v = enc.Vocabulary.from_sequences([["72", "_", "60", "r"], ["_72", "_r", "64", "_60"]])
    assert v.symbols == ("/", "_", "r", "_r", "60", "_60", "64", "72", "_72")
    v.save(tmp_path / "v.json")
    assert json.loads((tmp_path / "v.json").read_text()) == list(v.symbols)
    assert enc.Vocabulary.load(tmp_path / "v.json") == v
    assert v.decode(v.encode(["60", "_", "/"])) == ["60", "_", "/"]
    with pytest.raises(VocabularyError, match="'61'"):
        v.encode(["61"])


def test_bad_vocabulary_file_names_the_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"not": "a list"}')
    with pytest.raises(VocabularyError, match="bad.json"):
        enc.Vocabulary.load(bad)


VOCAB_SCRIPT = """
from thesis_lib.data.corpus import load_corpus
from thesis_lib.data.encoding import Vocabulary, encode_events
c = load_corpus(progress=False)
for scheme in ("thesis", "per-pitch-hold"):
    print(" ".join(Vocabulary.from_sequences(encode_events(s.events, scheme) for s in c.songs).symbols))
"""


def test_vocabulary_is_the_same_across_processes(embedded):
    outs = {subprocess.run([sys.executable, "-c", VOCAB_SCRIPT], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3")}
    assert len(outs) == 1
    thesis, per_pitch = outs.pop().splitlines()
    assert thesis.split()[:3] == ["/", "_", "r"] and "_60" in per_pitch.split()


def test_stream_windows_and_song_split():
    seqs = [["60", "_", "62"], ["64", "_"]]
    v = enc.Vocabulary.from_sequences(seqs)
    s = enc.build_stream(seqs, v, sequence_length=4, separator_length=4)
    assert v.decode(s.ids) == "/ / / / 60 _ 62 / / / / 64 _ / / / /".split()
    assert s.n_windows == len(s.ids) - 4 == len(s.window_starts())
    # windows whose target belongs to song 1 never see song 0
    for start in s.window_starts(np.array([1])):
        window = v.decode(s.ids[start:start + 5])
        assert "60" not in window and "62" not in window
    both = np.concatenate([s.window_starts(np.array([0])), s.window_starts(np.array([1]))])
    assert sorted(both.tolist()) == s.window_starts().tolist()


def test_windows_are_integer_arrays_of_the_stream():
    seqs = [["60", "_", "62", "_", "r", "64"] * 4] * 3
    v = enc.Vocabulary.from_sequences(seqs)
    s = enc.build_stream(seqs, v, sequence_length=8, separator_length=8)
    starts = s.window_starts()
    x, y = enc.windows(s, starts[:5])
    assert x.shape == (5, 8) and y.shape == (5,) and x.dtype == s.ids.dtype
    assert np.array_equal(x, np.stack([s.ids[i:i + 8] for i in starts[:5]]))
    assert np.array_equal(y, s.ids[starts[:5] + 8])
    xi, yi = enc.windows(s, starts[:5], every_step=True)
    assert yi.shape == (5, 8) and np.array_equal(yi[:, :-1], xi[:, 1:])
    assert enc.windows(s, starts)[0].shape[0] == len(starts)


def test_a_primer_may_not_hold_nothing_nor_end_the_melody():
    assert enc.check_primer(["60", "_", "r", "_"]) == ["60", "_", "r", "_"]
    assert enc.check_primer([]) == []
    with pytest.raises(VocabularyError, match="`/` at position 3"):
        enc.check_primer(["60", "_", "/", "62"])
    with pytest.raises(VocabularyError, match="'_' at position 1 holds nothing"):
        enc.check_primer(["_", "_", "_", "60"])
    with pytest.raises(VocabularyError, match="holds nothing"):
        enc.check_primer(["_60", "60"])


def test_start_banned_ids_are_the_delimiter_and_every_hold():
    v = enc.Vocabulary.from_sequences([["60", "_", "r", "_60", "_r"]])
    assert [v.symbols[i] for i in enc.start_banned(v)] == ["/", "_", "_r", "_60"]
