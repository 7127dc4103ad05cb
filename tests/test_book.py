"""The series as a book (`make book`): built from the executed notebooks as they ran (none is run again) and the
docs/ pages; every page holds its figures and scores as files beside it and its audio inside its player, so the
site opens from disk."""

import base64
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from thesis_lib.core.errors import ThesisError
from thesis_lib.lab import book


class Page(HTMLParser):
    """The images, audio sources and links of one HTML page."""

    def __init__(self, path: Path):
        super().__init__()
        self.images, self.audio, self.links = [], [], []
        self.feed(path.read_text(encoding="utf-8"))

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img":
            self.images.append(a.get("src", ""))
        elif tag == "source" or (tag == "audio" and a.get("src")):
            self.audio.append(a.get("src", ""))
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])


def pictures_and_players(notebook: Path) -> tuple[int, int]:
    """How many images (PNG or SVG) and audio players the executed notebook's outputs hold."""
    images = players = 0
    for cell in json.loads(notebook.read_text())["cells"]:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            images += "image/png" in data or "image/svg+xml" in data
            players += "<audio" in "".join(data.get("text/html", ""))
    return images, players


@pytest.mark.slow
def test_the_book_of_two_chapters_shows_their_figures_and_plays_their_audio_from_disk(first_chapters, tmp_path):
    outputs, _ = first_chapters
    index = book.build("quick", notebooks=outputs / "notebooks", out=tmp_path / "book", only=["02", "03"])
    site = index.parent
    for stem in ("02_theory", "03_encoding"):
        page = Page(site / f"{stem}.html")
        images, players = pictures_and_players(outputs / "notebooks" / f"{stem}.ipynb")
        assert images >= 2 and (players >= 1 or stem != "02_theory"), stem  # 02 shows scores and plays its songs
        shown = [src for src in page.images if not src.startswith("_static/")]  # (the theme's logo aside)
        assert len(shown) >= images, (stem, shown)
        for src in shown:  # each a file of the site, found from the page itself: no server, no network
            assert not src.startswith(("http:", "https:", "//")), src
            assert (site / src).is_file() and (site / src).stat().st_size > 100, src
        assert len(page.audio) >= players, stem
        for src in page.audio:  # the sound is inside the page, a whole WAV file
            assert src.startswith(("data:audio/wav;base64,", "data:audio/x-wav;base64,")), src[:60]
            wav = base64.b64decode(src.split(",", 1)[1])
            assert wav[:4] == b"RIFF" and wav[8:12] == b"WAVE" and len(wav) > 10_000
    home = Page(index)
    for target in ("02_theory.html", "03_encoding.html", "docs/results.html", "docs/tunes.html"):
        assert any(link.split("#")[0].endswith(target) for link in home.links), target
    assert not (site / "01_dataset.html").exists()  # only the chapters asked for
    docs_images = Page(site / "docs" / "scores.html").images  # a docs page's pictures come along too
    assert docs_images and all((site / "docs" / src).is_file() for src in docs_images if not src.startswith("data:"))


def test_the_book_says_what_to_do_when_no_notebook_has_run(tmp_path):
    with pytest.raises(ThesisError, match="make run"):
        book.build("quick", notebooks=tmp_path, out=tmp_path / "book")
