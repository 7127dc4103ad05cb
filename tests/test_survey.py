"""The listening survey: answer validation, the append-only store under concurrency, the analysis, the form."""

import csv
import multiprocessing as mp
import shutil
import wave
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from thesis_lib import survey
from thesis_lib.encoding import decode_symbols
from thesis_lib.render import find_soundfont, render_wav

FIXTURE = Path(__file__).parent / "data" / "survey_responses_fixture.csv"
STIMULI = [{"id": "A", "source": "n-gram", "symbols": ["60", "_", "62", "_"]},
           {"id": "B", "source": "real", "symbols": ["64", "_", "_", "_"]},
           {"id": "C", "source": "GAN", "symbols": ["67", "_", "65", "_"]},
           {"id": "D", "source": "LSTM", "symbols": ["60", "_", "_", "r"]}]


def test_validate_answer_accepts_good_and_names_what_is_wrong():
    row = survey.validate_answer(" p01 ", "B", 7, "nice\nline two", STIMULI, position=2)
    assert row["participant"] == "p01" and row["source"] == "real" and row["rating"] == 7
    assert row["comment"] == "nice line two" and row["position"] == 2
    for args, words in [(("", "B", 5), "participant id"), (("a,b", "B", 5), "participant id"),
                        (("p", "Z", 5), "stimulus 'Z'"), (("p", "B", 11), "rating 11"),
                        (("p", "B", 2.5), "rating 2.5"), (("p", "B", True), "rating True")]:
        with pytest.raises(survey.SurveyError, match=words):
            survey.validate_answer(*args, "", STIMULI)


def _append_many(path, who, n):
    for k in range(n):
        survey.append_answer(survey.validate_answer(who, "ABCD"[k % 4], k % 11, f"answer {k}, with a comma",
                                                    STIMULI, k), path)


def test_concurrent_appends_lose_nothing_and_keep_what_was_there(tmp_path):
    path = tmp_path / "responses.csv"
    survey.append_answer(survey.validate_answer("first", "A", 3, "", STIMULI), path)
    before = path.read_bytes()
    procs = [mp.get_context("fork").Process(target=_append_many, args=(path, f"w{i}", 40)) for i in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    text = path.read_bytes()
    assert text.startswith(before)  # nothing rewritten
    rows = list(csv.DictReader(text.decode().splitlines()))
    assert len(rows) == 1 + 4 * 40 and text.decode().count("time,participant") == 1
    assert sorted(r["participant"] for r in rows).count("w3") == 40
    assert all(r["comment"].startswith("answer") for r in rows[1:])


def test_load_responses_reports_bad_lines_and_keeps_the_last_answer():
    df, problems = survey.load_responses(FIXTURE)
    assert len(problems) == 1 and ":15: skipped" in problems[0] and "eleven" in problems[0]
    assert len(df) == 12 and df["participant"].nunique() == 3
    assert df.loc[(df.participant == "t3") & (df.stimulus == "B"), "rating"].item() == 10
    empty, none = survey.load_responses(FIXTURE.parent / "no_such_file.csv")
    assert len(empty) == 0 and none == []
    assert "No answers yet" in survey.status_line(empty, none)


def test_analysis_matches_direct_computation():
    df, _ = survey.load_responses(FIXTURE)
    a = survey.analyse(df)
    real = np.array([8, 9, 10], float)
    assert a.per_source.loc["real", "mean"] == pytest.approx(real.mean())
    assert a.per_source.loc["real", "ci_low"] <= real.mean() <= a.per_source.loc["real", "ci_high"]
    assert 8 <= a.per_source.loc["real", "ci_low"] and a.per_source.loc["real", "ci_high"] <= 10
    groups = [df.loc[df.source == s, "rating"].to_numpy(float) for s in survey.SOURCES]
    assert a.kruskal["p"] == pytest.approx(stats.kruskal(*groups).pvalue)
    assert len(a.pairwise) == 6 and (a.pairwise["p_holm"] >= a.pairwise["p"]).all()
    assert a.raters.loc["t1", "answers"] == 4 and a.answers == 12 and a.participants == 3
    assert a.rater_spread == pytest.approx(np.std([(2 + 8 + 1 + 6) / 4, (9 + 7 + 3 + 0) / 4,
                                                   (2 + 4 + 5 + 10) / 4], ddof=1))


def test_holm_adjustment():
    assert survey.holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])


def test_each_participant_gets_a_stable_order_of_their_own():
    ids = ["A", "B", "C", "D"]
    orders = {p: survey.participant_order(p, ids) for p in [f"p{i}" for i in range(12)]}
    assert all(sorted(o) == ids for o in orders.values())
    assert survey.participant_order("p3", ids) == orders["p3"]
    assert len({tuple(o) for o in orders.values()}) > 3


def test_the_form_as_a_participant_uses_it(tmp_path):
    wavs, _ = survey.render_stimuli(STIMULI, tmp_path / "wav")
    path = tmp_path / "responses.csv"
    form = survey.SurveyForm(STIMULI, wavs, path)
    form.participant.value = "  "
    form.start_button.click()
    assert "participant id" in form.message.value and not path.exists()
    form.participant.value = "p42"
    form.start_button.click()
    assert form.question.layout.display == "" and form.audio.value[:4] == b"RIFF"
    for k in range(4):
        form.rating.value, form.comment.value = k * 3, f"take {k}"
        form.save_button.click()
    assert "Thank you" in form.message.value and form.question.layout.display == "none"
    df, problems = survey.load_responses(path)
    assert not problems and list(df["stimulus"]) == survey.participant_order("p42", list("ABCD"))
    assert list(df["rating"]) == [0, 3, 6, 9] and list(df["position"].astype(int)) == [1, 2, 3, 4]


def test_shipped_stimuli_are_blind_and_comparable():
    stimuli = survey.load_stimuli()
    assert sorted(s["source"] for s in stimuli) == sorted(survey.SOURCES)
    assert [s["id"] for s in stimuli] == ["A", "B", "C", "D"]
    assert all(len(s["symbols"]) == survey.STIMULUS_STEPS for s in stimuli)
    assert all(decode_symbols(s["symbols"]) for s in stimuli)


def test_bad_stimuli_file_is_named(tmp_path):
    bad = tmp_path / "stimuli.json"
    bad.write_text("{\"stimuli\": [{\"id\": \"A\"}]}")
    with pytest.raises(survey.SurveyError, match="stimuli.json: not a stimuli file"):
        survey.load_stimuli(bad)
    with pytest.raises(survey.SurveyError, match="no stimuli file"):
        survey.load_stimuli(tmp_path / "none.json")


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
