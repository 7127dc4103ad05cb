"""The n-gram baseline and the shared next-symbol scoring."""

import numpy as np
import pytest

from thesis_lib.data.corpus import split_songs
from thesis_lib.data.encoding import Vocabulary, build_stream
from thesis_lib.models import markov
from thesis_lib.models.scoring import score_predictions


def patterned_songs(n=40, seed=0):
    """Songs that repeat one 3-note motif with a hold: an order-3 model can predict them exactly."""
    rng = np.random.default_rng(seed)
    motif = ["60", "_", "64", "67"]
    return [motif * int(rng.integers(3, 8)) for _ in range(n)]


def fitted(songs, order, seed=0):
    vocab = Vocabulary.from_sequences(songs)
    stream = build_stream(songs, vocab, 64, 64)
    train, val = split_songs(len(songs), 0.2, seed)
    return vocab, stream, stream.window_starts(train), stream.window_starts(val), markov.NGram(order, len(vocab))


@pytest.mark.parametrize("order", [1, 2, 4, 7])
def test_distributions_are_proper(order):
    vocab, stream, tr, va, m = fitted(patterned_songs(), order)
    m.fit(stream.ids, markov.target_positions(stream, tr))
    p = m.distributions(stream.ids, markov.target_positions(stream, va))
    assert p.shape == (len(va), len(vocab)) and (p > 0).all()
    np.testing.assert_allclose(p.sum(1), 1.0, atol=1e-9)


def test_higher_order_learns_a_motif_and_is_chosen_on_validation():
    vocab, stream, tr, va, _ = fitted(patterned_songs(), 1)
    best, rows = markov.choose_order(stream, tr, va, len(vocab), orders=range(1, 6))
    nll = {r["order"]: min(x["val_nll"] for x in rows if x["order"] == r["order"]) for r in rows}
    assert nll[3] < nll[1] / 3 and best.order >= 3
    inside = markov.target_positions(stream, va)
    inside = inside[stream.ids[inside - 1] == vocab.id("60")]  # after 60 comes `_`, always
    p = best.distributions(stream.ids, inside)
    assert (p.argmax(1) == vocab.id("_")).all() and p[:, vocab.id("_")].min() > 0.9


def test_majority_baseline_always_says_the_commonest_target():
    vocab, stream, tr, va, _ = fitted(patterned_songs(), 1)
    p = markov.majority_distributions(stream, tr, len(va), len(vocab))
    commonest = np.bincount(stream.ids[tr + 64], minlength=len(vocab)).argmax()
    assert (p.argmax(1) == commonest).all()


def test_generation_is_seeded_starts_with_a_note_and_ends_at_the_delimiter():
    vocab, stream, tr, va, m = fitted(patterned_songs(), 4)
    m.fit(stream.ids, markov.target_positions(stream, tr))
    a = m.generate(vocab, 5, seed=1, max_steps=200)
    assert a == m.generate(vocab, 5, seed=1, max_steps=200)
    assert all(mel and mel[0] != "/" and "/" not in mel for mel in a)
    assert all(mel[:4] == ["60", "_", "64", "67"] for mel in a)  # every song starts with the motif
    greedy = m.generate(vocab, 1, temperature=0, max_steps=30)[0]
    assert len(greedy) <= 30


def test_scores_of_perfect_and_uniform_predictions():
    vocab = Vocabulary(("/", "_", "r", "60", "62"))
    targets = np.array([0, 1, 1, 2, 3, 4, 1, 0])
    perfect = score_predictions(np.eye(5)[targets], targets, vocab)
    assert perfect["nll"] < 1e-9 and perfect["accuracy"] == 1.0 and perfect["acc_note"] == 1.0
    uniform = score_predictions(np.full((8, 5), 0.2), targets, vocab)
    assert uniform["nll"] == pytest.approx(np.log(5)) and uniform["perplexity"] == pytest.approx(5)
    assert sum(perfect[f"share_{c}"] for c in ("note", "rest", "hold", "delimiter")) == pytest.approx(1)
    with pytest.raises(ValueError):
        score_predictions(np.full((3, 5), 0.2), targets, vocab)
