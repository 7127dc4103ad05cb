"""ABC out, and back in: every ABC file written is read back by music21's ABC reader with the same notes and the same
bar lines (the pickup, full bars, the last), for ballads of three meters and for generated tunes."""

from fractions import Fraction

import pytest

from thesis_lib.data.encoding import bar_steps
from thesis_lib.data.melody import Melody
from thesis_lib.data.notation import merge_rests
from thesis_lib.render.abc import abc_text, key_field, save_abc


def read_back(text: str) -> tuple[list, list, str, str]:
    """music21's reading of an ABC tune: (events with ties joined, bar lengths in 16ths, meter, key)."""
    from music21 import converter

    score = converter.parse(text, format="abc")
    part = score.parts[0]
    bars = [int(Fraction(m.duration.quarterLength) * 4) for m in part.getElementsByClass("Measure")]
    flat = part.stripTies(inPlace=False, matchByPitch=False).flatten()
    events = [(None if n.isRest else n.pitch.midi, int(Fraction(n.quarterLength) * 4)) for n in flat.notesAndRests]
    if not bars:  # music21 makes no Measure of a tune of one bar: that bar is the whole tune
        bars = [sum(n for _, n in events)]
    key = score.recurse().getElementsByClass("KeySignature").first()
    ts = score.recurse().getElementsByClass("TimeSignature").first()
    return merge_rests(events), bars, ts.ratioString, f"{key.tonic.name} {key.mode}"


def regular_bars(melody: Melody) -> list[int]:
    bar, steps = bar_steps(melody.meter), melody.steps
    out, room = [], melody.pickup if 0 < melody.pickup < bar else bar
    while steps > 0:
        out.append(min(room, steps))
        steps, room = steps - room, bar
    return out


def assert_round_trip(melody: Melody) -> str:
    text = abc_text(melody)
    events, bars, meter, key = read_back(text)
    assert events == merge_rests(melody.events), melody.title
    assert bars == regular_bars(melody) and meter == melody.meter, (melody.title, bars[:5])
    tonic, mode = melody.written_key.split()
    assert key.lower() == f"{tonic} {mode}".lower()
    return text


@pytest.mark.parametrize("meter", ["3/4", "6/8", "4/4"])
def test_ballads_round_trip(embedded, meter):
    song = next(s for s in embedded.songs if s.meter == meter and s.pickup and s.regular)
    text = assert_round_trip(Melody.from_song(song))
    assert text.startswith("%abc-2.1\nX:1\n") and f"M:{meter}\nL:1/8\n" in text and f"T:{song.title}" in text


def test_a_minor_tune_in_another_key_with_accidentals_ties_and_rests():
    # A minor: G# (the raised 7th), a tie across the bar line, a rest; then moved to B-flat minor
    m = Melody.from_events([(69, 4), (71, 2), (72, 2), (68, 8), (69, 12), (None, 4), (68, 2), (67, 2), (69, 12)],
                           stated_meter="3/4", stated_pickup=4, stated_mode="minor", title="a test")
    text = assert_round_trip(m)
    assert "K:Amin" in text and "^G" in text and "=G" in text and "-" in text and "z" in text
    moved = m.in_key("Bbm")
    text = assert_round_trip(moved)
    assert "K:Bbmin" in text and key_field("b- minor") == "Bbmin" and key_field("F# major") == "F#maj"


def test_octaves_and_lengths_are_written_as_abc_writes_them():
    m = Melody.from_events([(48, 1), (60, 2), (72, 3), (84, 4), (59, 6)], stated_meter="2/4", stated_pickup=0,
                           stated_mode="major")
    body = abc_text(m, bpm=None).splitlines()[-1]  # two bars: a leading bar line, or music21 reads no bars
    assert body == "|C,/Cc3/2c'-|c'B,3|]" and "Q:" not in abc_text(m, bpm=None)
    assert_round_trip(m)


def test_generated_tunes_round_trip(embedded, tmp_path):
    """50 tunes of a small model trained briefly (the shipped tune model's in another test), read back."""
    from thesis_lib import sources
    from thesis_lib.models import shipped, tunes, tunes_generate

    if shipped.available("tunes"):
        batch = sources.melodies("tunes", 50, seed=7, max_steps=192)
        melodies = batch.melodies
    else:  # a checkout without the shipped weights: a tiny model, one epoch
        s = tunes.Settings(arm="lookback", units=16, epochs=1, batch_tunes=16)
        data = tunes.prepare(embedded.songs[:40], s=s)
        result = tunes.train(data, s, tmp_path / "m", verbose=0)
        g = tunes_generate.Generator(result.model, data.vocab)
        meters = ["2/4", "3/4", "4/4", "6/8", "6/4"] * 10
        out = g.generate(50, meters=meters, modes=["major", "minor"] * 25, pickups=[k % 4 for k in range(50)],
                         max_steps=96, seed=7)
        melodies = [Melody(tuple(o), stated_meter=m, stated_pickup=k % 4, stated_mode=("major", "minor")[k % 2])
                    for k, (o, m) in enumerate(zip(out, meters))]
    checked = 0
    for m in melodies:
        if m.events:
            assert_round_trip(m)
            checked += 1
    assert checked >= 45
    path = save_abc(melodies[0], tmp_path / "t.abc")
    assert path.read_text(encoding="utf-8") == abc_text(melodies[0])
