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
