"""The figures of a benchmarks/gpu_full.sh run: seconds per epoch of each model (median over its epochs), the
epochs run, what the thesis's full schedules (50 LSTM epochs, 100 DCGAN epochs) take at that speed, the LSTM's
kept epoch and held-out scores, and the device. Prints a table; writes OUT/gpu_report.json.

Run: .venv/bin/python benchmarks/gpu_report.py OUT [--limit-s 530 --started EPOCH_SECONDS]
"""

import argparse
import json
import statistics
import time
from pathlib import Path

SCHEDULE = {"lstm": 50, "gan": 100}   # §3.2 and §3.3: the thesis's epochs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--limit-s", type=float, default=None)
    ap.add_argument("--started", type=float, default=None, help="the script's start (seconds since the epoch)")
    args = ap.parse_args()
    out = Path(args.out)
    machine = json.loads((out / "machine.json").read_text()) if (out / "machine.json").exists() else {}
    report = {"machine": machine, "models": {}}
    for model, name in (("lstm", "lstm_metrics.json"), ("gan", "gan_metrics.json")):
        path = out / model / name
        if not path.exists():
            history_file = out / model / "checkpoint" / "history.json"
            history = json.loads(history_file.read_text()) if history_file.exists() else []
            metrics = {"history": history}
        else:
            metrics = json.loads(path.read_text())
        seconds = [h["seconds"] for h in metrics.get("history", [])]
        per_epoch = [b - a for a, b in zip([0.0, *seconds], seconds)]
        row = {"epochs_run": len(seconds), "seconds": seconds[-1] if seconds else 0.0,
               "seconds_per_epoch": statistics.median(per_epoch) if per_epoch else None,
               "first_epoch_seconds": per_epoch[0] if per_epoch else None}
        if row["seconds_per_epoch"]:
            row["full_schedule_minutes"] = SCHEDULE[model] * row["seconds_per_epoch"] / 60
        if model == "lstm" and "val" in metrics:
            row.update(kept_epoch=metrics.get("kept_epoch"), held_out_nll=metrics["val"]["nll"],
                       acc_note=metrics["val"]["acc_note"], pitch_bits=metrics["val"].get("pitch_bits"))
        if model == "gan" and "final_diagnostics" in metrics:
            row.update(kept_epoch=metrics.get("kept_epoch"), all_holds=metrics["final_diagnostics"]["all_holds"],
                       distinct=metrics["final_diagnostics"]["distinct"])
        report["models"][model] = row
    if args.started:
        report["wall_seconds"] = time.time() - args.started
        report["limit_seconds"] = args.limit_s
    (out / "gpu_report.json").write_text(json.dumps(report, indent=1) + "\n")
    gpus = machine.get("gpu_names") or machine.get("gpus") or ["none (CPU)"]
    print(f"device: {', '.join(map(str, gpus))}; whole script {report.get('wall_seconds', 0):.0f} s")
    for model, r in report["models"].items():
        spe = r["seconds_per_epoch"]
        full = "–" if spe is None else "{:.1f} min".format(r["full_schedule_minutes"])
        line = f"  {model:5s} epochs {r['epochs_run']:3d}  s/epoch {'–' if spe is None else round(spe, 1)}  " \
               f"full schedule ({SCHEDULE[model]} epochs) {full}"
        if "held_out_nll" in r:
            line += f"  kept epoch {r['kept_epoch']}, held-out NLL {r['held_out_nll']:.4f}, " \
                    f"pitch {r['pitch_bits']:.2f} bits/note"
        print(line)


if __name__ == "__main__":
    main()
