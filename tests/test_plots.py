"""Every figure function returns a matplotlib Figure; epochs are whole numbers on the axes of training plots."""

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402

from thesis_lib.render import plots  # noqa: E402

HISTORY = [{"epoch": e, "seconds": 10.0 * e, "loss": 1 / e, "val_loss": 1.2 / e, "accuracy": 0.5, "val_accuracy": 0.5,
            "val_acc_note": 0.2, "d_loss": 0.6, "g_loss": 0.7, "d_acc_real": 0.9, "d_acc_fake": 0.8,
            "all_holds": 0.0, "distinct": 1.0, "pitch_class_entropy": 2.5} for e in range(1, 4)]


def integer_ticks(ax) -> bool:
    return all(float(t).is_integer() for t in ax.get_xticks())


def test_training_plots_mark_the_kept_epoch_and_tick_whole_epochs():
    fig = plots.training_curves(HISTORY, "t", kept=2)
    assert all(integer_ticks(ax) for ax in fig.axes)
    assert any("kept: epoch 2" in t.get_text() for ax in fig.axes for t in ax.get_legend().get_texts())
    assert all(integer_ticks(ax) for ax in plots.gan_curves(HISTORY).axes)
    assert all(integer_ticks(ax) for ax in plots.collapse_curves({"run": HISTORY}).axes)


def test_every_figure_function_draws(tmp_path):
    figs = [plots.duration_tree(), plots.piano_roll([(60, 4), (None, 2), (64, 6)], bar=12, pickup=4),
            plots.counts_bar({"3/4": 3, "4/4": 5}, "t", "x"), plots.histogram([1, 2, 3], "t", "x"),
            plots.pitch_ranges([60, 62], [72, 70]), plots.temperature_curves([0.5, 0.3, 0.2], "abc", [0, 1]),
            plots.loss_against_time({"a": HISTORY}, 0.5),
            plots.feature_overlaps(pd.DataFrame({"f": [0.5, 0.9]}, index=["x", "y"])),
            plots.survey_ratings(pd.DataFrame({"source": ["real", "LSTM"], "rating": [7, 3],
                                               "participant": ["a", "a"]}), ["real", "LSTM"])]
    for k, fig in enumerate(figs):
        plots.save(fig, tmp_path / f"{k}.png")
        plots.close(fig)
    assert len(list(tmp_path.glob("*.png"))) == len(figs)
    assert plots.slug("DCGAN, per-pitch hold") == "dcgan_per_pitch_hold"
