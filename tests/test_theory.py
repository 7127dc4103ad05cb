"""Music theory of chapter 2 as data, and the keys of generated melodies."""

import pytest

from thesis_lib.data.theory import key_name, melody_mode, parse_key, transpose_to_key


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


def test_keys_are_written_as_a_reader_writes_them():
    assert key_name("G", "minor") == "G minor" and key_name("B-", "major") == "B♭ major"
    assert transpose_to_key([(60, 4), (64, 4), (67, 4), (60, 4)], "Bb")[1] == "B- major"
    assert transpose_to_key([(69, 4), (72, 4), (76, 4), (69, 4)], "F#m")[1] == "f# minor"
    assert transpose_to_key([(69, 4), (72, 4), (76, 4), (69, 4)], "D")[1] == "b minor"  # relative minor
