"""Per-melody measures: edit distances (rapidfuzz, checked against the textbook recursion), the MGEval features,
bar fill, novelty and diversity."""

import numpy as np
import pytest

from thesis_lib.measures import metrics


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
    symbols = [["60", "_", "62"], ["60", "_", "_", "62"], ["r", "_"]]
    assert metrics.edit_distances(symbols).tolist() == [[0, 1, 2], [1, 0, 3], [2, 3, 0]]


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


def test_entropies_come_from_scipy_and_agree_with_the_formula():
    assert metrics.entropy_bits([1, 1, 1, 1]) == pytest.approx(2.0)
    assert metrics.entropy_bits([3, 0, 1]) == pytest.approx(-(0.75 * np.log2(0.75) + 0.25 * np.log2(0.25)))
    assert metrics.entropy_bits([]) == 0.0 and metrics.entropy_bits([0, 0]) == 0.0


def brute_repetition(symbols):
    """The repetition measure as the issue states it, by brute force: chunks of 16 at steps 0, 4, 8, …, each
    compared with the 16 symbols exactly L steps earlier."""
    chunks = near = far = 0
    for s in range(0, len(symbols) - 15, 4):
        c = symbols[s:s + 16]
        chunks += 1
        near += any(symbols[s - L:s - L + 16] == c for L in range(16, min(63, s) + 1))
        far += any(symbols[s - L:s - L + 16] == c for L in range(64, min(256, s) + 1))
    return chunks, near, far


def test_repetition_near_and_far():
    bar = ["60", "_", "62", "_", "64", "_", "_", "_"] * 2                 # one 4/4 bar of 16 steps
    other = ["67", "_", "_", "_", "65", "_", "64", "_"] * 2
    assert metrics.repetition(bar * 3) == (9, 5, 0)   # chunks 16..32 repeat the one 16 steps before (and 32 back)
    phrase = bar + other * 4 + bar                     # the first bar comes back 80 steps later: far, not near
    chunks, near, far = metrics.repetition(phrase)
    assert far == 1 and (chunks, near, far) == brute_repetition(phrase)
    rng = np.random.default_rng(0)
    for _ in range(20):
        sym = [str(x) for x in rng.integers(60, 63, rng.integers(0, 300))]
        assert metrics.repetition(sym) == brute_repetition(sym)
    f = metrics.melody_features([(60, 2), (62, 2), (64, 4)] * 12)
    assert f["repetition_near"] > 0.5 and 0 <= f["repetition_far"] <= 1
