"""Prepare what a GPU machine lacks for `benchmarks/gpu_full.sh`, here, where PyPI is reachable: the lent machines have
JAX (CUDA), numpy, scipy, pandas, matplotlib, h5py and more, but no Keras and no TensorFlow, no music21, and
nothing can be installed there from the network; a call may carry 64 MiB.

Writes `.carry/` (ignored by git; name it in the device call's `carry`):
  .carry/wheels/       Keras and its few pure-Python needs, rapidfuzz (the diagnostics' edit distances), for
                       CPython 3.12 on x86-64 (the machine's Python), minus what the machine already has;
                       with --notebooks also papermill, music21, verovio, ipykernel and theirs (04 and 05 in full);
  .carry/ballads.corpus.json   the embedded ballads parsed here (`thesis-music encode --export`): the same songs, so
                       the same split by song, without music21 there.

Run: .venv/bin/python benchmarks/gpu_prepare.py [--notebooks]
"""

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CARRY = ROOT / ".carry"
TRAIN = ["keras=={keras}", "rapidfuzz"]
NOTEBOOKS = ["papermill", "music21", "verovio", "ipykernel", "ipywidgets"]
# what the GPU machines' image holds already (the device tool's KINDS.md, 2026-11-17): never carried
DEVICE_HAS = set("""absl-py attrs certifi charset-normalizer click cloudpickle contourpy cycler filelock fonttools
fsspec h5py idna jax jaxlib jinja2 joblib kiwisolver markdown markdown-it-py markupsafe matplotlib mdurl ml-dtypes
msgpack numpy packaging pandas pillow pip protobuf psutil pygments pyparsing python-dateutil pyyaml requests rich
scikit-learn scipy setuptools six sympy threadpoolctl tqdm typing-extensions urllib3 wheel wrapt pytz tzdata
pytest pluggy iniconfig""".split())
OPTIONAL = {"debugpy", "jedi"}   # ipykernel and IPython run without them (no debugger, no jedi completion): 10 MiB
PLATFORMS = ["manylinux_2_28_x86_64", "manylinux_2_27_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64",
             "manylinux1_x86_64", "any"]


def project(wheel: Path) -> str:
    """A wheel's project name, normalised (`Jinja2-3.1.wheel` -> `jinja2`)."""
    return re.sub(r"[-_.]+", "-", wheel.name.split("-")[0]).lower()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--notebooks", action="store_true", help="also what papermill needs to run 04 and 05 there")
    args = ap.parse_args()
    from importlib.metadata import version

    wheels = CARRY / "wheels"
    shutil.rmtree(wheels, ignore_errors=True)
    wheels.mkdir(parents=True)
    wanted = [w.format(keras=version("keras")) for w in TRAIN] + (NOTEBOOKS if args.notebooks else [])
    platform = [a for p in PLATFORMS for a in ("--platform", p)]
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--only-binary=:all:", "--python-version", "3.12",
                    "--implementation", "cp", *platform, "-d", str(wheels), *wanted], check=True)
    for w in wheels.glob("*.whl"):
        if project(w) in DEVICE_HAS | OPTIONAL:
            w.unlink()
    subprocess.run([sys.executable, "-m", "thesis_lib.cli", "encode", "--export",
                    str(CARRY / "ballads.corpus.json")], check=True, cwd=ROOT)
    total = sum(f.stat().st_size for f in CARRY.rglob("*") if f.is_file())
    tree = sum(f.stat().st_size for f in (ROOT / p for p in subprocess.run(
        ["git", "ls-files"], capture_output=True, text=True, cwd=ROOT).stdout.split()) if f.is_file())
    print(f"{CARRY}: {len(list(wheels.glob('*.whl')))} wheels, {total / 2**20:.1f} MiB; the working tree "
          f"{tree / 2**20:.1f} MiB; together {(total + tree) / 2**20:.1f} of the 64 MiB a call carries")
    for w in sorted(wheels.glob("*.whl")):
        print(f"  {w.name} ({w.stat().st_size / 2**20:.1f} MiB)")


if __name__ == "__main__":
    main()
