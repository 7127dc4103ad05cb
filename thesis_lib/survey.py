"""The listening survey (§3.4, Fig. 18): blind stimuli, an ipywidgets form, an append-only answer store and
its analysis (bootstrap CIs, Kruskal–Wallis, pairwise Mann–Whitney U with Holm's correction, rater spread).

Answers are never invented: with no answers the analysis says so. Each answer is one CSV line appended under
an exclusive lock with a single write, so two participants answering at once lose nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

import numpy as np

from .errors import ThesisError

SURVEY_DIR = Path(__file__).resolve().parents[1] / "data" / "survey"
RESPONSES = SURVEY_DIR / "responses.csv"
STIMULI = SURVEY_DIR / "stimuli.json"
FIELDS = ("time", "participant", "stimulus", "source", "position", "rating", "comment")
SOURCES = ("real", "LSTM", "GAN", "n-gram")
STIMULUS_STEPS = 64   # the GAN's length: every stimulus is cut to it, so length does not give the source away
BPM = 100             # one tempo and one instrument for all stimuli
MAX_COMMENT = 500


class SurveyError(ThesisError):
    """An answer that cannot be stored, or a responses file that cannot be read; says which and why."""


# --------------------------------------------------------------------------- stimuli

def make_stimuli(seed: int = 0, steps: int = STIMULUS_STEPS) -> list[dict]:
    """One melody per source, cut to `steps`, under blind ids (letters in a seeded order): a held-out real song,
    the shipped LSTM at T = 1, the shipped DCGAN, and the n-gram. Each is {"id", "source", "symbols"}."""
    from . import gan, lstm
    from .encoding import encode_events
    from .evaluation import embedded_split, ngram_melodies

    rng = np.random.default_rng(seed)
    train, held = embedded_split()
    long_held = [m for m in held if sum(n for _, n in m) >= steps]
    model, vocab, _ = lstm.load_pretrained()
    pools = {
        "real": [encode_events(long_held[int(rng.integers(len(long_held)))])],
        "LSTM": lstm.Generator(model, vocab).generate(16, temperature=1.0, seed=seed),
        "GAN": gan.generate(*gan.load_pretrained()[:2], 1, temperature=1.0, seed=seed)[0],
        "n-gram": ngram_melodies(train, 16, seed=seed),
    }
    letters = [chr(ord("A") + k) for k in rng.permutation(len(SOURCES))]
    stimuli = []
    for letter, source in zip(letters, SOURCES):
        # the first melody of the pool that is long enough (the LSTM and n-gram sometimes end early)
        mel = next((m for m in pools[source] if len([s for s in m if s != "/"]) >= steps), pools[source][0])
        stimuli.append({"id": letter, "source": source, "symbols": [s for s in mel if s != "/"][:steps]})
    return sorted(stimuli, key=lambda s: s["id"])


def save_stimuli(stimuli: Sequence[dict], path: str | os.PathLike = STIMULI) -> Path:
    """Write the stimuli JSON atomically (temp file + rename)."""
    from .corpus import atomic_write_text

    path = Path(path)
    atomic_write_text(path, json.dumps({"bpm": BPM, "steps": STIMULUS_STEPS, "stimuli": list(stimuli)}, indent=1)
                      + "\n")
    return path


def load_stimuli(path: str | os.PathLike = STIMULI) -> list[dict]:
    """The fixed stimuli of this survey round (data/survey/stimuli.json)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        stimuli = data["stimuli"]
        if not all({"id", "source", "symbols"} <= set(s) for s in stimuli):
            raise KeyError("id/source/symbols")
    except FileNotFoundError:
        raise SurveyError(f"{path}: no stimuli file (make one with survey.save_stimuli(survey.make_stimuli()))") \
            from None
    except (ValueError, KeyError, TypeError) as exc:
        raise SurveyError(f"{path}: not a stimuli file ({exc})") from None
    return stimuli


def render_stimuli(stimuli: Sequence[dict], out_dir: str | os.PathLike, bpm: float = BPM) -> tuple[dict, str]:
    """Each stimulus as OUT/ID.wav, same instrument and tempo: ({id: path}, the renderer used, in words)."""
    from .encoding import decode_symbols
    from .render import render_wav

    out_dir = Path(out_dir)
    paths, renderer = {}, ""
    for s in stimuli:
        paths[s["id"]] = out_dir / f"{s['id']}.wav"
        renderer = render_wav(decode_symbols(s["symbols"]), paths[s["id"]], bpm)
    return paths, renderer


def participant_order(participant: str, ids: Sequence[str]) -> list[str]:
    """The stimuli in a random order of this participant's own (stable: a hash of the id seeds it)."""
    seed = int.from_bytes(hashlib.sha256(participant.strip().encode("utf-8")).digest()[:8], "little")
    return [ids[k] for k in np.random.default_rng(seed).permutation(len(ids))]


# --------------------------------------------------------------------------- the answer store

def validate_participant(participant: str) -> str:
    """The participant id, stripped, or SurveyError: 1-64 characters, no commas, tabs or line breaks."""
    participant = (participant or "").strip()
    if not participant or len(participant) > 64 or any(c in participant for c in "\r\n\t,"):
        raise SurveyError(f"participant id {participant!r}: give 1-64 characters, no commas, tabs or line breaks")
    return participant


def validate_answer(participant: str, stimulus: str, rating, comment: str, stimuli: Sequence[dict],
                    position: int = 0) -> dict:
    """One answer as a row of FIELDS, or SurveyError naming what is wrong."""
    participant = validate_participant(participant)
    by_id = {s["id"]: s for s in stimuli}
    if stimulus not in by_id:
        raise SurveyError(f"stimulus {stimulus!r} is not one of {', '.join(sorted(by_id))}")
    if isinstance(rating, bool) or not isinstance(rating, (int, np.integer)) or not 0 <= rating <= 10:
        raise SurveyError(f"rating {rating!r}: a whole number from 0 (made by a computer) to 10 (made by a human)")
    comment = " ".join((comment or "").split())[:MAX_COMMENT]  # one line, bounded
    return {"time": datetime.now(timezone.utc).isoformat(timespec="seconds"), "participant": participant,
            "stimulus": stimulus, "source": by_id[stimulus]["source"], "position": int(position),
            "rating": int(rating), "comment": comment}


def append_answer(row: dict, path: str | os.PathLike = RESPONSES) -> Path:
    """Append one answer as one CSV line: exclusive lock, one write, fsync; the header goes first in a new file.
    Never rewrites the file, so nothing already there can be lost."""
    import fcntl

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    csv.DictWriter(buf, FIELDS, lineterminator="\n").writerow(row)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        data = buf.getvalue()
        if os.fstat(fd).st_size == 0:
            data = ",".join(FIELDS) + "\n" + data
        os.write(fd, data.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)  # closing releases the lock
    return path


def load_responses(path: str | os.PathLike = RESPONSES) -> tuple["object", list[str]]:
    """The answers as a DataFrame (the last answer per participant and stimulus counts) and the problems found
    (bad lines are reported with their line number and left out, never dropped silently)."""
    import pandas as pd

    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        return pd.DataFrame(columns=list(FIELDS)), []
    problems, rows = [], []
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != FIELDS:
            raise SurveyError(f"{path}: header is {reader.fieldnames}, expected {list(FIELDS)}")
        for row in reader:
            line = reader.line_num
            try:
                rating = int(row["rating"])
                if not 0 <= rating <= 10 or not row["participant"] or row["source"] not in SOURCES:
                    raise ValueError
            except (TypeError, ValueError):
                problems.append(f"{path}:{line}: skipped: not a valid answer ({dict(row)})")
                continue
            rows.append({**row, "rating": rating, "line": line})
    df = pd.DataFrame(rows, columns=[*FIELDS, "line"])
    df = df.drop_duplicates(["participant", "stimulus"], keep="last").reset_index(drop=True)
    return df, problems


# --------------------------------------------------------------------------- analysis

def bootstrap_ci(values: Sequence[float], n: int = 10_000, level: float = 0.95, seed: int = 0) -> tuple:
    """(mean, low, high): the percentile bootstrap CI of the mean."""
    x = np.asarray(values, float)
    if len(x) == 0:
        return (float("nan"),) * 3
    means = np.random.default_rng(seed).choice(x, (n, len(x)), replace=True).mean(1)
    lo, hi = np.percentile(means, [(1 - level) / 2 * 100, (1 + level) / 2 * 100])
    return float(x.mean()), float(lo), float(hi)


def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm–Bonferroni adjusted p-values (same order as given)."""
    p = np.asarray(pvalues, float)
    order = np.argsort(p)
    adj = np.empty_like(p)
    running = 0.0
    for rank, k in enumerate(order):
        running = max(running, min(1.0, (len(p) - rank) * p[k]))
        adj[k] = running
    return adj.tolist()


@dataclass
class Analysis:
    """The survey's statistics: per-source table, omnibus and pairwise tests, rater spread."""

    answers: int
    participants: int
    per_source: "object"        # DataFrame: n, mean, ci_low, ci_high, median, sd
    kruskal: dict | None        # {"H", "p"} (None with fewer than two sources of answers)
    pairwise: "object"          # DataFrame: a, b, U, p, p_holm
    raters: "object"            # DataFrame per participant: answers, mean, sd
    rater_spread: float         # SD of the participants' mean ratings


def analyse(df, seed: int = 0) -> Analysis:
    """Statistics of the answers (a frame from `load_responses`)."""
    import pandas as pd
    from scipy import stats

    groups = {s: df.loc[df["source"] == s, "rating"].astype(float).to_numpy() for s in SOURCES}
    groups = {s: g for s, g in groups.items() if len(g)}
    rows = {}
    for s, g in groups.items():
        mean, lo, hi = bootstrap_ci(g, seed=seed)
        rows[s] = {"n": len(g), "mean": mean, "ci_low": lo, "ci_high": hi, "median": float(np.median(g)),
                   "sd": float(g.std(ddof=1)) if len(g) > 1 else float("nan")}
    per_source = pd.DataFrame(rows).T
    kruskal = None
    if len(groups) >= 2 and len({v for g in groups.values() for v in g}) > 1:
        h, p = stats.kruskal(*groups.values())
        kruskal = {"H": float(h), "p": float(p)}
    pairs = [(a, b) for i, a in enumerate(groups) for b in list(groups)[i + 1:]]
    tests = [stats.mannwhitneyu(groups[a], groups[b], alternative="two-sided") for a, b in pairs]
    pairwise = pd.DataFrame({"a": [a for a, _ in pairs], "b": [b for _, b in pairs],
                             "U": [float(t.statistic) for t in tests], "p": [float(t.pvalue) for t in tests]})
    pairwise["p_holm"] = holm(pairwise["p"]) if len(pairwise) else []
    raters = df.groupby("participant")["rating"].agg(answers="count", mean="mean", sd="std")
    return Analysis(len(df), df["participant"].nunique(), per_source, kruskal, pairwise, raters,
                    float(raters["mean"].std(ddof=1)) if len(raters) > 1 else float("nan"))


def status_line(df, problems: Sequence[str], path: str | os.PathLike = RESPONSES) -> str:
    """One plain sentence on what the answer file holds."""
    if len(df) == 0:
        return (f"No answers yet in {path}: the survey has not been run, so there are no ratings to analyse. "
                "Nothing is invented; the survey form collects real answers.")
    extra = f" ({len(problems)} bad lines left out)" if problems else ""
    return f"{len(df)} answers from {df['participant'].nunique()} participants in {path}{extra}."


# --------------------------------------------------------------------------- the form

class SurveyForm:
    """The blind listening form for JupyterLab: a participant id, then each stimulus in that participant's own
    order with an audio player, a 0-10 slider and an optional comment; every answer is stored at once."""

    def __init__(self, stimuli: Sequence[dict], wav_paths: dict, responses: str | os.PathLike = RESPONSES):
        import ipywidgets as w

        self.stimuli, self.wav_paths, self.responses = list(stimuli), dict(wav_paths), Path(responses)
        self.order: list[str] = []
        self.index = 0
        self.participant = w.Text(description="Your id", placeholder="e.g. p07")
        self.start_button = w.Button(description="Start", button_style="primary")
        self.heading = w.HTML()
        self.audio = w.Audio(format="wav", autoplay=False, loop=False)
        self.rating = w.IntSlider(value=5, min=0, max=10, step=1, continuous_update=False,
                                  description="Rating", style={"description_width": "initial"})
        self.comment = w.Textarea(placeholder="optional comment", layout=w.Layout(width="60%"))
        self.save_button = w.Button(description="Save and next", button_style="success")
        self.message = w.HTML()
        self.question = w.VBox([self.heading, self.audio,
                                w.HTML("<b>Was this melody made by a human or by a computer?</b> "
                                       "0 = surely by a computer, 10 = surely by a human."),
                                self.rating, self.comment, self.save_button],
                               layout=w.Layout(display="none"))
        self.start_button.on_click(self.start)
        self.save_button.on_click(self.save)
        self.widget = w.VBox([w.HBox([self.participant, self.start_button]), self.question, self.message])

    def _say(self, text: str, error: bool = False) -> None:
        import html

        self.message.value = f"<span style='color:{'#b00' if error else '#060'}'>{html.escape(text)}</span>"

    def start(self, _=None) -> None:
        """Begin (or resume from the first stimulus) for the id typed in."""
        try:
            pid = validate_participant(self.participant.value)
        except SurveyError as exc:
            self._say(str(exc), error=True)
            return
        self.order, self.index = participant_order(pid, [s["id"] for s in self.stimuli]), 0
        self.participant.disabled = self.start_button.disabled = True
        self.question.layout.display = ""
        self._show()

    def _show(self) -> None:
        sid = self.order[self.index]
        self.heading.value = f"<h4>Melody {self.index + 1} of {len(self.order)}</h4>"
        self.audio.value = Path(self.wav_paths[sid]).read_bytes()
        self.rating.value, self.comment.value = 5, ""
        self._say("")

    def save(self, _=None) -> None:
        """Validate and append the current answer, then move on (or thank the participant at the end)."""
        sid = self.order[self.index]
        try:
            row = validate_answer(self.participant.value, sid, int(self.rating.value), self.comment.value,
                                  self.stimuli, position=self.index + 1)
            append_answer(row, self.responses)
        except (SurveyError, OSError) as exc:
            self._say(f"not saved: {exc}", error=True)
            return
        self.index += 1
        if self.index < len(self.order):
            self._show()
            self._say(f"saved answer {self.index} of {len(self.order)}")
        else:
            self.question.layout.display = "none"
            self._say(f"Thank you: all {len(self.order)} answers are saved in {self.responses}.")
