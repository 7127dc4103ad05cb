"""Remakes the pictures the README and docs/ show: two minor 6/8 tunes of the shipped whole-tune model (SVG, ABC and
MIDI) and 07's ablation figure (from thesis_lib/pretrained/tunes_ablation.json); two LSTM melodies engraved by
verovio (SVG, with their MIDI); and a screenshot of the survey page as a participant sees it, after choosing a
rating.

Run from the repository root: .venv/bin/python data/examples/make_examples.py
The screenshot needs Debian's Chromium (apt-get install chromium) and the `test` extra (Playwright); it serves
the committed stimuli with a throw-away answers file, so no answer reaches data/survey/.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLI = [sys.executable, "-m", "thesis_lib.cli"]


def scores() -> None:
    for meter in ("3/4", "4/4"):
        out = HERE / meter.replace("/", "_")
        shutil.rmtree(out, ignore_errors=True)
        subprocess.run(CLI + ["generate", "--meter", meter, "-n", "1", "--seed", "11", "--formats", "svg,mid",
                              "--out", str(out)], check=True)


def tunes() -> None:
    out = HERE / "tunes_6_8"
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run(CLI + ["generate", "--model", "tunes", "--meter", "6/8", "--mode", "minor", "-n", "2", "--seed", "0",
                          "--formats", "abc,svg,mid", "--out", str(out)], check=True)


def ablation_figure() -> None:
    import pandas as pd

    from thesis_lib.core import files
    from thesis_lib.core.config import PRETRAINED
    from thesis_lib.render import plots

    record = files.read_json(PRETRAINED / "tunes_ablation.json", {})
    table = pd.DataFrame({**{f"arm: {a}": r for a, r in record["arms"].items()}, **record["references"]}).T
    columns = ["nll", "pitch_bits", "repetition_near", "repetition_far", "median_steps", "ends_tonic"]
    plots.save(plots.ablation(table[columns].astype(float),
                              title=f"Which inputs help the whole-tune model ({record['epochs']} epochs each, "
                                    f"{record['tunes']} tunes of each at T = 1)"), HERE / "tunes_ablation.png")


def survey_page() -> None:
    from playwright.sync_api import expect, sync_playwright

    from thesis_lib.survey.serve import free_port, wait_until_serving

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        sys.exit("no Chromium: apt-get install chromium")
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        server = subprocess.Popen(CLI + ["survey", "serve", "--port", str(port), "--responses",
                                         str(Path(tmp) / "answers.sqlite")],
                                  env={**os.environ, "THESIS_SURVEY_AUDIO": str(Path(tmp) / "audio")})
        try:
            if not wait_until_serving(port):
                sys.exit("the survey page did not come up in two minutes")
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
                page = browser.new_page(viewport={"width": 900, "height": 620})
                page.goto(f"http://127.0.0.1:{port}/")
                page.wait_for_selector("text=Start", timeout=120_000)
                page.get_by_placeholder("e.g. p07").fill("p07")
                page.get_by_role("button", name="Start").click()
                page.wait_for_selector("text=/Melody 1 of/")
                page.locator("label:has(input[name=rating][value='3'])").click()
                page.get_by_role("button", name="Save and next").click()  # sent in the page (its script)
                page.wait_for_selector("text=/Melody 2 of/")
                page.locator("label:has(input[name=rating][value='7'])").click()
                expect(page.locator("input[name=rating][value='7']")).to_be_checked()
                page.screenshot(path=str(HERE / "survey_page.png"), full_page=True)
                browser.close()
        finally:
            server.terminate()
            server.wait(30)


if __name__ == "__main__":
    tunes()
    ablation_figure()
    scores()
    survey_page()
    print(f"wrote {HERE}/tunes_6_8, {HERE}/tunes_ablation.png, {HERE}/3_4, {HERE}/4_4 and {HERE}/survey_page.png")
