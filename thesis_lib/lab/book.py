"""The series as a book (`make book`): the executed notebooks of a profile (`outputs/<profile>/notebooks/`, as
`make run` left them: nothing is run again) and the `docs/` pages, built by Jupyter Book 1.x (Sphinx, no Node)
into a static HTML site whose pages show the figures and scores and play the audio from the folder itself: the
images are files beside the pages and each audio player holds its sound, so `index.html` opens from disk.

Order of use: `build(profile)` → `outputs/<profile>/book/_build/html/index.html`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Sequence

from ..core.config import REPO
from ..core.errors import ThesisError

DOCS = REPO / "docs"
CONFIG = """title: "Folk melodies from the Essen ballads"
author: "thesis-music"
copyright: ""
only_build_toc_files: true
execute:
  execute_notebooks: "off"
html:
  use_repository_button: false
  use_issues_button: false
  use_edit_page_button: false
  home_page_in_navbar: true
launch_buttons:
  notebook_interface: ""
  binderhub_url: ""
  thebe: false
sphinx:
  config:
    nb_merge_streams: true
    html_show_sourcelink: false
    suppress_warnings: ["mystnb.unknown_mime_type", "myst.header", "myst.xref_missing"]
"""


def chapters(notebooks: Path, only: Sequence[str] | None = None) -> list[Path]:
    """The executed copies of the numbered notebooks in a folder, in order (a chapter not run yet is left out)."""
    found = sorted(notebooks.glob("[0-9][0-9]_*.ipynb"))
    return [p for p in found if not only or any(p.name.startswith(o) for o in only)]


def _clean(notebook: Path, target: Path) -> None:
    """Copy an executed notebook for the book: the papermill error banner cells and the injected-parameters cell
    are dropped (a reader needs the values, not the mechanism); outputs stay as they were."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    nb["cells"] = [c for c in nb["cells"] if "injected-parameters" not in c.get("metadata", {}).get("tags", [])
                   and "papermill-error-cell-tag" not in c.get("metadata", {}).get("tags", [])]
    target.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")


def build(profile: str = "quick", *, notebooks: str | os.PathLike | None = None, out: str | os.PathLike | None = None,
          only: Sequence[str] | None = None, docs: str | os.PathLike = DOCS) -> Path:
    """Build the book of a profile's executed notebooks and the docs pages; returns its index.html.

    notebooks: the folder of executed copies (default outputs/<profile>/notebooks/); out: where the book goes
    (default outputs/<profile>/book/); only: notebook prefixes. ThesisError when there is nothing to build."""
    from .series import output_dir_for

    notebooks = Path(notebooks) if notebooks else output_dir_for(profile) / "notebooks"
    out = Path(out) if out else output_dir_for(profile) / "book"
    found = chapters(notebooks, only)
    if not found:
        raise ThesisError(f"{notebooks}: no executed notebooks here (run `make run` first: the book shows the "
                          "notebooks as they ran, it runs none)")
    exe = shutil.which("jupyter-book", path=str(Path(sys.executable).parent)) or shutil.which("jupyter-book")
    if exe is None:
        raise ThesisError("jupyter-book is not installed (pip install -e '.[book]', or `make book`)")
    src = out / "source"
    shutil.rmtree(src, ignore_errors=True)
    (src / "docs").mkdir(parents=True)
    for nb in found:
        _clean(nb, src / nb.name)
    pages = sorted(p for p in Path(docs).glob("*.md") if p.name != "index.md")
    for page in Path(docs).glob("*"):
        if page.is_file():
            shutil.copy(page, src / "docs" / page.name)
    examples = REPO / "data" / "examples"  # the docs pages' scores and screenshots (`../data/examples/...`)
    if examples.is_dir():
        shutil.copytree(examples, src / "data" / "examples", ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    intro = Path(docs) / "index.md"
    shutil.copy(intro, src / "index.md") if intro.exists() else (src / "index.md").write_text("# thesis-music\n")
    (src / "_config.yml").write_text(CONFIG, encoding="utf-8")
    toc = ["format: jb-book", "root: index", "parts:", "  - caption: The thesis, chapter by chapter", "    chapters:"]
    toc += [f"      - file: {nb.stem}" for nb in found]
    if pages:
        toc += ["  - caption: Results, benchmarks and how-tos", "    chapters:"]
        toc += [f"      - file: docs/{p.stem}" for p in pages]
    (src / "_toc.yml").write_text("\n".join(toc) + "\n", encoding="utf-8")
    run = subprocess.run([exe, "build", str(src), "--path-output", str(out), "--builder", "html"],
                         capture_output=True, text=True)
    index = out / "_build" / "html" / "index.html"
    if run.returncode != 0 or not index.exists():
        raise ThesisError(f"jupyter-book failed (exit {run.returncode}): {(run.stderr or run.stdout)[-1500:]}")
    return index
