"""What makes a GAN write music: every configuration trained with the same time budget through the CLI (each
command is recorded), then 100 melodies from each (seed 0) scored against the training songs exactly as
`thesis-music evaluate` scores them, plus the generator's own repairs, all-hold and distinct shares.

Configurations (05's "beyond the thesis"): the thesis's DCGAN; the DCGAN with feature matching and help for G;
WGAN-GP over 1-D convolutions; the same with straight-through Gumbel-softmax; SeqGAN (MLE pre-training, then
REINFORCE against a CNN); and the SeqGAN's generator trained by MLE alone for the whole budget (the control that
says what the adversary adds). A finished run is reused, so the script can be stopped and started again.

Run: .venv/bin/python benchmarks/gan_ablation.py [--minutes 12] [--out outputs/ablation] [--only seqgan,mle]
Writes OUT/ablation.json, prints the table, and with --ship copies the result to
thesis_lib/pretrained/gan_ablation.json (05 and the README read it).
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

CONFIGS = {  # name -> (train arguments, generate --model, weights file)
    "dcgan": ("DCGAN (thesis, Tables 2-3)", ["--model", "gan", "--variant", "dcgan", "--windows-per-epoch", "8192",
                                             "--keep", "best"], "gan", "gan_generator.keras"),
    "dcgan-fm": ("DCGAN + feature matching, smoothed labels, 2 G steps", ["--model", "gan-improved", "--variant",
                 "dcgan-fm", "--windows-per-epoch", "8192", "--keep", "best"], "gan-improved",
                 "gan_improved_generator.keras"),
    "wgan-1d": ("WGAN-GP, 1-D conv ResNet", ["--model", "gan-improved", "--variant", "wgan-1d",
                "--windows-per-epoch", "4096", "--keep", "best"], "gan-improved", "gan_improved_generator.keras"),
    "wgan-1d-st": ("WGAN-GP, 1-D conv ResNet, straight-through Gumbel", ["--model", "gan-improved", "--variant",
                   "wgan-1d-st", "--windows-per-epoch", "4096", "--keep", "best"], "gan-improved",
                   "gan_improved_generator.keras"),
    "seqgan": ("SeqGAN: LSTM G pre-trained by MLE, then REINFORCE vs a CNN", ["--model", "gan-improved",
               "--variant", "seqgan"], "gan-improved", "gan_improved_generator.keras"),
    "mle": ("control: the same LSTM G by MLE only (no adversary)", ["--model", "lstm", "--every-step",
            "--keep", "best", "--epochs", "10000", "--val-share", "0.25"], "gan-improved", "lstm.keras"),
}
COLUMNS = ("mean_oa", "two_sample_accuracy", "scale_consistency", "bar_fill", "repairs_per_melody", "all_holds",
           "distinct", "copied_4bar_melodies")


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "thesis_lib.cli", *args]


def score(model: str, weights: Path, n: int, seed: int) -> dict:
    """100 melodies (seed 0) from one generator: `evaluate`'s metrics against the training songs, the repairs the
    decoding needed, and the all-hold and distinct shares of the generator's own samples."""
    from thesis_lib import sources
    from thesis_lib.measures import evaluation as ev
    from thesis_lib.models import gan_improved, shipped
    from thesis_lib.models.collapse import collapse_diagnostics

    batch = sources.melodies(model, n, seed=seed, weights=weights)
    net, vocab, _ = shipped.load_pretrained(model, weights)
    raw, _ = gan_improved.generate(net, vocab, n, seed=seed, melody_start=False)  # as G writes them
    diag = collapse_diagnostics(raw)
    row = ev.evaluate_set(batch.melodies, ev.embedded_reference(seed), seed)
    return {**row, "repairs_per_melody": sum(batch.repairs.values()) / n, "repairs": dict(batch.repairs),
            "all_holds": diag["all_holds"], "distinct": diag["distinct"]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=12.0, help="training budget per configuration")
    ap.add_argument("--out", default="outputs/ablation")
    ap.add_argument("--only", default=None, help="comma-separated configuration names")
    ap.add_argument("--melodies", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--ship", action="store_true", help="also write thesis_lib/pretrained/gan_ablation.json")
    args = ap.parse_args()
    out = Path(args.out)
    names = args.only.split(",") if args.only else list(CONFIGS)
    results = json.loads((out / "ablation.json").read_text()) if (out / "ablation.json").exists() else {}
    for name in names:
        label, train_args, model, weights_name = CONFIGS[name]
        folder = out / name
        command = ["train", *train_args, "--profile", "full", "--max-minutes", f"{args.minutes:g}",
                   "--seed", str(args.seed), "--out", str(folder)]
        if not (folder / weights_name).exists():
            t = time.perf_counter()
            out.mkdir(parents=True, exist_ok=True)
            with open(out / f"{name}.log", "w") as log:
                subprocess.run(cli(*command), check=True, stdout=log, stderr=subprocess.STDOUT)
            print(f"{name}: trained in {(time.perf_counter() - t) / 60:.1f} min", flush=True)
        row = score(model, folder / weights_name, args.melodies, args.seed)
        metrics = next(folder.glob("*_metrics.json"))
        results[name] = {"label": label, "command": "thesis-music " + " ".join(command),
                         "provenance": metrics.name, "metrics": row,
                         "history": json.loads(metrics.read_text()).get("history", [])}
        (out / "ablation.json").write_text(json.dumps(results, indent=1, default=float) + "\n")
    print(f"\n{args.melodies} melodies per configuration (seed {args.seed}) against the training songs; "
          f"{args.minutes:g} min of training each on {__import__('os').cpu_count()} CPU cores")
    print("| configuration | " + " | ".join(COLUMNS) + " |")
    print("|---" * (len(COLUMNS) + 1) + "|")
    for name, r in results.items():
        m = r["metrics"]
        print(f"| {r['label']} | " + " | ".join("–" if m.get(c) is None else f"{m[c]:.3f}" for c in COLUMNS) + " |")
    if args.ship:
        from thesis_lib.core.config import PRETRAINED
        from thesis_lib.core.files import write_json

        write_json(PRETRAINED / "gan_ablation.json", {"minutes": args.minutes, "melodies": args.melodies,
                                                       "seed": args.seed, "configurations": results})
        print(f"wrote {PRETRAINED / 'gan_ablation.json'}")


if __name__ == "__main__":
    main()
