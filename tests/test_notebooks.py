"""Smoke test: the notebook series runs headless with papermill in the quick profile."""

import json

import pytest

from thesis_lib.series import notebook_paths, run_series


def test_notebooks_are_committed_clean_with_a_parameters_cell():
    for nb in notebook_paths():
        cells = json.loads(nb.read_text())["cells"]
        assert not any(c.get("outputs") or c.get("execution_count") for c in cells if c["cell_type"] == "code")
        assert any("parameters" in c.get("metadata", {}).get("tags", []) for c in cells), nb.name


@pytest.mark.slow
def test_notebooks_01_to_03_run_in_quick_profile(tmp_path, embedded):
    done = run_series("quick", output_dir=tmp_path, only=["01", "02", "03"], progress=False)
    assert [p.name for p in done] == ["01_dataset.ipynb", "02_theory.ipynb", "03_encoding.ipynb"]
    figures = {p.name for p in (tmp_path / "figures").iterdir()}
    assert {"02_fig5_duration_tree.png", "02_fig6_song.svg", "03_fig7_temperature.png"} <= figures
    assert len(list((tmp_path / "midi").glob("*.mid"))) >= 2
    assert json.loads((tmp_path / "vocab_thesis.json").read_text())[0] == "/"


@pytest.mark.slow
def test_notebook_04_trains_both_modes_and_generates_in_quick_profile(tmp_path, embedded):
    import pandas as pd

    done = run_series("quick", output_dir=tmp_path, only=["04"], progress=False)
    assert [p.name for p in done] == ["04_lstm.ipynb"]
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
    figures = {p.name for p in (tmp_path / "figures").iterdir()}
    assert {"05_collapse.png", "05_fig15_16_dcgan_per_pitch_hold.png", "05_fig15_16_wgan_gp_per_pitch_hold.png",
            "05_gan_1.svg"} <= figures
    assert len(list((tmp_path / "midi").glob("05_gan_*.mid"))) >= 3
