"""The survey's answers and their analysis (§3.4, Fig. 18): the exported answers read back with every bad line
reported, and the statistics. Per source, the mean rating with a bootstrap CI that resamples participants *and*
melodies (a result about the model, not about one melody), per-melody means, Kruskal-Wallis across sources, and
Mann-Whitney U for every pair with Holm's correction. With no answers it says so and invents nothing.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from .stimuli import EXPORT, RESPONSES, SOURCES, STIMULI, load_stimuli
from .store import FIELDS, SurveyError


def load_responses(path: str | os.PathLike = EXPORT) -> tuple["object", list[str]]:
    """The exported answers (CSV of `survey_store.FIELDS`) as a DataFrame, and the problems found: a bad line is
    reported with its line number and left out, never dropped silently. One row per participant and stimulus
    (the store allows no other; an old hand-made file keeps its last answer)."""
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
            try:
                rating = int(row["rating"])
                if not 0 <= rating <= 10 or not row["participant"] or not row["source"]:
                    raise ValueError
            except (TypeError, ValueError):
                problems.append(f"{path}:{reader.line_num}: skipped: not a valid answer ({dict(row)})")
                continue
            rows.append({**row, "rating": rating})
    df = pd.DataFrame(rows, columns=list(FIELDS))
    return df.drop_duplicates(["participant", "stimulus"], keep="last").reset_index(drop=True), problems


def status_line(df, problems: Sequence[str], path: str | os.PathLike = EXPORT) -> str:
    """One plain sentence on what the answers hold."""
    if len(df) == 0:
        return (f"No answers yet in {path}: the survey has not been run, so there are no ratings to analyse. "
                "Nothing is invented; the survey page collects real answers.")
    extra = f" ({len(problems)} bad lines left out)" if problems else ""
    return (f"{len(df)} answers from {df['participant'].nunique()} participants to {df['stimulus'].nunique()} "
            f"stimuli in {path}{extra}.")


# --------------------------------------------------------------------------- analysis

def crossed_bootstrap(participants: Sequence, stimuli: Sequence, ratings: Sequence[float], n: int = 4000,
                      level: float = 0.95, seed: int = 0) -> tuple[float, float, float]:
    """(mean, low, high): a percentile bootstrap CI of the mean rating that resamples participants and stimuli
    independently (a two-way random-effects design; `scipy.stats.bootstrap` resamples one unit only)."""
    p_codes, p_idx = np.unique(np.asarray(participants), return_inverse=True)
    s_codes, s_idx = np.unique(np.asarray(stimuli), return_inverse=True)
    r = np.asarray(ratings, float)
    if len(r) == 0:
        return (float("nan"),) * 3
    rng = np.random.default_rng(seed)
    wp = rng.multinomial(len(p_codes), np.full(len(p_codes), 1 / len(p_codes)), n)
    ws = rng.multinomial(len(s_codes), np.full(len(s_codes), 1 / len(s_codes)), n)
    w = wp[:, p_idx] * ws[:, s_idx]
    total = w.sum(1)
    means = (w @ r)[total > 0] / total[total > 0]
    lo, hi = np.percentile(means, [(1 - level) / 2 * 100, (1 + level) / 2 * 100])
    return float(r.mean()), float(lo), float(hi)


def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values (same order as given)."""
    p = np.asarray(pvalues, float)
    adj, running = np.empty_like(p), 0.0
    for rank, k in enumerate(np.argsort(p)):
        running = max(running, min(1.0, (len(p) - rank) * p[k]))
        adj[k] = running
    return adj.tolist()


@dataclass
class Analysis:
    """The survey's statistics: per source, per melody, the omnibus and pairwise tests, the raters."""

    answers: int
    participants: int
    stimuli: int
    per_source: "object"        # DataFrame: raters, stimuli, answers, mean, ci_low, ci_high, median, sd
    per_melody: "object"        # DataFrame: stimulus, source, raters, mean, sd
    kruskal: dict | None        # {"H", "p"} (None with fewer than two sources of answers)
    pairwise: "object"          # DataFrame: a, b, U, p, p_holm
    raters: "object"            # DataFrame per participant: answers, mean, sd
    rater_spread: float         # SD of the participants' mean ratings


def analyse(df, seed: int = 0) -> Analysis:
    """Statistics of the answers (a frame from `load_responses`)."""
    import pandas as pd
    from scipy import stats

    order = [s for s in (*SOURCES.values(), *sorted(set(df["source"]) - set(SOURCES.values())))
             if (df["source"] == s).any()]
    groups = {s: df.loc[df["source"] == s, "rating"].astype(float).to_numpy() for s in order}
    rows = {}
    for s in order:
        part = df[df["source"] == s]
        mean, lo, hi = crossed_bootstrap(part["participant"], part["stimulus"], part["rating"], seed=seed)
        g = groups[s]
        rows[s] = {"raters": part["participant"].nunique(), "stimuli": part["stimulus"].nunique(), "answers": len(g),
                   "mean": mean, "ci_low": lo, "ci_high": hi, "median": float(np.median(g)),
                   "sd": float(g.std(ddof=1)) if len(g) > 1 else float("nan")}
    per_melody = (df.groupby(["stimulus", "source"])["rating"].agg(raters="count", mean="mean", sd="std")
                  .reset_index().sort_values(["source", "stimulus"]))
    kruskal = None
    if len(groups) >= 2 and len({v for g in groups.values() for v in g}) > 1:
        h, p = stats.kruskal(*groups.values())
        kruskal = {"H": float(h), "p": float(p)}
    pairs = [(a, b) for i, a in enumerate(order) for b in order[i + 1:]]
    tests = [stats.mannwhitneyu(groups[a], groups[b], alternative="two-sided") for a, b in pairs]
    pairwise = pd.DataFrame({"a": [a for a, _ in pairs], "b": [b for _, b in pairs],
                             "U": [float(t.statistic) for t in tests], "p": [float(t.pvalue) for t in tests]})
    pairwise["p_holm"] = holm(pairwise["p"]) if len(pairwise) else []
    raters = df.groupby("participant")["rating"].agg(answers="count", mean="mean", sd="std")
    return Analysis(len(df), df["participant"].nunique(), df["stimulus"].nunique(), pd.DataFrame(rows).T, per_melody,
                    kruskal, pairwise, raters, float(raters["mean"].std(ddof=1)) if len(raters) > 1 else float("nan"))


def report(result: Analysis) -> str:
    """The analysis in plain words, with how many raters and stimuli each figure rests on."""
    lines = [f"{result.answers} answers from {result.participants} participants to {result.stimuli} stimuli."]
    for source, r in result.per_source.iterrows():
        lines.append(f"{source}: mean {r['mean']:.2f} (95% CI {r['ci_low']:.2f}-{r['ci_high']:.2f}, resampling "
                     f"{int(r['raters'])} raters and {int(r['stimuli'])} melodies; {int(r['answers'])} answers)")
    if result.kruskal:
        lines.append(f"Kruskal-Wallis across sources: H = {result.kruskal['H']:.2f}, p = {result.kruskal['p']:.3g}")
    for _, r in result.pairwise.iterrows():
        lines.append(f"{r['a']} vs {r['b']}: Mann-Whitney U = {r['U']:.1f}, p = {r['p']:.3g}, Holm {r['p_holm']:.3g}")
    return "\n".join(lines)


def read_answers(responses: str | os.PathLike = RESPONSES, stimuli: str | os.PathLike = STIMULI,
                 export: str | os.PathLike = EXPORT) -> tuple["object", list[str], Path]:
    """The answers for the analysis: from the answers database (exported to `export` first) or from a CSV given
    directly; (frame, problems, the CSV read). A database that does not exist yet means no answers (and is not
    created here)."""
    import pandas as pd

    from .store import AnswerStore

    path = Path(responses)
    if path.suffix == ".csv":
        return (*load_responses(path), path)
    if not path.exists():
        return pd.DataFrame(columns=list(FIELDS)), [], path
    listed = load_stimuli(stimuli)
    AnswerStore(path, [s["id"] for s in listed]).export(export, listed)
    return (*load_responses(export), Path(export))
