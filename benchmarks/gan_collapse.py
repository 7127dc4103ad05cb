"""Mode collapse, measured: the per-epoch diagnostics of finished GAN runs side by side (DCGAN with
the single hold, DCGAN with a hold per pitch, WGAN-GP), their final 256-sample diagnostics, one plot,
and the combined record that 05_gan reads (thesis_lib/pretrained/gan_comparison.json with --ship).

The runs come from `thesis-music train --model gan ...` (the commands are inside each metrics JSON).
Run: .venv/bin/python benchmarks/gan_collapse.py NAME=RUN_DIR ... [--ship]
"""

import argparse
import json
from pathlib import Path

from thesis_lib.core.config import PRETRAINED
from thesis_lib.core.files import write_json
from thesis_lib.render import plots


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("runs", nargs="+", help="NAME=DIR, DIR holding gan_metrics.json")
    ap.add_argument("--out", default="outputs/benchmarks")
    ap.add_argument("--ship", action="store_true", help="also write thesis_lib/pretrained/gan_comparison.json")
    args = ap.parse_args()
    runs = {}
    for spec in args.runs:
        name, _, folder = spec.partition("=")
        m = json.loads((Path(folder) / "gan_metrics.json").read_text())
        runs[name] = {k: m[k] for k in ("command", "variant", "data", "epochs_run", "seconds", "history")}
        runs[name]["final_diagnostics"] = m.get("final_diagnostics") or m["diagnostics_256"]  # older runs: that key
        runs[name]["kept_epoch"] = m.get("kept_epoch", m["epochs_run"])  # --keep best ships an earlier epoch
    keys = ("all_holds", "distinct", "pitch_class_entropy", "mean_edit_distance", "repairs_per_sample", "collapsed")
    print("final diagnostics: 256 fresh samples from the generator each run kept")
    print(f"{'run':28s} {'epochs':>6s} {'kept':>5s} {'min':>5s} " + " ".join(f"{k:>19s}" for k in keys))
    for name, r in runs.items():
        d = r["final_diagnostics"]
        print(f"{name:28s} {r['epochs_run']:6d} {r['kept_epoch']:5d} {r['seconds'] / 60:5.1f} "
              + " ".join(f"{float(d[k]):19.3f}" for k in keys))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    plots.save(plots.collapse_curves({n: r["history"] for n, r in runs.items()}), out / "gan_collapse.png")
    print(f"plot: {out / 'gan_collapse.png'}")
    if args.ship:
        write_json(PRETRAINED / "gan_comparison.json", runs)
        print(f"wrote {PRETRAINED / 'gan_comparison.json'}")


if __name__ == "__main__":
    main()
