"""The survey's answer store: one row per participant and stimulus, only the melody on screen, concurrent
participants, the old CSV migrated once, and the export the analysis reads."""

import multiprocessing as mp
import sqlite3
from pathlib import Path

import pytest
from survey_fixture import IDS, STIMULI

from thesis_lib.survey import analysis
from thesis_lib.survey.store import (
    FIELDS,
    AnswerStore,
    SurveyError,
    participant_order,
    validate_participant,
)

FIXTURE = Path(__file__).parent / "data" / "survey_responses_fixture.csv"


def test_ids_are_checked_and_kept_as_typed():
    assert validate_participant("  Zoë 🎵, <b>  ") == "Zoë 🎵, <b>"
    for bad, words in [("", "type an id"), ("   ", "type an id"), ("x" * 65, "at most 64"), ("a\nb", "control")]:
        with pytest.raises(SurveyError, match=words):
            validate_participant(bad)


def test_each_participant_gets_a_stable_order_of_their_own():
    orders = {p: participant_order(p, IDS) for p in [f"p{i}" for i in range(12)]}
    assert all(sorted(o) == IDS for o in orders.values()) and participant_order("p3", IDS) == orders["p3"]
    assert len({tuple(o) for o in orders.values()}) > 3


def test_only_the_melody_on_screen_is_saved_and_never_twice(tmp_path):
    store = AnswerStore(tmp_path / "a.sqlite", IDS)
    order = participant_order("p1", IDS)
    assert store.next_stimulus("p1") == (order[0], 1)
    assert store.save("p1", order[1], 5).status == "not on screen"  # a later melody, unheard
    saved = store.save("p1", order[0], 7, " first\nanswer ")
    assert saved.status == "saved" and saved.next_stimulus == order[1]
    assert store.save("p1", order[0], 2).status == "already answered"  # a double click or a second tab
    assert [(r["stimulus"], r["rating"], r["comment"], r["position"]) for r in store.rows()] == \
        [(order[0], 7, "first answer", 1)]
    for bad in (11, -1, 2.5, True, "7"):
        with pytest.raises(SurveyError, match="rating"):
            store.save("p1", order[1], bad)
    with pytest.raises(SurveyError, match="not part of this survey"):
        store.save("p1", "Z", 3)
    with sqlite3.connect(tmp_path / "a.sqlite") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        with pytest.raises(sqlite3.IntegrityError):  # the unique key holds even for a hand-written insert
            db.execute("INSERT INTO answers VALUES ('p1', ?, 1, 3, '', 't')", (order[0],))


def _answer_all(path, who):
    store = AnswerStore(path, IDS)
    for k in range(len(IDS)):
        sid, _ = store.next_stimulus(who)
        for _ in range(3):  # three clicks on the same melody: one answer
            store.save(who, sid, k)


def test_concurrent_participants_lose_nothing_and_add_nothing(tmp_path):
    path = tmp_path / "a.sqlite"
    AnswerStore(path, IDS)
    procs = [mp.get_context("fork").Process(target=_answer_all, args=(path, f"w{i}")) for i in range(6)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    rows = AnswerStore(path, IDS).rows()
    assert len(rows) == 6 * 4 and {(r["participant"], r["stimulus"]) for r in rows} == \
        {(f"w{i}", s) for i in range(6) for s in IDS}
    assert all(r["rating"] == r["position"] - 1 for r in rows)


def test_an_old_responses_csv_is_migrated_once_and_left_as_it_was(tmp_path):
    old = tmp_path / "responses.csv"
    old.write_bytes(FIXTURE.read_bytes())
    store = AnswerStore(tmp_path / "responses.sqlite", IDS)
    assert old.read_bytes() == FIXTURE.read_bytes()
    assert len(store.rows()) == 12 and store.migrate_csv(old) == 0
    assert AnswerStore(tmp_path / "responses.sqlite", IDS).rows() == store.rows()
    t3b = [r for r in store.rows() if (r["participant"], r["stimulus"]) == ("t3", "B")]
    assert [r["rating"] for r in t3b] == [10]  # the old file's rule: the last answer counted


def test_export_is_what_the_analysis_reads(tmp_path):
    store = AnswerStore(tmp_path / "a.sqlite", IDS)
    for who in ("x", "y"):
        for k in range(4):
            store.save(who, store.next_stimulus(who)[0], k + (who == "y"), "a, comment")
    df, problems = analysis.load_responses(store.export(tmp_path / "answers.csv", STIMULI))
    assert not problems and len(df) == 8 and set(df["source"]) == {"n-gram", "real", "GAN", "LSTM"}
    assert list(df.columns) == list(FIELDS) and (df["comment"] == "a, comment").all()
