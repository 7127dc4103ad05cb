"""Scores a musician accepts: clef, key signature and spelling, accidentals only where needed, the meter and
pickup, merged rests; round trips through music21; engraving with verovio."""

import re
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thesis_lib.data import encoding as enc
from thesis_lib.data import notation
from thesis_lib.data.parsing import extract_events

# a melody: events with no two rests in a row (a rest is one `r` and holds, so rests merge)
pitch = st.one_of(st.none(), st.integers(21, 108))
melodies = st.lists(st.tuples(pitch, st.integers(1, 24)), min_size=1, max_size=40).map(
    lambda evs: [e for i, e in enumerate(evs) if not (e[0] is None and i and evs[i - 1][0] is None)])


@settings(max_examples=30, deadline=None)
@given(melodies.filter(lambda evs: any(p is not None for p, _ in evs)),
       st.sampled_from(["4/4", "3/4", "6/8", "2/4", "3/2", None]), st.integers(0, 15),
       st.sampled_from(["C major", "a minor", "B- major", "f# minor"]))
def test_music21_round_trip_on_random_melodies(events, meter, pickup, key):
    """events -> music21 Score (bars, ties across bar lines, pickup, spelling) -> events is the identity."""
    score = notation.to_score(events, meter, pickup, key=key)
    back, _, _ = extract_events(score)
    assert back == [tuple(e) for e in events]


def test_a_tie_chain_after_an_accidental_reads_back_as_one_note():
    """A♭ then a long A: the score writes the A's first note with a natural and its tied continuations without,
    and music21's stripTies, matching by pitch, stopped the chain there. A melody is one voice: ties are matched
    by position, so the long A reads back as one note."""
    for events, meter in (([(32, 2), (21, 30)], "3/4"), ([(32, 1), (21, 12)], "6/8")):
        back, _, _ = extract_events(notation.to_score(events, meter))
        assert back == events


def test_every_kept_embedded_song_round_trips(embedded):
    """encode -> decode -> music21 Score -> encode is the identity on every kept song of the corpus."""
    for song in embedded.songs:
        symbols = enc.encode_events(song.events)
        score = notation.symbols_to_score(symbols, song.meter, song.pickup)
        again, _, _ = extract_events(score)
        assert enc.encode_events(again) == symbols, song.source


@pytest.mark.slow
def test_ballads_in_3_4_6_8_and_2_4_get_the_bars_of_their_source(embedded):
    """For every kept ballad in 3/4, 6/8 or 2/4 whose file bars it regularly (a pickup, full bars, a last bar),
    the score decoded from its symbols with its source meter and pickup has the source's bar durations."""
    from thesis_lib.data.corpus import discover
    from thesis_lib.data.parsing import parse_tune

    tunes = {t.source: t for t in discover(None)[0]}
    checked = irregular = 0
    for song in embedded.songs:
        if song.meter not in ("3/4", "6/8", "2/4"):
            continue
        source = [Fraction(m.duration.quarterLength).limit_denominator(64)
                  for m in parse_tune(tunes[song.source]).parts[0].getElementsByClass("Measure")]
        bar = Fraction(enc.bar_steps(song.meter), 4)
        if len(source) < 2 or any(d != bar for d in source[1:-1]):
            irregular += 1  # the file has bars of another length inside the song (a 2/4 bar in a 3/4 song)
            continue
        ours = notation.to_score(enc.decode_symbols(enc.encode_events(song.events)), song.meter, song.pickup)
        assert [Fraction(m.duration.quarterLength).limit_denominator(64)
                for m in ours.parts[0].getElementsByClass("Measure")] == source, song.source
        checked += 1
    assert checked > 500 and irregular < checked / 4


def xml_of(events, **kw):
    return notation.musicxml_string(notation.to_score(events, **kw))


def test_clef_follows_the_range():
    assert "<sign>G</sign>" in xml_of([(60, 4), (64, 4), (67, 4)], meter="3/4")
    assert "<sign>F</sign>" in xml_of([(43, 4), (48, 4), (62, 4)], meter="3/4")


def test_key_signature_with_its_mode_and_spelling_in_the_key():
    xml = xml_of([(69, 4), (71, 4), (72, 4), (68, 4), (69, 16)], meter="4/4", key="a minor")
    assert re.search(r"<fifths>0</fifths>\s*<mode>minor</mode>", xml)
    assert re.search(r"<step>G</step>\s*<alter>1</alter>", xml) and "<step>A</step>\n            <alter>-1" not in xml
    xml = xml_of([(62, 4), (66, 4), (69, 4), (61, 4)], meter="4/4", key="D major")
    assert re.search(r"<fifths>2</fifths>\s*<mode>major</mode>", xml)
    assert "<accidental>" not in xml  # F# and C# come from the key signature
    assert notation.spell(70, "F major").name == "B-" and notation.spell(66, "C major").name == "F#"


def test_accidentals_only_where_the_key_and_the_bar_do_not_give_the_pitch():
    # C major: no accidental at all on white keys (pitches from MIDI numbers used to get a natural each)
    assert "<accidental>" not in xml_of([(60, 4), (62, 4), (64, 4), (65, 4)] * 3, meter="4/4")
    # A minor: G# once per bar, then G natural needs its natural sign, then G# again needs its sharp
    acc = re.findall(r"<accidental>(\w+)</accidental>", xml_of(
        [(68, 2), (68, 2), (67, 2), (68, 2), (69, 8), (68, 4)], meter="4/4", key="a minor"))
    assert acc == ["sharp", "natural", "sharp", "sharp"]


def test_consecutive_rests_are_one_rest():
    assert notation.merge_rests([(60, 4), (None, 1), (None, 1), (None, 2), (62, 4)]) == \
        [(60, 4), (None, 4), (62, 4)]
    xml = xml_of([(60, 4), (None, 1), (None, 1), (None, 2), (62, 8)], meter="4/4")
    assert xml.count("<rest") == 1


def test_rests_show_the_beat():
    """A rest never hides the beat: cut at the dotted quarter in 6/8, at half the bar in 4/4, at each beat
    in 3/4; a rest that fills its bar stays one whole-bar rest."""
    assert [notation.rest_unit(m) for m in ("2/4", "3/4", "4/4", "6/8", "12/8", "6/4", "2/2", "3/8")] == \
        [4, 4, 8, 6, 6, 12, 8, 2]
    bar = [(69, 3), (None, 9)]  # 6/8: a dotted eighth, then 9 sixteenths of rest
    assert notation.split_into_bars(bar, 12, 0, 6) == [[(69, 3, None), (None, 3, None), (None, 6, None)]]
    assert notation.split_into_bars([(None, 12)], 12, 0, 6) == [[(None, 12, None)]]
    # a 4/4 pickup of a quarter starts 12 steps into its bar: nothing to cut there
    assert notation.split_into_bars([(None, 4)], 16, 4, 8) == [[(None, 4, None)]]
    # 4/4: a rest from beat 2 to the end of the bar is a quarter rest and a half rest
    xml = xml_of([(60, 4), (None, 12), (62, 16)], meter="4/4")
    assert re.findall(r"<rest\s*/>\s*<duration>\d+</duration>\s*<type>(\w+)</type>", xml) == ["quarter", "half"]
    # a whole bar of rest in 6/8 is written as a whole-bar rest
    assert '<rest measure="yes"' in xml_of([(60, 12), (None, 12), (62, 12)], meter="6/8")


def test_notes_show_the_beat():
    """6/8: a note that crosses the dotted-quarter beat is cut there into tied notes, unless it starts on a
    beat and lasts whole beats; 4/4: a note that crosses the middle of the bar off the beat is tied there,
    but q h q stays; 2/4 and 3/4 write their syncopations (8 4 8) as they sound."""
    assert notation.note_rule("6/8") == (6, 6, True) and notation.note_rule("3/4") is None
    six_eight = [(60, 8), (62, 4), (64, 2), (65, 6), (67, 4), (69, 12)]
    assert notation.split_into_bars(six_eight, 12, 0, 6, notation.note_rule("6/8")) == [
        [(60, 6, "start"), (60, 2, "stop"), (62, 4, None)],
        [(64, 2, None), (65, 4, "start"), (65, 2, "stop"), (67, 4, None)], [(69, 12, None)]]
    four_four = [(60, 4), (62, 8), (64, 4), (60, 6), (62, 4), (64, 6)]
    assert notation.split_into_bars(four_four, 16, 0, 8, notation.note_rule("4/4"))[1] == [
        (60, 6, None), (62, 2, "start"), (62, 2, "stop"), (64, 6, None)]
    xml = xml_of([(60, 2), (62, 4), (64, 2)] * 2, meter="2/4")
    assert "<tie " not in xml and xml.count("<note") == 6
    # and the round trip still gives one note: ties are read back as one event
    back, _, _ = extract_events(notation.to_score(six_eight, "6/8"))
    assert back == six_eight


def test_pickup_and_meter_are_written():
    xml = xml_of([(67, 4)] + [(72, 8), (71, 4)] * 4 + [(72, 8)], meter="3/4", pickup=4)
    assert re.search(r"<beats>3</beats>\s*<beat-type>4</beat-type>", xml)
    assert '<measure implicit="yes" number="0"' in xml or 'number="0" implicit="yes"' in xml


def test_key_names_a_reader_writes():
    assert notation.display_key("b- major") == "B♭ major" and notation.display_key("a minor") == "A minor"
    assert notation.display_key("f# minor") == "F♯ minor"
    assert notation.key_for(10, "major") == "B- major" and notation.key_for(8, "minor") == "g# minor"


def test_engraving_draws_a_clef_and_a_key_signature():
    svg = notation.notation_svg(notation.to_score([(62, 4), (66, 4), (69, 8)], "4/4", 0, "t", key="D major"))
    assert 'class="clef' in svg and 'class="keySig' in svg and 'class="meterSig' in svg
