"""The thesis's figures, one function each; every function returns a matplotlib Figure."""

from __future__ import annotations

from collections import Counter
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from ..data.theory import DURATIONS, pitch_name


def duration_tree():
    """Fig. 5: the note-value tree from a whole note down to 16ths, each level splitting in two."""
    fig, ax = plt.subplots(figsize=(9, 3.6))
    for level, (name, steps) in enumerate(DURATIONS):
        count = 16 // steps
        for i in range(count):
            x0 = i * steps
            ax.add_patch(plt.Rectangle((x0 + 0.08, -level - 0.35), steps - 0.16, 0.7,
                                       color=plt.cm.viridis(level / 5), alpha=0.85))
            if level < len(DURATIONS) - 1:
                for child in (x0 + steps / 4, x0 + 3 * steps / 4):
                    ax.plot([x0 + steps / 2, child], [-level - 0.35, -level - 0.65], color="grey", lw=0.8)
        ax.text(-0.5, -level, f"{name}\n({steps} × 16th)", ha="right", va="center", fontsize=9)
    ax.set_xlim(-4.5, 16.2)
    ax.set_ylim(-len(DURATIONS) + 0.4, 0.6)
    ax.axis("off")
    ax.set_title("Fig. 5: note values from a whole note down to the 16th (the time step)")
    fig.tight_layout()
    return fig


def piano_roll(events: Sequence[tuple], bar: int = 16, pickup: int = 0, title: str = ""):
    """Piano roll of events with bar lines (a companion to Fig. 6's notation); x in 16th steps."""
    fig, ax = plt.subplots(figsize=(10, 3))
    t = 0
    pitches = [p for p, _ in events if p is not None]
    for pitch, steps in events:
        if pitch is not None:
            ax.add_patch(plt.Rectangle((t, pitch - 0.4), steps - 0.1, 0.8, color="tab:blue"))
        t += steps
    first = pickup if 0 < pickup < bar else bar
    for x in range(first, t + 1, bar):
        ax.axvline(x, color="grey", lw=0.6, ls="--")
    lo, hi = min(pitches), max(pitches)
    ticks = range(lo, hi + 1)
    ax.set_yticks(list(ticks), [pitch_name(p) for p in ticks], fontsize=7)
    ax.set_xlim(0, t)
    ax.set_ylim(lo - 1, hi + 1)
    ax.set_xlabel("time (16th-note steps); dashed = bar lines")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def counts_bar(counts: Counter | dict, title: str, xlabel: str, top: int | None = None, sort_by_key=False):
    """A bar chart of counts (keys, meters, reasons, ...), most common first unless sort_by_key."""
    items = sorted(counts.items()) if sort_by_key else Counter(counts).most_common(top)
    fig, ax = plt.subplots(figsize=(max(5, 0.35 * len(items) + 2), 3.2))
    ax.bar([str(k) for k, _ in items], [v for _, v in items], color="tab:blue")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("songs")
    ax.tick_params(axis="x", rotation=60 if len(items) > 8 else 0, labelsize=8)
    fig.tight_layout()
    return fig


def keys_before_after(before: Counter, after: Counter):
    """Keys as written vs after the thesis's transposition (everything on C major / a minor)."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.4), gridspec_kw={"width_ratios": [3, 1]})
    for ax, counts, title in ((axes[0], before, "keys in the files"), (axes[1], after, "after transposition")):
        items = counts.most_common()
        ax.bar([k for k, _ in items], [v for _, v in items],
               color=["tab:orange" if k[0].islower() else "tab:blue" for k, _ in items])
        ax.set_title(title)
        ax.tick_params(axis="x", rotation=60, labelsize=8)
    axes[0].set_ylabel("songs (blue major, orange minor)")
    fig.tight_layout()
    return fig


def histogram(values: Sequence[float], title: str, xlabel: str, bins: int = 30):
    """A plain histogram with the median marked."""
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.hist(values, bins=bins, color="tab:blue", alpha=0.85)
    med = float(np.median(values))
    ax.axvline(med, color="black", ls="--", lw=1, label=f"median {med:g}")
    ax.legend()
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("songs")
    fig.tight_layout()
    return fig


def pitch_ranges(lowest: Sequence[int], highest: Sequence[int]):
    """Each song's lowest-to-highest pitch as a vertical line, sorted by lowest note."""
    order = np.lexsort((np.asarray(highest), np.asarray(lowest)))
    fig, ax = plt.subplots(figsize=(9, 3.2))
    ax.vlines(np.arange(len(order)), np.asarray(lowest)[order], np.asarray(highest)[order], lw=0.6)
    ticks = range(min(lowest) - min(lowest) % 12, max(highest) + 1, 12)
    ax.set_yticks(list(ticks), [pitch_name(p) for p in ticks])
    ax.set_xlabel("songs (sorted by lowest note)")
    ax.set_ylabel("pitch")
    ax.set_title("pitch range of every song after transposition")
    fig.tight_layout()
    return fig


def temperature_curves(p: np.ndarray, labels: Sequence[str], temperatures: Sequence[float]):
    """Fig. 7 plus §3.1's formula: one output distribution reweighted at several temperatures."""
    from scipy.stats import entropy

    from ..core.sampling import apply_temperature

    fig, axes = plt.subplots(1, len(temperatures), figsize=(3.1 * len(temperatures), 3.1), sharey=True)
    for ax, t in zip(np.atleast_1d(axes), temperatures):
        q = apply_temperature(p, t)
        ax.bar(range(len(p)), q, color="tab:blue")
        ax.set_xticks(range(len(p)), labels, rotation=90, fontsize=7)
        ax.set_title(f"T = {t:g}  (H = {float(entropy(q)):.2f} nats)", fontsize=9)
    np.atleast_1d(axes)[0].set_ylabel("probability")
    fig.suptitle("Fig. 7 / §3.1: p' = softmax(log p / T); T→0 is argmax, T = 1 leaves p as it is")
    fig.tight_layout()
    return fig


def symbol_counts(counts: Counter, order: Sequence[str], title: str):
    """How often each vocabulary symbol occurs in the stream, in vocabulary order (log scale)."""
    fig, ax = plt.subplots(figsize=(max(6, 0.16 * len(order) + 2), 3.2))
    ax.bar(range(len(order)), [counts.get(s, 0) for s in order], color="tab:blue")
    ax.set_yscale("log")
    ax.set_xticks(range(len(order)), order, rotation=90, fontsize=6)
    ax.set_title(title)
    ax.set_ylabel("occurrences")
    fig.tight_layout()
    return fig


def training_curves(history: Sequence[dict], title: str = "Table-1 LSTM", kept: int | None = None):
    """Fig. 10: loss and accuracy per epoch, training vs held-out songs (plus held-out note-onset accuracy);
    a dotted line marks the epoch whose weights were kept."""
    ep = [h["epoch"] for h in history]
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 3.4))
    a.plot(ep, [h["loss"] for h in history], "o-", label="training")
    a.plot(ep, [h["val_loss"] for h in history], "o-", label="held-out songs")
    a.set(xlabel="epoch", ylabel="cross-entropy (nats)", title=f"{title}: loss")
    b.plot(ep, [h["accuracy"] for h in history], "o-", label="training")
    b.plot(ep, [h["val_accuracy"] for h in history], "o-", label="held-out songs")
    if "val_acc_note" in history[0]:
        b.plot(ep, [h["val_acc_note"] for h in history], "s--", label="held-out, note onsets only")
    b.set(xlabel="epoch", ylabel="accuracy", title=f"{title}: accuracy", ylim=(0, 1))
    for ax in (a, b):
        if kept is not None:
            ax.axvline(kept, color="grey", ls=":", label=f"kept: epoch {kept}")
        ax.legend(frameon=False)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.tight_layout()
    return fig


def tune_training(history: Sequence[dict], kept: int | None = None, title: str = "whole-tune model"):
    """07: the training loss and the NLL of the held-back songs per epoch (nats per step), the kept epoch dotted."""
    ep = [h["epoch"] for h in history]
    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    ax.plot(ep, [h["loss"] for h in history], "o-", ms=3, label="training tunes")
    ax.plot(ep, [h["val_nll"] for h in history], "o-", ms=3, label="held-back training songs")
    if kept is not None:
        ax.axvline(kept, color="grey", ls=":", label=f"kept: epoch {kept}")
    ax.set(xlabel="epoch (one pass over the training tunes)", ylabel="cross-entropy (nats per step)", title=title)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


def held_out_curves(histories: dict[str, Sequence[dict]], kept: dict[str, int] | None = None):
    """Held-out and training loss of several runs (recipes) against minutes of training, so that runs whose
    epochs differ in size (another stride) compare fairly; each run's kept epoch is marked."""
    fig, ax = plt.subplots(figsize=(8, 3.8))
    for k, (name, hist) in enumerate(histories.items()):
        color = f"C{k}"
        minutes = [h["seconds"] / 60 for h in hist]
        ax.plot(minutes, [h["val_loss"] for h in hist], "o-", color=color, ms=3, label=f"{name}: held-out songs")
        ax.plot(minutes, [h["loss"] for h in hist], ":", color=color, label=f"{name}: training")
        if kept and name in kept:
            best = next(h for h in hist if h["epoch"] == kept[name])
            ax.plot([best["seconds"] / 60], [best["val_loss"]], "*", color=color, ms=14,
                    label=f"{name}: kept epoch {kept[name]}")
    ax.set(xlabel="minutes of training (one dot an epoch)", ylabel="cross-entropy (nats)",
           title="Overfitting, and the epoch each run keeps")
    ax.legend(frameon=False, fontsize=7)
    fig.tight_layout()
    return fig


def loss_against_time(histories: dict[str, Sequence[dict]], target: float | None = None):
    """Held-out loss against wall-clock seconds, one line per training mode (which gets there sooner)."""
    fig, ax = plt.subplots(figsize=(7, 3.6))
    for name, hist in histories.items():
        ax.plot([h["seconds"] for h in hist], [h["val_loss"] for h in hist], "o-", label=name)
    if target is not None:
        ax.axhline(target, color="grey", ls=":", label=f"target {target:.3f}")
    ax.set(xlabel="wall-clock seconds of training", ylabel="held-out NLL, next symbol after 64 (nats)",
           title="Last-step (thesis) vs every-step training")
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


def gan_curves(history: Sequence[dict], title: str = "DCGAN"):
    """Figs. 15-16: D and G loss per epoch, and D's accuracy on real and on generated windows."""
    ep = [h["epoch"] for h in history]
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 3.4))
    a.plot(ep, [h["d_loss"] for h in history], "o-", label="D (critic) loss")
    a.plot(ep, [h["g_loss"] for h in history], "o-", label="G loss")
    a.set(xlabel="epoch", ylabel="loss", title=f"{title}: losses")
    if "d_acc_real" in history[0]:
        b.plot(ep, [h["d_acc_real"] for h in history], "o-", label="D accuracy, real")
        b.plot(ep, [h["d_acc_fake"] for h in history], "o-", label="D accuracy, generated")
        b.set(ylim=(0, 1.05), ylabel="accuracy")
    else:
        b.plot(ep, [h["wasserstein"] for h in history], "o-", label="Wasserstein estimate")
        b.set(ylabel="critic score gap")
    b.set(xlabel="epoch", title=f"{title}: discriminator")
    for ax in (a, b):
        ax.legend(frameon=False)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.tight_layout()
    return fig


def collapse_curves(histories: dict[str, Sequence[dict]]):
    """Mode collapse per epoch on a fixed noise batch: share all holds, share distinct, pitch-class entropy."""
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.4))
    for name, hist in histories.items():
        ep = [h["epoch"] for h in hist]
        for ax, key in zip(axes, ("all_holds", "distinct", "pitch_class_entropy")):
            ax.plot(ep, [h[key] for h in hist], "o-", label=name, ms=3)
    for ax, t in zip(axes, ("share of samples that are all holds", "share of distinct samples",
                            "pitch-class entropy (bits)")):
        ax.set(xlabel="epoch", title=t)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes[0].set_ylim(-0.05, 1.05)
    axes[1].set_ylim(-0.05, 1.05)
    axes[0].legend(frameon=False)
    fig.tight_layout()
    return fig


ABLATION_TITLES = {"mean_oa": "mean OA", "two_sample_accuracy": "two-sample accuracy",
                   "scale_consistency": "scale consistency", "repairs_per_melody": "repairs per melody",
                   "all_holds": "all-hold samples", "distinct": "distinct samples",
                   "copied_4bar_melodies": "melodies with a copied 4-bar window", "bar_fill": "bar fill"}


def ablation(table, targets: dict | None = None,
             title: str = "What makes a GAN write music: the same time budget each, 100 melodies (dashed: the bar "
                          "to meet)"):
    """One panel per measure (columns of `table`), a bar per configuration (rows), the target as a dashed line."""
    cols = list(table.columns)
    fig, axes = plt.subplots(1, len(cols), figsize=(3.1 * len(cols), 0.45 * len(table) + 1.6), sharey=True)
    for ax, col in zip(np.atleast_1d(axes), cols):
        values = table[col].astype(float).to_numpy()
        ax.barh(range(len(table)), values, color=[f"C{k}" for k in range(len(table))])
        if targets and col in targets:
            ax.axvline(targets[col], color="black", ls="--", lw=1)
        ax.set_title(ABLATION_TITLES.get(col, col.replace("_", " ")), fontsize=9)
        ax.tick_params(axis="x", labelsize=7)
        if not values.any():  # an empty panel reads as missing: say that every bar is zero
            ax.text(0.5, 0.5, "0 for every\nconfiguration", transform=ax.transAxes, ha="center", fontsize=8)
    np.atleast_1d(axes)[0].set_yticks(range(len(table)), list(table.index), fontsize=8)
    np.atleast_1d(axes)[0].invert_yaxis()
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def feature_overlaps(table):
    """The comparison at a glance: per feature (columns), each set's overlapped area with the training songs."""
    fig, ax = plt.subplots(figsize=(11, 4.2))
    names, feats = list(table.index), list(table.columns)
    width = 0.8 / len(names)
    for k, name in enumerate(names):
        ax.bar(np.arange(len(feats)) + k * width, table.loc[name].astype(float), width, label=name)
    ax.set_xticks(np.arange(len(feats)) + 0.4 - width / 2, [f.replace("_", " ") for f in feats], rotation=35,
                  ha="right", fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("overlapped area with the training songs")
    ax.legend(fontsize=7, ncol=len(names), loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    ax.set_title("Yang & Lerch (2018) features: 1 = distributed like the training songs", pad=22)
    fig.tight_layout()
    return fig


def survey_ratings(df, order: Sequence[str]):
    """Fig. 18: the listeners' 0-10 ratings per source, a box per source with every answer as a dot."""
    fig, ax = plt.subplots(figsize=(7, 4))
    present = [s for s in order if (df["source"] == s).any()]
    data = [df.loc[df["source"] == s, "rating"].astype(float).to_numpy() for s in present]
    ax.boxplot(data, showmeans=True)
    rng = np.random.default_rng(0)
    for k, values in enumerate(data, start=1):
        ax.scatter(k + rng.uniform(-0.12, 0.12, len(values)), values, s=14, alpha=0.6, color="tab:blue")
    ax.set_xticks(range(1, len(present) + 1), present)
    ax.set_ylim(-0.5, 10.5)
    ax.set_ylabel("0 = made by a computer … 10 = by a human")
    ax.set_title(f"Fig. 18: listening survey ({len(df)} answers, {df['participant'].nunique()} participants)")
    fig.tight_layout()
    return fig


def slug(name: str) -> str:
    """A run's name as part of a file name: 'DCGAN, per-pitch hold' -> 'dcgan_per_pitch_hold'."""
    return name.lower().replace(",", "").replace(" ", "_").replace("-", "_")


def close(fig) -> None:
    """Close a figure that was already shown, so the notebook does not show it twice."""
    plt.close(fig)


def save(fig, path) -> None:
    """Save a figure as PNG (and keep it open for the notebook to show)."""
    from pathlib import Path

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120, bbox_inches="tight")
