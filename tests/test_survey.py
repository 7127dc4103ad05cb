"""The listening survey: stimuli, reading the answers, the analysis, and the page's logic clicked from code."""

import json
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from survey_fixture import IDS, STIMULI

from thesis_lib.data.encoding import decode_symbols
from thesis_lib.survey import analysis, stimuli
from thesis_lib.survey.store import AnswerStore, SurveyError, participant_order

FIXTURE = Path(__file__).parent / "data" / "survey_responses_fixture.csv"


def test_load_responses_reports_bad_lines():
    df, problems = analysis.load_responses(FIXTURE)
    assert len(problems) == 1 and ":15: skipped" in problems[0] and "eleven" in problems[0]
    assert len(df) == 12 and df["participant"].nunique() == 3


def test_analysis_matches_direct_computation():
    df, _ = analysis.load_responses(FIXTURE)
    a = analysis.analyse(df)
    real = np.array([8, 9, 10], float)
    assert a.per_source.loc["real", "mean"] == pytest.approx(real.mean())
    assert a.per_source.loc["real", "ci_low"] <= real.mean() <= a.per_source.loc["real", "ci_high"]
    assert 8 <= a.per_source.loc["real", "ci_low"] and a.per_source.loc["real", "ci_high"] <= 10
    assert a.per_source.loc["real", "raters"] == 3 and a.per_source.loc["real", "stimuli"] == 1
    groups = [df.loc[df.source == s, "rating"].to_numpy(float) for s in a.per_source.index]
    assert a.kruskal["p"] == pytest.approx(stats.kruskal(*groups).pvalue)
    assert len(a.pairwise) == 6 and (a.pairwise["p_holm"] >= a.pairwise["p"]).all()
    assert a.raters.loc["t1", "answers"] == 4 and a.answers == 12 and a.participants == 3
    assert set(a.per_melody["stimulus"]) == set(IDS) and (a.per_melody["raters"] == 3).all()
    assert "resampling 3 raters and 1 melodies" in analysis.report(a)


def test_crossed_bootstrap_widens_with_melody_to_melody_variation():
    rng = np.random.default_rng(0)
    p = np.repeat(np.arange(10), 6)
    s = np.tile(np.arange(6), 10)
    same = 5 + rng.normal(0, 0.5, 60)
    spread = same + np.array([-3, -2, -1, 1, 2, 3])[s]  # the melodies of one source differ a lot
    m1, lo1, hi1 = analysis.crossed_bootstrap(p, s, same)
    m2, lo2, hi2 = analysis.crossed_bootstrap(p, s, spread)
    assert lo1 < m1 < hi1 and hi2 - lo2 > 2 * (hi1 - lo1)


def test_holm_adjustment():
    assert analysis.holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])


def test_shipped_stimuli_are_blind_and_comparable():
    record = json.loads(stimuli.STIMULI.read_text())
    listed = stimuli.load_stimuli()
    per = {}
    for s in listed:
        per[s["source"]] = per.get(s["source"], 0) + 1
    assert set(per) >= {"real", "LSTM", "GAN", "n-gram"} and set(per.values()) == {record["per_source"]}
    assert [s["id"] for s in listed] == [f"S{k:02d}" for k in range(1, len(listed) + 1)]
    assert all(len(s["symbols"]) == record["steps"] and decode_symbols(s["symbols"]) for s in listed)
    assert record["command"].startswith("thesis-music survey stimuli") and "seed" in record


def test_bad_stimuli_file_is_named(tmp_path):
    bad = tmp_path / "stimuli.json"
    bad.write_text("{\"stimuli\": [{\"id\": \"A\"}]}")
    with pytest.raises(SurveyError, match="stimuli.json: not a stimuli file"):
        stimuli.load_stimuli(bad)
    with pytest.raises(SurveyError, match="no stimuli file"):
        stimuli.load_stimuli(tmp_path / "none.json")


def test_the_page_as_a_participant_uses_it(tmp_path):
    """The form's own logic, clicked from code (a test in a real browser is in test_survey_app.py)."""
    from thesis_lib.survey.page import SurveyPage

    (tmp_path / "stimuli.json").write_text(json.dumps({"stimuli": STIMULI}))
    page = SurveyPage(tmp_path / "stimuli.json", tmp_path / "a.sqlite", tmp_path / "audio")
    page.pid.value = "  "
    page.start_button.click()
    assert "type an id" in page.message.value and not AnswerStore(tmp_path / "a.sqlite", IDS).rows()
    page.pid.value = "p42"
    page.start_button.click()
    assert page.question.layout.display == "" and page.audio.value[:4] == b"RIFF" and page.save_button.disabled
    for k in range(4):
        page.rating.value = str(k * 3)
        page.comment.value = f"take {k}"
        page.save_button.click()
        page.save_button.click()  # a second click: the button is already disabled for the next melody
    assert page.done.layout.display == "" and page.question.layout.display == "none"
    rows = AnswerStore(tmp_path / "a.sqlite", IDS).rows()
    assert [r["stimulus"] for r in sorted(rows, key=lambda r: r["position"])] == participant_order("p42", IDS)
    assert sorted(r["rating"] for r in rows) == [0, 3, 6, 9]
    page.next_button.click()
    assert page.login.layout.display == "" and page.pid.value == ""


def test_survey_analyse_on_the_command_line(tmp_path, capsys):
    from thesis_lib.cli import main

    assert main(["survey", "analyse", "--responses", str(tmp_path / "none.sqlite")]) == 0
    assert "No answers yet" in capsys.readouterr().out and not (tmp_path / "none.sqlite").exists()
    assert main(["survey", "analyse", "--responses", str(FIXTURE), "--plot", str(tmp_path / "fig18.png")]) == 0
    out = capsys.readouterr().out
    assert "12 answers from 3 participants" in out and "Kruskal-Wallis" in out and (tmp_path / "fig18.png").exists()
    assert main(["survey", "stimuli"]) == 2  # the committed round is never overwritten by accident
