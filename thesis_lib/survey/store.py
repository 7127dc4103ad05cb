"""The survey's answers, stored exactly once: SQLite (WAL mode), one row per (participant, stimulus) under a
unique key, so a double click, a retry or two tabs can never add, change or invent an answer; and a save is
accepted only for the melody that participant has on screen (their first unanswered one).

Order of use: `AnswerStore(path)` (it migrates an old `responses.csv` beside it once), `next_stimulus`,
`save`, and `export` to the CSV that the analysis reads.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import sqlite3
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

from ..core.errors import ThesisError

FIELDS = ("time", "participant", "stimulus", "source", "position", "rating", "comment")  # the exported CSV
MAX_ID, MAX_COMMENT = 64, 500

SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    participant TEXT NOT NULL,
    stimulus    TEXT NOT NULL,
    position    INTEGER NOT NULL,
    rating      INTEGER NOT NULL CHECK (rating BETWEEN 0 AND 10),
    comment     TEXT NOT NULL DEFAULT '',
    time        TEXT NOT NULL,
    PRIMARY KEY (participant, stimulus)
);
CREATE TABLE IF NOT EXISTS migrations (source TEXT PRIMARY KEY, sha256 TEXT NOT NULL, rows INTEGER NOT NULL,
                                       time TEXT NOT NULL);
"""


class SurveyError(ThesisError):
    """An answer that cannot be stored, or a file that cannot be read; says which and why."""


def validate_participant(participant: str | None) -> str:
    """The participant id, stripped, or SurveyError: 1-64 characters, no control characters (line breaks, tabs)."""
    pid = unicodedata.normalize("NFC", (participant or "").strip())
    if not pid:
        raise SurveyError("type an id first (any short name; the same id continues where it stopped)")
    if len(pid) > MAX_ID:
        raise SurveyError(f"an id has at most {MAX_ID} characters; this one has {len(pid)}")
    if any(unicodedata.category(c).startswith("C") for c in pid):
        raise SurveyError("an id cannot hold line breaks, tabs or other control characters")
    return pid


def participant_order(participant: str, ids: Sequence[str]) -> list[str]:
    """The stimuli in a random order of this participant's own (stable: a hash of the id seeds it)."""
    import numpy as np

    seed = int.from_bytes(hashlib.sha256(participant.encode("utf-8")).digest()[:8], "little")
    return [ids[k] for k in np.random.default_rng(seed).permutation(len(ids))]


@dataclass(frozen=True)
class Saved:
    """What became of a save: "saved", "already answered" (nothing changed) or "not on screen" (refused)."""

    status: str
    next_stimulus: str | None


class AnswerStore:
    """One SQLite file of answers for one set of stimuli (ids in `stimulus_ids`)."""

    def __init__(self, path: str | os.PathLike, stimulus_ids: Sequence[str]):
        self.path, self.ids = Path(path), list(stimulus_ids)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(SCHEMA)
        legacy = self.path.with_name("responses.csv")
        if legacy.exists():
            self.migrate_csv(legacy)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)  # autocommit; BEGIN IMMEDIATE below
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA busy_timeout=30000")
        return db

    # ---------------------------------------------------------------- reading

    def answered(self, participant: str) -> set[str]:
        """The stimuli this participant has answered."""
        with self._connect() as db:
            return {r[0] for r in db.execute("SELECT stimulus FROM answers WHERE participant = ?", (participant,))}

    def next_stimulus(self, participant: str) -> tuple[str | None, int]:
        """(the first stimulus of their own order they have not answered, its position 1..N), or (None, N + 1)."""
        done = self.answered(participant)
        for k, sid in enumerate(participant_order(participant, self.ids), start=1):
            if sid not in done:
                return sid, k
        return None, len(self.ids) + 1

    def rows(self) -> list[dict]:
        """Every stored answer, oldest first."""
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute("SELECT * FROM answers ORDER BY time, participant, position")]

    # ---------------------------------------------------------------- writing

    def save(self, participant: str, stimulus: str, rating, comment: str = "") -> Saved:
        """Store one answer, once. Refused (SurveyError) for a bad id or rating; "not on screen" when `stimulus` is
        not this participant's first unanswered one; "already answered" (nothing changes) for a repeat."""
        participant = validate_participant(participant)
        if isinstance(rating, bool) or not isinstance(rating, int) or not 0 <= rating <= 10:
            raise SurveyError(f"rating {rating!r}: choose a whole number from 0 (made by a computer) to 10 (by a human)")
        if stimulus not in self.ids:
            raise SurveyError(f"stimulus {stimulus!r} is not part of this survey")
        comment = " ".join((comment or "").split())[:MAX_COMMENT]
        order = participant_order(participant, self.ids)
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")  # one writer at a time: the check and the insert see the same rows
            try:
                done = {r[0] for r in db.execute("SELECT stimulus FROM answers WHERE participant = ?", (participant,))}
                expected = next((s for s in order if s not in done), None)
                if stimulus in done:
                    status = "already answered"
                elif stimulus != expected:
                    status = "not on screen"
                else:
                    db.execute("INSERT INTO answers (participant, stimulus, position, rating, comment, time) "
                               "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                               (participant, stimulus, order.index(stimulus) + 1, rating, comment, _now()))
                    done.add(stimulus)
                    status = "saved"
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return Saved(status, next((s for s in order if s not in done), None))

    def migrate_csv(self, csv_path: str | os.PathLike) -> int:
        """Import an answers file of the old append-only format once (the last answer per participant and stimulus,
        as the old analysis counted it); the CSV itself is left as it was. Returns the rows imported now."""
        csv_path = Path(csv_path)
        digest = hashlib.sha256(csv_path.read_bytes()).hexdigest()
        with self._connect() as db:
            if db.execute("SELECT 1 FROM migrations WHERE source = ? AND sha256 = ?",
                          (str(csv_path.resolve()), digest)).fetchone():
                return 0
            last: dict = {}
            with open(csv_path, newline="", encoding="utf-8") as fh:
                for row in csv.DictReader(fh):
                    try:
                        rating = int(row["rating"])
                        pid = validate_participant(row["participant"])
                    except (KeyError, TypeError, ValueError, SurveyError):
                        continue
                    if 0 <= rating <= 10 and row.get("stimulus") in self.ids:
                        last[(pid, row["stimulus"])] = (pid, row["stimulus"], int(row.get("position") or 0), rating,
                                                        row.get("comment") or "", row.get("time") or _now())
            db.execute("BEGIN IMMEDIATE")
            db.executemany("INSERT INTO answers (participant, stimulus, position, rating, comment, time) "
                           "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", list(last.values()))
            db.execute("INSERT OR REPLACE INTO migrations VALUES (?, ?, ?, ?)",
                       (str(csv_path.resolve()), digest, len(last), _now()))
            db.execute("COMMIT")
        return len(last)

    def export(self, path: str | os.PathLike, stimuli: Sequence[dict]) -> Path:
        """Write every answer as the CSV the analysis reads (FIELDS; `source` from the stimuli file), atomically."""
        from ..core.files import atomic_write_text

        source = {s["id"]: s["source"] for s in stimuli}
        buf = io.StringIO()
        writer = csv.DictWriter(buf, FIELDS, lineterminator="\n")
        writer.writeheader()
        for r in self.rows():
            writer.writerow({**{k: r[k] for k in FIELDS if k in r}, "source": source.get(r["stimulus"], "")})
        return atomic_write_text(path, buf.getvalue())


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
