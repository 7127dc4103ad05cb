"""The Table-1 LSTM: parameter counts, the song split, training with checkpoints, and generation."""

import json
import subprocess
import sys

import numpy as np
import pytest

from thesis_lib.core import backend
from thesis_lib.core.config import get_profile
from thesis_lib.data.corpus import split_songs
from thesis_lib.data.encoding import encode_events
from thesis_lib.models import lstm, shipped


def layer_params(model):
    """Trainable parameters per layer (the one-hot lookup is a frozen identity, not one of Table 1's)."""
    counts = {l.name: sum(int(np.prod(w.shape)) for w in l.trainable_weights) for l in model.layers}
    return {name: n for name, n in counts.items() if n}


def test_table1_parameter_counts_match_the_thesis_for_34_symbols():
    model = lstm.build_model(34)
    assert layer_params(model) == {"lstm_1": 297_984, "lstm_2": 525_312, "next_symbol": 8_738}
    assert lstm.table1_param_counts(34) == layer_params(model)
    assert model.input_shape == (None, 64) and model.output_shape == (None, 34)


@pytest.mark.parametrize("vocab_size", [38, 73])
def test_parameter_formula_holds_for_our_vocabulary(vocab_size):
    model = lstm.build_model(vocab_size)
    assert layer_params(model) == lstm.table1_param_counts(vocab_size)
    every = lstm.build_model(vocab_size, every_step=True)
    assert every.output_shape == (None, 64, vocab_size)
    assert [w.shape for w in every.get_weights()] == [w.shape for w in model.get_weights()]


def test_split_is_by_song_seeded_and_ten_percent():
    train, val = split_songs(1169, 0.1, seed=0)
    assert len(val) == 117 and len(train) == 1052
    assert not set(train) & set(val) and set(train) | set(val) == set(range(1169))
    assert np.array_equal(split_songs(1169, 0.1, seed=0)[1], val)
    assert not np.array_equal(split_songs(1169, 0.1, seed=1)[1], val)


def test_no_song_contributes_to_both_sides(embedded):
    seqs = [encode_events(s.events) for s in embedded.songs[:60]]
    data = lstm.prepare_data(seqs, seed=3)
    st, n = data.stream, data.stream.sequence_length
    delim = data.vocab.id("/")
    for starts, songs in ((data.val_starts, data.val_songs), (data.train_starts, data.train_songs)):
        pos = starts[:, None] + np.arange(n + 1)[None, :]
        content = st.ids[pos] != delim
        assert set(np.unique(st.owner[pos][content])) <= set(songs.tolist())
    assert len(data.train_starts) + len(data.val_starts) == st.n_windows


def test_training_logs_per_class_accuracy_checkpoints_and_resumes(tiny_lstm):
    hist = tiny_lstm["result"].history
    assert [h["epoch"] for h in hist] == [1, 2]
    for key in ("loss", "accuracy", "acc_note", "acc_hold", "acc_delimiter", "val_loss", "val_acc_note", "seconds"):
        assert all(np.isfinite(h[key]) for h in hist), key
    assert hist[1]["seconds"] > hist[0]["seconds"]
    out = tiny_lstm["dir"]
    assert (out / "checkpoint" / "checkpoint.keras").exists() and (out / "lstm.keras").exists()
    assert json.loads((out / "lstm_vocab.json").read_text()) == list(tiny_lstm["vocab"].symbols)
    assert not list(out.rglob("*.tmp*"))
    val = tiny_lstm["result"].val
    assert 0 < val["nll"] < np.log(len(tiny_lstm["vocab"]))  # it learned something beyond uniform
    # an interrupted run picks up at the next epoch and keeps what was logged
    profile = get_profile("quick", lstm_units=32, lstm_windows_per_epoch=2048)
    resumed = lstm.train(tiny_lstm["data"], profile, out, epochs=3, seed=0, verbose=0)
    assert [h["epoch"] for h in resumed.history] == [1, 2, 3]
    assert resumed.history[:2] == hist
    assert resumed.history[2]["seconds"] > hist[1]["seconds"]


def test_every_step_mode_trains_the_same_table1_weights(tiny_lstm, tmp_path):
    profile = get_profile("quick", lstm_units=32, lstm_windows_per_epoch=512)
    res = lstm.train(tiny_lstm["data"], profile, tmp_path, every_step=True, epochs=1, verbose=0)
    assert res.model.output_shape == (None, len(tiny_lstm["vocab"]))
    assert np.isfinite(res.history[0]["val_loss"]) and res.val["n_targets"] == len(tiny_lstm["data"].val_starts)


MIRRORED = r"""
import sys, json
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from thesis_lib.models import lstm
from thesis_lib.core.config import get_profile
from thesis_lib.data.corpus import load_corpus
from thesis_lib.data.encoding import encode_events
songs = load_corpus(progress=False).songs[:12]
data = lstm.prepare_data([encode_events(s.events) for s in songs])
strategy = lstm.choose_strategy(["/cpu:0", "/cpu:1"])
res = lstm.train(data, get_profile("quick", lstm_units=16, lstm_windows_per_epoch=512), sys.argv[1],
                 epochs=1, strategy=strategy, verbose=0)
print(json.dumps({"replicas": strategy.num_replicas_in_sync, "val_loss": res.history[0]["val_loss"]}))
"""


@pytest.mark.slow
@pytest.mark.skipif(backend.name() != "tensorflow", reason="MirroredStrategy is TensorFlow's")
def test_training_runs_under_mirrored_strategy_on_two_logical_cpus(embedded, tmp_path):
    run = subprocess.run([sys.executable, "-c", MIRRORED, str(tmp_path)], capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    got = json.loads(run.stdout.strip().splitlines()[-1])
    assert got["replicas"] == 2 and np.isfinite(got["val_loss"])


# --------------------------------------------------------------------------- generation

def test_step_model_gives_the_table1_probabilities(tiny_lstm):
    model, vocab = tiny_lstm["model"], tiny_lstm["vocab"]
    gen = lstm.Generator(model, vocab)
    x = np.random.default_rng(0).integers(0, len(vocab), (3, 64)).astype(np.int32)
    states = [np.zeros((3, gen.units), np.float32) for _ in range(4)]
    for i in range(64):
        p, states = gen._feed(x[:, i], states)
    np.testing.assert_allclose(p, np.asarray(model(x, training=False)), atol=1e-5)


def test_stateful_and_naive_generation_agree_at_temperature_zero(tiny_lstm):
    model, vocab = tiny_lstm["model"], tiny_lstm["vocab"]
    primer = encode_events([(60, 4), (62, 4), (64, 4)])
    fast = lstm.Generator(model, vocab).generate(1, temperature=0, primer=primer, max_steps=80)[0]
    full = lstm.generate_naive(model, vocab, temperature=0, primer=primer, max_steps=80, whole_history=True)
    assert fast == full
    # with T > 0 and one seed they draw the same uniforms, so they must agree too, on longer melodies
    longest = 0
    for seed in range(5):
        fast = lstm.Generator(model, vocab).generate(1, temperature=1.5, primer=primer, max_steps=60, seed=seed)[0]
        assert fast == lstm.generate_naive(model, vocab, temperature=1.5, primer=primer, max_steps=60, seed=seed,
                                           whole_history=True)
        longest = max(longest, len(fast) - len(primer))
    assert longest > 0  # the model added something: not a comparison of empty endings only
    # the thesis's 64-step window sees the same context for the first new symbol
    first = lstm.generate_naive(model, vocab, temperature=0, max_steps=1)
    assert lstm.Generator(model, vocab).generate(1, temperature=0, max_steps=1)[0] == first


def test_same_seed_same_melodies_and_batches_differ(tiny_lstm):
    gen = lstm.Generator(tiny_lstm["model"], tiny_lstm["vocab"])
    a = gen.generate(4, temperature=1.0, max_steps=64, seed=7)
    assert a == gen.generate(4, temperature=1.0, max_steps=64, seed=7)
    assert len({tuple(m) for m in a}) > 1
    assert all("/" not in m and len(m) <= 64 for m in a)


@pytest.mark.slow
@pytest.mark.skipif(not shipped.available("lstm"), reason="no shipped weights in this checkout")
def test_shipped_lstm_beats_the_ngram_on_held_out_songs(embedded):
    from thesis_lib.models import markov
    from thesis_lib.models.scoring import score_predictions, window_targets

    model, vocab, prov = shipped.load_pretrained("lstm")
    assert prov["command"].startswith("thesis-music train --model lstm")
    data = lstm.prepare_data([encode_events(s.events) for s in embedded.songs], vocab, seed=prov["seed"])
    assert data.summary() == prov["data"]  # the same songs, split and vocabulary as the run that made it
    sub = np.sort(np.random.default_rng(1).choice(data.val_starts, 4000, replace=False))
    y = window_targets(data.stream, sub)
    ours = score_predictions(lstm.predict_windows(model, data.stream, sub), y, vocab)
    ngram, _ = markov.choose_order(data.stream, data.train_starts, data.val_starts, len(vocab), orders=range(3, 8))
    theirs = score_predictions(ngram.distributions(data.stream.ids, markov.target_positions(data.stream, sub)), y, vocab)
    assert ours["nll"] < theirs["nll"]
    assert ours["acc_note"] > theirs["acc_note"]


def test_keep_best_ships_the_epoch_with_the_lowest_held_out_loss(tiny_lstm, tmp_path):
    profile = get_profile("quick", lstm_units=32, lstm_windows_per_epoch=1024)
    res = lstm.train(tiny_lstm["data"], profile, tmp_path, epochs=3, keep="best", verbose=0)
    losses = [h["val_loss"] for h in res.history]
    assert len(losses) == 3  # the run went on after its best epoch
    assert res.kept_epoch == 1 + int(np.argmin(losses))
    best = lstm.load(tmp_path / "checkpoint" / "best.keras")
    shipped = lstm.load(tmp_path / "lstm.keras")
    for a, b in zip(best.get_weights(), shipped.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="keep"):
        lstm.train(tiny_lstm["data"], profile, tmp_path / "x", epochs=1, keep="worst", verbose=0)


PLAIN_KERAS = r"""
import sys, numpy as np, keras
model = keras.saving.load_model(sys.argv[1], compile=False)
assert not any(m.startswith("thesis_lib") for m in sys.modules), "thesis_lib was imported"
print(model(np.zeros((1, 64), "int32")).shape)
"""


def test_saved_lstm_loads_in_a_plain_keras_session(tiny_lstm):
    run = subprocess.run([sys.executable, "-c", PLAIN_KERAS, str(tiny_lstm["dir"] / "lstm.keras")],
                         capture_output=True, text=True, timeout=300, cwd="/")
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip().splitlines()[-1] == f"(1, {len(tiny_lstm['vocab'])})"


@pytest.mark.skipif(not shipped.available("lstm"), reason="no shipped weights in this checkout")
def test_the_shipped_lstm_is_its_runs_best_epoch_and_the_history_runs_on():
    prov = shipped.provenance(shipped.weights_path("lstm"))
    losses = [h["val_loss"] for h in prov["history"]]
    assert prov["keep"] == "best" and prov["kept_epoch"] == 1 + int(np.argmin(losses))
    assert len(losses) > prov["kept_epoch"] + 10 and losses[-1] > min(losses)  # it shows the overfitting after


def test_the_lstm_layers_are_cudnn_eligible():
    """Keras runs an LSTM with cuDNN on a GPU only with these settings (Table 1 keeps them): a GPU run needs
    no other model."""
    for layer in (l for l in lstm.build_model(38).layers if l.name.startswith("lstm_")):
        cfg = layer.get_config()
        assert (cfg["activation"], cfg["recurrent_activation"], cfg["recurrent_dropout"], cfg["unroll"],
                cfg["use_bias"]) == ("tanh", "sigmoid", 0.0, False, True)


def test_accelerator_options_train_and_keep_the_shipped_model_in_float32(tiny_lstm, tmp_path):
    import keras

    profile = get_profile("quick", lstm_units=16, lstm_windows_per_epoch=256, jit_compile=True,
                          steps_per_execution=2, mixed_precision=True)
    res = lstm.train(tiny_lstm["data"], profile, tmp_path, epochs=1, verbose=0)
    assert np.isfinite(res.history[0]["val_loss"]) and keras.mixed_precision.global_policy().name == "float32"
    assert res.model.get_layer("lstm_1").dtype_policy.name == "float32"
