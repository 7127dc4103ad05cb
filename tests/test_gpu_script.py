"""The device script in its tiny mode: the same commands a GPU run takes, on this CPU, on Keras's JAX backend (what
the lent GPU machines have) when jax is installed."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "gpu_full.sh"


@pytest.mark.slow
def test_gpu_script_tiny_mode_trains_both_models_and_reports_seconds_per_epoch(tmp_path, embedded):
    pytest.importorskip("jax", reason="jax is not installed (pip install -e .[jax])")
    run = subprocess.run(["bash", str(SCRIPT), "--tiny"], capture_output=True, text=True, timeout=900,
                         env={**os.environ, "OUT": str(tmp_path), "PYTHON": sys.executable, "LIMIT_S": "400"})
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads((tmp_path / "gpu_report.json").read_text())
    for model in ("lstm", "gan"):
        r = report["models"][model]
        assert r["epochs_run"] == 2 and r["seconds_per_epoch"] > 0 and r["full_schedule_minutes"] > 0
    assert report["models"]["lstm"]["kept_epoch"] in (1, 2) and report["models"]["lstm"]["pitch_bits"] > 0
    assert (tmp_path / "lstm" / "lstm.keras").exists() and (tmp_path / "gan" / "gan_generator.keras").exists()
    assert report["wall_seconds"] < 400 and "s/epoch" in run.stdout and report["machine"]["backend"] == "jax"


def test_gpu_script_stops_with_a_clear_line_where_keras_is_missing(tmp_path):
    bare = tmp_path / "python"  # a Python without Keras, as on the device image before the wheels are carried
    bare.write_text("#!/bin/sh\ncase \"$2\" in *music21*) exit 0;; esac\n"
                    "echo \"ModuleNotFoundError: No module named 'keras'\" >&2\nexit 1\n")
    bare.chmod(0o755)
    run = subprocess.run(["bash", str(SCRIPT), "--tiny"], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "OUT": str(tmp_path / "out"), "PYTHON": str(bare)})
    assert run.returncode == 3 and "cannot run Keras on jax" in run.stderr and not (tmp_path / "out" / "lstm").exists()
    assert "No module named 'keras'" in (tmp_path / "out" / "setup.log").read_text()
