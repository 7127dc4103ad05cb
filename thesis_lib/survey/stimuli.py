"""The listening survey's stimuli (§3.4), beyond the thesis's one melody per source: blind ids, several melodies
per source, all cut to one length and rendered alike, and where the survey's files live.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

import numpy as np

from ..core.config import BPM, REPO, STIMULUS_STEPS
from .store import SurveyError

SURVEY_DIR = REPO / "data" / "survey"
STIMULI = SURVEY_DIR / "stimuli.json"
RESPONSES = SURVEY_DIR / "responses.sqlite"
EXPORT = SURVEY_DIR / "answers.csv"
AUDIO = SURVEY_DIR / "audio"
# a stimulus source -> (the melody source it is drawn from, shown in the analysis as)
SOURCES = {"real": "real", "lstm": "LSTM", "gan": "GAN", "ngram": "n-gram", "gan-improved": "improved GAN"}


# --------------------------------------------------------------------------- stimuli

def make_stimuli(per_source: int = 3, seed: int = 0, steps: int = STIMULUS_STEPS) -> dict:
    """`per_source` melodies from each source (a held-out real song, the shipped LSTM at T = 1, the shipped DCGAN,
    the n-gram, and the improved GAN when it ships), each at least `steps` long and cut to it, under blind ids
    (S01, S02, … in a seeded random order). Returns the stimuli record that `save_stimuli` writes."""
    from ..models.shipped import available
    from ..sources.draw import melodies

    rng = np.random.default_rng(seed)
    chosen = []
    for source, label in SOURCES.items():
        if source == "gan-improved" and not available(source):
            continue
        pool = melodies(source, 200 if source in ("real", "lstm", "ngram") else per_source * 4,
                        temperature=1.0, seed=seed).melodies
        long = [m.symbols for m in pool if m.steps >= steps]
        if len(long) < per_source:
            raise SurveyError(f"only {len(long)} {label} melodies of {steps} steps or more; asked for {per_source}")
        for k in rng.choice(len(long), per_source, replace=False):
            chosen.append({"source": label, "symbols": list(long[k][:steps])})
    order = rng.permutation(len(chosen))
    stimuli = [{"id": f"S{i + 1:02d}", **chosen[k]} for i, k in enumerate(order)]
    return {"seed": seed, "per_source": per_source, "steps": steps, "bpm": BPM,
            "command": f"thesis-music survey stimuli --per-source {per_source} --seed {seed}",
            "made": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "sources": {label: f"sources.melodies({src!r}, temperature=1.0, seed={seed})"
                        for src, label in SOURCES.items() if any(s["source"] == label for s in chosen)},
            "stimuli": sorted(stimuli, key=lambda s: s["id"])}


def save_stimuli(record: dict, path: str | os.PathLike = STIMULI) -> Path:
    """Write the stimuli record atomically."""
    from ..core.files import write_json

    return write_json(path, record)


def load_stimuli(path: str | os.PathLike = STIMULI) -> list[dict]:
    """The fixed stimuli of this survey round: [{"id", "source", "symbols"}]."""
    path = Path(path)
    try:
        stimuli = json.loads(path.read_text(encoding="utf-8"))["stimuli"]
        if not stimuli or not all({"id", "source", "symbols"} <= set(s) for s in stimuli):
            raise KeyError("id/source/symbols")
    except FileNotFoundError:
        raise SurveyError(f"{path}: no stimuli file (make one with `thesis-music survey stimuli`)") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise SurveyError(f"{path}: not a stimuli file ({exc})") from None
    return stimuli


def render_stimuli(stimuli: Sequence[dict], out_dir: str | os.PathLike = AUDIO, bpm: float = BPM) -> tuple[dict, str]:
    """Each stimulus as OUT/ID.wav, same instrument and tempo: ({id: path}, the renderer used, in words)."""
    from ..data.melody import Melody, Origin
    from ..render.audio import render_wav

    out_dir = Path(out_dir)
    paths, renderer = {}, ""
    for s in stimuli:
        paths[s["id"]] = out_dir / f"{s['id']}.wav"
        renderer = render_wav(Melody(tuple(s["symbols"]), Origin("stimulus")).events, paths[s["id"]], bpm)
    return paths, renderer
