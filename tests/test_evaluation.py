"""Objective metrics (MGEval features, OA/KL, novelty, diversity, two-sample test) and `thesis-music evaluate`."""

import json

import numpy as np
import pytest

from thesis_lib import evaluation as ev
from thesis_lib import metrics
from thesis_lib.cli import main
from thesis_lib.corpus import embedded_dir


def levenshtein(a, b):
    d = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        prev, d[0] = d[0], i
        for j, y in enumerate(b, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (x != y))
    return d[-1]


def test_edit_distances_of_any_lengths_match_the_textbook_recursion():
    rng = np.random.default_rng(1)
    seqs = [rng.integers(0, 4, rng.integers(0, 25)) for _ in range(20)]
    d = metrics.edit_distances(seqs)
    assert all(d[i, j] == levenshtein(list(seqs[i]), list(seqs[j])) for i in range(20) for j in range(20))
    same = rng.integers(0, 5, (6, 16))
    assert np.array_equal(metrics.edit_distance_matrix(same), metrics.edit_distances(list(same)))


def test_features_of_a_hand_made_melody():
    # C D E F G as quarters, then a quarter rest: 4/4, every bar line on an onset
    mel = [(60, 4), (62, 4), (64, 4), (65, 4), (67, 4), (None, 4)]
    f = metrics.melody_features(mel)
    assert f["pitch_count"] == 5 and f["note_count"] == 5 and f["pitch_range"] == 7
    assert f["avg_pitch_interval"] == pytest.approx((2 + 2 + 1 + 2) / 4)
    assert f["avg_ioi"] == 4.0
    assert f["note_length_histogram"][metrics.NOTE_LENGTHS.index(4)] == 1.0
    assert f["scale_consistency"] == 1.0 and f["bar_fill"] == 1.0
    assert f["pitch_class_histogram"][[0, 2, 4, 5, 7]] == pytest.approx([0.2] * 5)
    assert f["pitch_class_entropy"] == pytest.approx(np.log2(5))
    assert f["pitch_class_transition"].reshape(12, 12)[0, 2] == pytest.approx(0.25)
    # a C# leaves the scale; notes held across every possible bar line lower the bar fill
    assert metrics.melody_features([(60, 4), (61, 4), (62, 4)])["scale_consistency"] == pytest.approx(2 / 3)
    assert metrics.bar_fill([(60, 5), (62, 5), (64, 5)] * 4)[0] < 0.8
    assert metrics.melody_features([(None, 8)])["note_count"] == 0  # degenerate: no notes, no crash


def test_novelty_finds_the_longest_copied_run_inside_one_song():
    ref = [["60", "_", "62", "_", "64"], ["67", "_", "65"]]
    nov = metrics.Novelty(ref)
    assert nov.longest_copy(["72", "60", "_", "62", "_", "71"]) == 4
    assert nov.longest_copy(["64", "67"]) == 1        # the end of one song and the start of the next: not a run
    assert nov.longest_copy(["59"]) == 0
    assert nov.copied_windows(["60", "_", "62", "_", "64", "67"], window=3) == (3, 4)
    assert nov.copied_windows(["60"], window=3) == (0, 0)


def test_diversity_counts_identical_melodies():
    a, b = ["60", "_", "62"], ["60", "_", "64", "_"]
    d = metrics.diversity([a, a, b])
    assert d["distinct"] == pytest.approx(2 / 3)
    # pairs: (a, a) 0; (a, b) 2 edits over length 4, twice
    assert d["mean_distance"] == pytest.approx((0 + 0.5 + 0.5) / 3)


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


@pytest.fixture(scope="module")
def split():
    return ev.embedded_split()


def test_held_out_songs_score_near_the_ceiling_and_random_symbols_do_not(split):
    train, held = split
    ref = ev.Reference.build("train", train, max_for_distances=120)
    real = ev.evaluate_set(held[:60], ref)
    rand = ev.evaluate_set([metrics_events(m) for m in ev.random_melodies(60, seed=3)], ref)
    assert real["mean_oa"] > rand["mean_oa"] + 0.4 and real["mean_kl"] < rand["mean_kl"]
    assert real["two_sample_accuracy"] < 0.75 < rand["two_sample_accuracy"]
    assert real["distinct"] == 1.0 and rand["longest_copy_median"] < real["longest_copy_median"]
    table = ev.summary_table({"real": real, "random": rand})
    assert list(table.index) == ["real", "random"] and "mean_oa" in table.columns


def metrics_events(symbols):
    from thesis_lib.encoding import decode_symbols

    return decode_symbols(symbols)


def test_melody_files_count_each_generated_melody_once(tmp_path):
    from thesis_lib.render import write_melody

    write_melody(["60", "_", "62", "_", "64", "_", "_", "_"], tmp_path / "lstm_01", ("mid", "musicxml", "txt"))
    (tmp_path / "notes.md").write_text("not a melody")
    files, skipped = ev.melody_files([tmp_path, tmp_path / "missing.mid", tmp_path / "notes.md"])
    assert [f.name for f in files] == ["lstm_01.musicxml"]
    assert {r for _, r in skipped} == {"no such file or directory", "unsupported file type '.md'"}


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


def test_comparison_sets_have_the_same_size_and_fixed_seeds(split):
    train, held = split
    a = ev.comparison_sets(6, seed=2, train=train, held=held, max_steps=96)
    b = ev.comparison_sets(6, seed=2, train=train, held=held, max_steps=96)
    assert {"held-out real songs", "LSTM, T = 0.5", "LSTM, T = 1.0", "5-gram", "random symbols"} <= set(a)
    assert all(len(v) == 6 for v in a.values()) and a == b


def test_crop_cuts_a_melody_to_its_first_steps():
    assert ev.crop([(60, 4), (None, 2), (62, 8)], 10) == [(60, 4), (None, 2), (62, 4)]
    assert ev.crop([(60, 4)], 64) == [(60, 4)]
