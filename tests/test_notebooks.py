"""Smoke test: the notebook series runs headless with papermill in the quick profile."""

import json
from pathlib import Path

import pytest

from thesis_lib.lab.series import notebook_paths, run_series
from thesis_lib.survey.serve import FORM

# what TensorFlow, XLA and absl print when they start (not errors, but they read like them): never in a cell
STARTUP = ("cuInit", "cuda_", "absl::InitializeLog", "oneDNN custom operations", "TensorFlow binary is optimized",
           "Unable to register cu", "computation placer")


def startup_lines(notebook: Path) -> list[str]:
    """Lines of an executed notebook's outputs that are the backend's start-up chatter."""
    lines = []
    for cell in json.loads(notebook.read_text())["cells"]:
        for out in cell.get("outputs", []):
            text = "".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", ""))
            lines += [ln for ln in text.splitlines() if any(w in ln for w in STARTUP)]
    return lines


def test_notebooks_are_committed_clean_with_a_parameters_cell_and_cells_that_only_call_and_show():
    notebooks = notebook_paths()
    assert [p.name[:2] for p in notebooks] == ["01", "02", "03", "04", "05", "06", "07"]
    assert sorted(notebooks[0].parent.glob("*.ipynb")) == notebooks  # the series and nothing else
    for nb in [*notebooks, FORM]:  # and the survey's participant page, which lives with the survey
        cells = json.loads(nb.read_text())["cells"]
        code = [c for c in cells if c["cell_type"] == "code"]
        assert not any(c.get("outputs") or c.get("execution_count") for c in code)
        assert any("parameters" in c.get("metadata", {}).get("tags", []) for c in cells), nb.name
        for c in code:
            source = "".join(c["source"])
            assert len(source.strip().splitlines()) <= 10 and "def " not in source, (nb.name, source[:80])


@pytest.mark.slow
def test_notebooks_01_to_03_run_in_quick_profile(first_chapters):
    tmp_path, done = first_chapters
    assert [p.name for p in done] == ["01_dataset.ipynb", "02_theory.ipynb", "03_encoding.ipynb"]
    assert not [ln for p in done for ln in startup_lines(p)]
    figures = {p.name for p in (tmp_path / "figures").iterdir()}
    assert {"02_fig5_duration_tree.png", "02_fig6_song.svg", "03_fig7_temperature.png"} <= figures
    assert len(list((tmp_path / "midi").glob("*.mid"))) >= 2
    assert json.loads((tmp_path / "vocab_thesis.json").read_text())[0] == "/"


@pytest.mark.slow
def test_notebook_04_trains_both_modes_and_generates_in_quick_profile(tmp_path, embedded):
    import pandas as pd

    done = run_series("quick", output_dir=tmp_path, only=["04"], progress=False)
    assert [p.name for p in done] == ["04_lstm.ipynb"]
    assert not startup_lines(done[0])
    figures = {p.name for p in (tmp_path / "figures").iterdir()}
    assert {"04_fig10_training_curves.png", "04_modes_loss_vs_seconds.png"} <= figures
    table = pd.read_csv(tmp_path / "04_models.csv", index_col=0)
    assert {"majority class", "LSTM, last-step", "LSTM, every-step"} <= set(table.index)
    assert any(name.endswith("-gram") for name in table.index)
    assert table["nll"].notna().all() and (table["nll"] > 0).all()
    assert list((tmp_path / "midi").glob("04_T0_1.mid")) and list((tmp_path / "audio").glob("04_T1_*.wav"))


@pytest.mark.slow
def test_notebook_05_trains_both_schemes_and_wgan_in_quick_profile(tmp_path, embedded):
    done = run_series("quick", output_dir=tmp_path, only=["05"], progress=False)
    assert [p.name for p in done] == ["05_gan.ipynb"]
    assert not startup_lines(done[0])
    figures = {p.name for p in (tmp_path / "figures").iterdir()}
    assert {"05_collapse.png", "05_fig15_16_dcgan_per_pitch_hold.png", "05_fig15_16_wgan_gp_per_pitch_hold.png",
            "05_gan_1.svg"} <= figures
    assert len(list((tmp_path / "midi").glob("05_gan_*.mid"))) >= 3


@pytest.mark.slow
def test_notebook_06_scores_every_row_and_says_plainly_that_there_are_no_answers(tmp_path, embedded):
    import pandas as pd
    import papermill as pm

    from thesis_lib.lab.series import notebook_paths
    from thesis_lib.survey import stimuli as survey

    nb = next(p for p in notebook_paths() if p.name.startswith("06"))
    target = tmp_path / "notebooks" / nb.name
    target.parent.mkdir(parents=True)
    pm.execute_notebook(str(nb), str(target), cwd=str(nb.parent), progress_bar=False,
                        parameters={"profile": "quick", "output_dir": str(tmp_path), "melodies": 12,
                                    "responses": str(tmp_path / "no_answers.csv")})
    table = pd.read_csv(tmp_path / "06_comparison.csv", index_col=0)
    assert {"held-out real songs", "LSTM, T = 0.5", "LSTM, T = 1.0", "5-gram", "random symbols"} <= set(table.index)
    assert (table["melodies"] == 12).all()
    assert table.loc["held-out real songs", "mean_oa"] > table.loc["random symbols", "mean_oa"]
    text = target.read_text()
    assert not startup_lines(target)
    assert "No answers yet" in text and not (tmp_path / "no_answers.csv").exists()
    assert (tmp_path / "figures" / "06_feature_overlaps.png").exists()
    assert len(list((tmp_path / "audio" / "survey").glob("*.wav"))) == len(survey.load_stimuli())


@pytest.mark.slow
def test_notebook_06_analyses_answers_when_there_are_some(tmp_path, embedded):
    import papermill as pm

    from thesis_lib.lab.series import notebook_paths

    nb = next(p for p in notebook_paths() if p.name.startswith("06"))
    fixture = Path(__file__).parent / "data" / "survey_responses_fixture.csv"
    target = tmp_path / "06.ipynb"
    pm.execute_notebook(str(nb), str(target), cwd=str(nb.parent), progress_bar=False,
                        parameters={"profile": "quick", "output_dir": str(tmp_path), "melodies": 6,
                                    "responses": str(fixture)})
    text = target.read_text()
    assert "12 answers from 3 participants" in text and "Kruskal-Wallis" in text
    assert (tmp_path / "figures" / "06_fig18_survey.png").exists()


@pytest.mark.slow
def test_notebook_07_trains_a_rehearsal_and_shows_tunes_in_the_asked_meter(tmp_path, embedded):
    done = run_series("quick", output_dir=tmp_path, only=["07"], progress=False)
    assert [p.name for p in done] == ["07_tunes.ipynb"] and not startup_lines(done[0])
    figures = {p.name for p in (tmp_path / "figures").iterdir()}
    assert {"07_training.png", "07_tune_1.svg", "07_tune_2.svg", "07_ballad_6_8_minor.svg"} <= figures
    xml = (tmp_path / "midi" / "07_tune_1.musicxml").read_text()
    assert "<beats>6</beats>" in xml and "<mode>minor</mode>" in xml
    assert "K:Amin" in done[0].read_text() and "M:6/8" in done[0].read_text()

