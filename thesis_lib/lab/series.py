"""Runs the notebook series headless with papermill: notebooks/NN_*.ipynb -> outputs/<profile>/notebooks/."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

from ..core.config import REPO, get_profile
from ..core.errors import ThesisError


def notebook_paths(root: Path = REPO) -> list[Path]:
    """The numbered notebooks of the series, in order."""
    found = sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if not found:
        raise ThesisError(f"{root / 'notebooks'}: no numbered notebooks here (run from a clone of the repository)")
    return found


def output_dir_for(profile: str) -> Path:
    """outputs/<profile>/ in the repository."""
    return REPO / "outputs" / profile


def run_series(profile: str = "quick", *, corpus: str | None = None, seed: int = 0,
               output_dir: str | os.PathLike | None = None, only: Sequence[str] | None = None,
               kernel_name: str = "python3", progress: bool = True, train_minutes: float | None = None) -> list[Path]:
    """Execute the notebooks with papermill, injecting profile, corpus, seed and output_dir (and `train_minutes`,
    the training notebooks' budget, when given); returns the executed copies."""
    import papermill as pm

    get_profile(profile)  # fail early on a typo
    out = Path(output_dir) if output_dir else output_dir_for(profile)
    out = out.resolve()
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    done = []
    for nb in notebook_paths():
        if only and not any(nb.name.startswith(o) for o in only):
            continue
        target = out / "notebooks" / nb.name
        pm.execute_notebook(str(nb), str(target), kernel_name=kernel_name, cwd=str(nb.parent),
                            progress_bar=progress,
                            parameters={"profile": profile, "corpus": corpus, "seed": seed,
                                        "output_dir": str(out),
                                        **({"train_minutes": train_minutes} if train_minutes else {})})
        done.append(target)
    return done
