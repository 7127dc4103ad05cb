"""The DCGAN of §3.3: Tables 2-3 layer by layer, the 64-column folding, one training step, diagnostics."""

import numpy as np

from thesis_lib.core import backend
from thesis_lib.core.backend import keras
from thesis_lib.core.config import get_profile
from thesis_lib.data.encoding import encode_events
from thesis_lib.models import gan, gan_data


def test_generator_is_table2_layer_by_layer():
    g = gan.build_generator()
    assert {l.name: l.count_params() for l in g.layers if l.count_params()} == gan.TABLE2
    assert g.count_params() == 109_081 and g.output_shape == (None, 64, 64)
    assert g.get_layer("reshape").output.shape[1:] == (8, 8, 32)
    assert [g.get_layer(f"conv_{i}").output.shape[1:] for i in (1, 2, 3)] == [(16, 16, 16), (32, 32, 8), (64, 64, 1)]
    # the text's noise size of 128 cannot give Table 2's 67,584 Dense parameters
    assert gan.build_generator(get_profile("full", gan_noise_size=128)).get_layer("dense").count_params() != 67_584


def test_discriminator_is_table3_layer_by_layer():
    d = gan.build_discriminator()
    assert {l.name: l.count_params() for l in d.layers if l.count_params()} == gan.TABLE3
    assert d.count_params() == 43_577
    assert [d.get_layer(f"conv_{i}").output.shape[1:] for i in (1, 2, 3)] == [(32, 32, 8), (16, 16, 16), (8, 8, 32)]
    assert gan.build_discriminator(sigmoid=False).get_layer("real").activation.__name__ == "linear"


def test_folding_fits_64_columns_and_counts_its_cost(embedded):
    seqs = [encode_events(s.events, "per-pitch-hold") for s in embedded.songs]
    f = gan_data.choose_folding(seqs)
    vocab = gan_data.gan_vocabulary(f)
    assert len(vocab) == 64 and len(f.kept) == 31
    assert all(f.moves[p] % 12 == p % 12 and f.moves[p] in f.kept for p in f.moves)
    assert 0 < f.moved_steps < 0.01 * f.total_steps  # the folded pitches are rare
    windows = gan_data.song_windows([gan_data.fold(s, f) for s in seqs[:20]], vocab)
    assert windows.shape[1] == 64 and windows.max() < 64


def test_one_dcgan_step_updates_both_networks_and_reports_d_accuracy():
    model = gan.build_gan(variant="dcgan")
    ids = np.random.default_rng(0).integers(0, 64, (16, 64)).astype(np.int32)
    g0, d0 = model.generator.get_weights()[0].copy(), model.discriminator.get_weights()[0].copy()
    if backend.name() == "jax":  # the same step as a pure function, in the GANs' own loop (models/gan_jax.py)
        from thesis_lib.models import gan_jax

        seen = keras.callbacks.History()
        gan_jax.fit(model, ids, batch_size=8, epochs=1, initial_epoch=0, steps=None, callbacks=[seen], verbose=0)
        logs = seen.history
    else:
        logs = model.fit(ids, batch_size=8, epochs=1, verbose=0, shuffle=False).history
    assert set(logs) == {"d_loss", "g_loss", "d_acc_real", "d_acc_fake"}
    assert not np.allclose(model.generator.get_weights()[0], g0)
    assert not np.allclose(model.discriminator.get_weights()[0], d0)
    assert 0 <= logs["d_acc_real"][0] <= 1


def small_data(embedded):
    return gan_data.prepare_data([s.events for s in embedded.songs[:30]], "per-pitch-hold")


def test_gan_training_checkpoints_resumes_and_logs_diagnostics(embedded, tmp_path):
    data = small_data(embedded)
    profile = get_profile("quick", gan_windows_per_epoch=256)
    first = gan.train(data, profile, tmp_path, epochs=1, verbose=0)
    h = first.history[0]
    for key in ("d_loss", "g_loss", "d_acc_real", "d_acc_fake", "all_holds", "distinct", "pitch_class_entropy",
                "mean_edit_distance", "collapsed"):
        assert np.isfinite(h[key]), key
    assert (tmp_path / "gan_generator.keras").exists() and (tmp_path / "checkpoint" / "optimizers.npz").exists()
    resumed = gan.train(data, profile, tmp_path, epochs=2, verbose=0)
    assert [r["epoch"] for r in resumed.history] == [1, 2] and resumed.history[0] == h
    w = gan.train(data, profile, tmp_path / "w", variant="wgan-gp", epochs=1, verbose=0)
    assert {"wasserstein", "gp", "all_holds"} <= set(w.history[0])


def test_generation_and_decoding_are_seeded_and_count_repairs(embedded):
    data = small_data(embedded)
    g = gan.build_generator()
    a, rep = gan.generate(g, data.vocab, 4, seed=3)
    assert a == gan.generate(g, data.vocab, 4, seed=3)[0] and a != gan.generate(g, data.vocab, 4, seed=4)[0]
    assert all(len(m) == 64 for m in a)
    if len(data.vocab) < 64:  # an untrained G spreads probability over the padding columns too
        assert rep["unused column read as a hold"] > 0
    # at T = 0 a one-hot output decodes to exactly its symbols, with no repairs
    probs = np.eye(64)[np.tile([data.vocab.id("60"), data.vocab.id("_60")], 32)][None]
    seqs, rep0 = gan.decode_samples(probs, data.vocab, temperature=0)
    assert seqs[0][:4] == ["60", "_60", "60", "_60"] and not rep0
    # a melody never starts with a hold; the diagnostics still see what G writes
    holds = np.eye(64)[np.full(64, data.vocab.id("_r"))][None]
    assert gan.decode_samples(holds, data.vocab, temperature=0)[0][0][0] not in ("_r", "_")
    assert gan.decode_samples(holds, data.vocab, temperature=0, melody_start=False)[0][0][0] == "_r"
