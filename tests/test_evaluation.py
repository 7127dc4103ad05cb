"""Set against set: OA/KL with scipy's KDE, the scikit-learn two-sample classifier, the comparison, `evaluate`."""

import json

import numpy as np
import pytest

from thesis_lib import sources
from thesis_lib.cli import main
from thesis_lib.data.corpus import embedded_dir, embedded_split
from thesis_lib.data.melody import Melody
from thesis_lib.measures import evaluation as ev
from thesis_lib.measures import metrics


def split():
    """The LSTM's split of the embedded ballads, as melodies."""
    return tuple([Melody.from_song(s) for s in side] for side in embedded_split())


def test_overlap_and_kl_separate_same_from_different():
    rng = np.random.default_rng(0)
    x, y = rng.normal(0, 1, 2000), rng.normal(0, 1, 2000)
    oa, kl = ev.overlap_and_kl(x, y)
    assert oa > 0.9 and kl < 0.05
    oa, kl = ev.overlap_and_kl(x, y + 6)
    assert oa < 0.05 and kl > 1.0
    oa, _ = ev.overlap_and_kl(np.zeros(50), np.zeros(50))  # all distances equal: no crash, full overlap
    assert oa > 0.99


def test_two_sample_classifier_is_at_chance_on_one_distribution_and_sure_on_two():
    rng = np.random.default_rng(0)

    def fake(shift):
        return {f: rng.normal(shift, 1, (80, size)) for f, (_, size) in metrics.FEATURES.items()}

    assert 0.3 < ev.two_sample_accuracy(fake(0), fake(0)) < 0.7
    assert ev.two_sample_accuracy(fake(0), fake(1)) > 0.95
    assert ev.two_sample_accuracy(fake(0), {f: v[:3] for f, v in fake(0).items()}) is None


def test_held_out_songs_score_near_the_ceiling_and_random_symbols_do_not():
    train, held = split()
    ref = ev.Reference.build("train", train, max_for_distances=120)
    real = ev.evaluate_set(held[:60], ref)
    rand = ev.evaluate_set(sources.melodies("random", 60, seed=3).melodies, ref)
    assert real["mean_oa"] > rand["mean_oa"] + 0.4 and real["mean_kl"] < rand["mean_kl"]
    assert real["two_sample_accuracy"] < 0.75 < rand["two_sample_accuracy"]
    assert real["distinct"] == 1.0 and rand["longest_copy_median"] < real["longest_copy_median"]
    table = ev.summary_table({"real": real, "random": rand})
    assert list(table.index) == ["real", "random"] and "mean_oa" in table.columns


def test_evaluate_cli_on_an_untuned_corpus_beats_random_symbols(tmp_path, capsys):
    """The done-criterion: real songs the models never saw (music21's Altdeutsche Lieder, not the ballads)
    score clearly closer to the reference than uniformly random symbols."""
    assert main(["generate", "--model", "random", "-n", "40", "--seed", "5", "--formats", "txt",
                 "--out", str(tmp_path / "rand")]) == 0
    (tmp_path / "rand" / "broken.txt").write_text("60 _ banana")
    real_json, rand_json = tmp_path / "real.json", tmp_path / "rand.json"
    assert main(["evaluate", str(embedded_dir() / "essenFolksong" / "altdeu10.abc"), "--json", str(real_json)]) == 0
    assert main(["evaluate", str(tmp_path / "rand"), "--json", str(rand_json)]) == 0
    out = capsys.readouterr()
    assert "broken.txt: skipped: not a symbol of either scheme: 'banana'" in out.err
    assert "pitch_class_transition" in out.out and "two_sample_accuracy" in out.out
    real, rand = (json.loads(p.read_text()) for p in (real_json, rand_json))
    assert rand["metrics"]["melodies"] == 40 and rand["skipped"][0]["source"].endswith("broken.txt")
    assert real["metrics"]["mean_oa"] > rand["metrics"]["mean_oa"] + 0.3
    assert real["metrics"]["two_sample_accuracy"] < rand["metrics"]["two_sample_accuracy"]


def test_evaluate_cli_fails_clearly_when_nothing_is_readable(tmp_path, capsys):
    bad = tmp_path / "bad.txt"
    bad.write_text("")
    assert main(["evaluate", str(bad), str(tmp_path / "nope.krn")]) == 1
    err = capsys.readouterr().err
    assert "bad.txt: skipped: empty (no notes)" in err and "nope.krn: skipped: no such file" in err
    assert "no melody could be read (2 skipped)" in err
    ref = tmp_path / "ref.txt"
    ref.write_text("60 _ 62 _")
    good = tmp_path / "good.txt"
    good.write_text("60 _ 64 _")
    assert main(["evaluate", str(good), "--reference", str(ref)]) == 1
    assert "needs at least 2 melodies" in capsys.readouterr().err


def test_crop_cuts_a_melody_to_its_first_steps():
    assert ev.crop(Melody.from_events([(60, 4), (None, 2), (62, 8)]), 10).events == ((60, 4), (None, 2), (62, 4))
    assert ev.crop(Melody.from_events([(60, 4)]), 64).events == ((60, 4),)


def test_oa_and_kl_follow_mgeval_with_scipy():
    """MGEval: OA = integral of min(kde_a, kde_b) between the smallest and largest value; KL = scipy's entropy of
    the two KDEs on evenly spaced values (on the common range; see `overlap_and_kl`)."""
    from scipy import integrate, stats

    rng = np.random.default_rng(4)
    a, b = rng.normal(0, 1, 300), rng.normal(0.5, 1.3, 300)
    oa, kl = ev.overlap_and_kl(a, b)
    ka, kb = stats.gaussian_kde(a), stats.gaussian_kde(b)
    lo, hi = min(a.min(), b.min()), max(a.max(), b.max())
    quad = integrate.quad(lambda x: min(ka(x)[0], kb(x)[0]), lo, hi, limit=200)[0]
    assert oa == pytest.approx(quad, abs=2e-3)
    grid = np.linspace(lo, hi, 1000)
    assert kl == pytest.approx(stats.entropy(ka(grid), kb(grid)), rel=1e-3)


def test_compare_cuts_every_set_and_the_reference_for_a_like_for_like_view():
    train, held = split()
    ref = ev.Reference.build("train", train[:80], max_for_distances=60)
    rows, used = ev.compare({"held": held[:10]}, ref, steps=64)
    assert rows["held"]["median_steps"] <= 64 and all(m.steps <= 64 for m in used.melodies)
    assert used.novelty is ref.novelty  # copying is still measured against the whole songs


@pytest.mark.slow
def test_evaluate_scores_the_shipped_lstm_beside_its_baselines(capsys, tmp_path):
    assert main(["evaluate", "--model", "lstm", "--json", str(tmp_path / "m.json")]) == 0
    scores = json.loads((tmp_path / "m.json").read_text())["scores"]
    ngram = next(k for k in scores if k.endswith("-gram"))
    assert scores["LSTM"]["nll"] < scores[ngram]["nll"] < scores["majority class"]["nll"]
    assert 1.0 < scores["LSTM"]["pitch_bits"] < scores[ngram]["pitch_bits"]
    assert "pitch_bits" in capsys.readouterr().out
    assert main(["evaluate"]) == 2


def test_a_set_gives_the_same_figures_in_any_order():
    train, held = split()
    ref = ev.Reference.build("train", train[:100], max_for_distances=60)
    a = ev.evaluate_set(held[:30], ref)
    b = ev.evaluate_set(held[:30][::-1], ref)
    assert a == b
