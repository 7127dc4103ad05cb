"""The whole-tune model (beyond the thesis, 07_tunes): a melody model that writes whole tunes in the meter and mode
it is asked for, barred as it writes them, ending by itself.

It reads a tune step by step (16th notes, the thesis's symbols) and predicts the next symbol or the tune's end
`/`, told at every step the tune's meter and mode and, by arm of the ablation (`tunes_data.ARMS`):
  * `plain`      nothing more (the meter and mode only, as folk-rnn's first tokens);
  * `position`   where the step falls in its bar and which bar it is (Magenta's binary counters);
  * `lookback`   also what sounded one and two bars earlier at that point of the bar, and whether the last step
                 repeated the step a bar (two bars) before it (Magenta's lookback RNN);
  * `phrase`     lookback 1, 2, 4 and 8 bars: where a folk tune brings its phrases back;
  * `copy`       the phrase arm's inputs, and its output may copy: the next symbol's probabilities are a mixture,
                 weighed at every step by the network, of its own prediction and of the symbols that sounded
                 1, 2, 4 and 8 bars earlier (a pointer-generator's copy gate over the lookback symbols), so that
                 "play what was played a bar ago" is one sure choice and not sixteen;
  * `copy8`      the copy arm looking back, and copying, every bar from 1 to 8 back: of the training ballads'
                 16-step chunks that come back 64 to 256 steps later, 32% do so only 3, 5, 6 or 7 bars later;
  * `attention`  the position inputs into a small causal Transformer decoder that sees the whole tune so far
                 (Music Transformer's idea, with absolute positions instead of its relative attention).
The recurrent arms are two LSTM layers of Table 1's width; with `style_out` the meter and mode also go straight to
the output layer and the copy gates. Only `keras.layers` and `keras.ops`: any backend.

Order of use: `prepare` (the split, the tunes, the vocabulary), `train`, `score` (held-out NLL per step with the
ends, pitch bits per note), then `tunes_generate.Generator(model, vocab).generate(n, meters=…, modes=…,
pickups=…)`.
"""

from __future__ import annotations

import dataclasses
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from ..core.backend import keras, layers, ops, set_seed
from ..data.encoding import Vocabulary
from .checkpoint import EpochCheckpoint, TimeBudget, resume, save_model_atomic
from .tunes_data import (
    BAR_BITS,
    COPYING,
    LOOKBACK,
    MAX_BAR,
    METERS,
    MODES,
    Tune,
    aeolian,
    batch_arrays,
    tunes_of,
    vocabulary,
)

MAX_LENGTH = 1024     # the attention arm's learned step positions (the longest ballad has 672 steps)


@dataclass(frozen=True)
class Settings:
    """The model's sizes and its training recipe: the defaults are the full profile's (`core.config`), the recipe of
    the shipped weights; `Settings.of` reads a profile, `train --model tunes` flags override it."""

    arm: str = "copy"
    units: int = 256            # Table 1's LSTM width; the attention arm's model width is units // 2
    layers: int = 2
    dropout: float = 0.5        # the ablation's arms: 0.3
    style_out: bool = False     # the meter and mode also given to the output layer (and the copy gates)
    minor_copies: int = 1       # each minor training tune seen this many times an epoch (a sixth of the tunes)
    aeolian: bool = False       # also train on the major tunes that end on C moved into A Aeolian, as minor tunes
    embedding: int = 48         # the previous symbol's embedding; each lookback symbol gets half of it
    heads: int = 4
    learning_rate: float = 2e-3
    batch_tunes: int = 8
    epochs: int = 24
    validation_share: float = 0.1   # of the training songs, held back to pick the epoch (the test songs stay unseen)

    @classmethod
    def of(cls, profile, **overrides) -> "Settings":
        """The settings a profile (`core.config.Profile`) gives, with any field overridden by keyword."""
        base = cls(arm=profile.tunes_arm, units=profile.tunes_units, layers=profile.tunes_layers,
                   dropout=profile.tunes_dropout, learning_rate=profile.tunes_learning_rate,
                   batch_tunes=profile.tunes_batch, epochs=profile.tunes_epochs, style_out=profile.tunes_style_out,
                   minor_copies=profile.tunes_minor_copies, aeolian=profile.tunes_aeolian)
        return dataclasses.replace(base, **{k: v for k, v in overrides.items() if v is not None})


# --------------------------------------------------------------------------- the network

def build(vocab_size: int, s: Settings = Settings()) -> keras.Model:
    """The arm's network: per-step inputs (`tunes_data.Inputs.as_dict`) → next-symbol probabilities (B, T, V)."""
    k = len(LOOKBACK[s.arm])
    inputs = {"previous": keras.Input((None,), dtype="int32", name="previous"),
              "style": keras.Input((None, len(METERS) + len(MODES)), name="style")}
    parts = [layers.Embedding(vocab_size, s.embedding, name="symbol")(inputs["previous"]), inputs["style"]]
    if s.arm != "plain":
        inputs.update(position=keras.Input((None, MAX_BAR), name="position"),
                      bars=keras.Input((None, BAR_BITS + 1), name="bars"))
        parts += [inputs["position"], inputs["bars"]]
    if k:
        inputs.update(lookback=keras.Input((None, k), dtype="int32", name="lookback"),
                      repeats=keras.Input((None, k), name="repeats"))
        back = layers.Embedding(vocab_size + 1, s.embedding // 2, name="lookback_symbol")(inputs["lookback"])
        parts += [layers.Reshape((-1, k * (s.embedding // 2)), name="lookback_symbols")(back), inputs["repeats"]]
    x = layers.Concatenate(name="inputs")(parts)
    if s.arm == "attention":
        x = _decoder(x, s)
    else:
        for i in range(s.layers):
            x = layers.LSTM(s.units, return_sequences=True, name=f"lstm_{i + 1}")(x)
            x = layers.Dropout(s.dropout, name=f"dropout_{i + 1}")(x)
    if s.style_out:  # the meter and mode straight to the output too, past the LSTMs and their dropout
        x = layers.Concatenate(name="with_style")([x, inputs["style"]])
    out = layers.Dense(vocab_size, activation="softmax", dtype="float32", name="next_symbol")(x)
    if s.arm in COPYING:
        out = copy_head(out, x, inputs["lookback"], vocab_size, k)
    return keras.Model(inputs, out, name=f"tunes_{s.arm}")


def copy_head(probs, x, lookback, vocab_size: int, k: int):
    """The copy arm's output: g_0 · probs + Σ_j g_j · one-hot(the symbol j bars back), g the softmax of gate logits
    that the network computes from its last layer `x`, over its own prediction and the lookback symbols there are
    (one before the tune's start, id V, gets no weight). Built of Keras's own layers only (the one-hots and sums are
    frozen layers whose values their initializers give), so that a saved model loads in plain Keras too."""
    frozen = {"trainable": False, "dtype": "float32"}
    onehot = layers.Embedding(vocab_size + 1, vocab_size, embeddings_initializer="identity", name="copy_onehot",
                              **frozen)(lookback)                                   # (B, T, K, V)
    missing = layers.Dense(1, kernel_initializer=keras.initializers.Constant(1e9),
                           bias_initializer=keras.initializers.Constant(-1e9), name="copy_missing",
                           **frozen)(onehot)                                        # 0, or -1e9 if none
    own = layers.Dense(1, dtype="float32", name="own_gate")(x)
    back = layers.Dense(k, dtype="float32", name="copy_gate")(x)
    back = layers.Add(name="copy_logits")([back, layers.Reshape((-1, k), name="copy_missing_k")(missing)])
    weights = layers.Softmax(name="copy_weights")(layers.Concatenate(name="gate_logits")([own, back]))
    sources = layers.Concatenate(axis=2, name="copy_sources")(
        [layers.Reshape((-1, 1, vocab_size), name="own_prediction")(probs), onehot])   # (B, T, K + 1, V)
    weighted = layers.Multiply(name="copy_weighted")(
        [layers.Reshape((-1, k + 1, 1), name="copy_weights_each")(weights), sources])
    summed = layers.Dense(1, use_bias=False, kernel_initializer="ones", name="copy_sum", **frozen)(
        layers.Permute((1, 3, 2), name="copy_by_symbol")(weighted))              # (B, T, V, 1)
    return layers.Reshape((-1, vocab_size), name="next_symbol_mixed")(summed)


@keras.saving.register_keras_serializable(package="thesis_lib")
class StepIndex(layers.Layer):
    """The index of each step (B, T) → (B, T) int32, for learned absolute positions."""

    def call(self, x):
        t = ops.shape(x)[1]
        return ops.broadcast_to(ops.arange(t, dtype="int32")[None, :], ops.shape(x)[:2])


def _decoder(x, s: Settings):
    """A pre-norm causal Transformer decoder over the step inputs, with learned absolute step positions."""
    d = s.units // 2
    h = layers.Dense(d, name="project")(x)
    h = h + layers.Embedding(MAX_LENGTH, d, name="step_position")(StepIndex(name="step_index")(x))
    for i in range(s.layers):
        a = layers.LayerNormalization(name=f"norm_a{i + 1}")(h)
        a = layers.MultiHeadAttention(s.heads, d // s.heads, dropout=0.1, name=f"attention_{i + 1}")(
            a, a, use_causal_mask=True)
        h = h + layers.Dropout(s.dropout, name=f"dropout_a{i + 1}")(a)
        f = layers.LayerNormalization(name=f"norm_f{i + 1}")(h)
        f = layers.Dense(2 * d, activation="relu", name=f"ffn_{i + 1}a")(f)
        f = layers.Dense(d, name=f"ffn_{i + 1}b")(f)
        h = h + layers.Dropout(s.dropout, name=f"dropout_f{i + 1}")(f)
    return layers.LayerNormalization(name="norm_out")(h)


def arm_of(model: keras.Model) -> str:
    """Which arm a built or loaded network is."""
    return model.name.removeprefix("tunes_")


# --------------------------------------------------------------------------- data

@dataclass
class TuneData:
    """The split by song (the LSTM's: 10% held out, seed 0), the tunes on each side and the vocabulary."""

    train: list[Tune]
    validation: list[Tune]      # training-side songs held back to pick the epoch
    test: list[Tune]            # the held-out songs the model can take (a meter it knows, regular bars)
    vocab: Vocabulary
    left_out: dict = field(default_factory=dict)

    def summary(self) -> dict:
        return {"tunes_train": len(self.train), "tunes_validation": len(self.validation), "tunes_test": len(self.test),
                "vocab_size": len(self.vocab), "left_out": self.left_out,
                "steps_train": sum(len(t.symbols) + 1 for t in self.train)}


def prepare(songs: Sequence, val_fraction: float = 0.1, seed: int = 0, s: Settings = Settings(),
            vocab: Vocabulary | None = None) -> TuneData:
    """Split the songs as the LSTM does (by song), keep the tunes the model can take, and hold back
    `s.validation_share` of the training side (seeded) for picking the epoch."""
    from ..data.corpus import split_songs

    train_idx, test_idx = split_songs(len(songs), val_fraction, seed)
    train, left = tunes_of([songs[k] for k in train_idx])
    test, _ = tunes_of([songs[k] for k in test_idx])
    order = np.random.default_rng(seed).permutation(len(train))
    n_val = max(1, round(len(train) * s.validation_share))
    validation = [train[k] for k in sorted(order[:n_val])]
    train = [train[k] for k in sorted(order[n_val:])]
    vocab = vocab or vocabulary([*train, *validation, *test])
    return TuneData(train, validation, test, vocab, dict(left))


class Batches:
    """Whole tunes in batches of similar length (little padding), their order shuffled per epoch (seeded):
    (inputs, targets, weights) with the weights scaled so that the loss is the mean over real steps."""

    def __init__(self, tunes: Sequence[Tune], vocab: Vocabulary, arm: str, batch: int, shuffle: bool, seed: int = 0):
        self.tunes, self.vocab, self.arm, self.shuffle = list(tunes), vocab, arm, shuffle
        by_length = sorted(range(len(self.tunes)), key=lambda k: len(self.tunes[k].symbols))
        self.groups = [by_length[i:i + batch] for i in range(0, len(by_length), batch)]
        self.rng, self.order = np.random.default_rng(seed), list(range(len(self.groups)))
        self.on_epoch_end()

    def __len__(self) -> int:
        return len(self.groups)

    def __getitem__(self, k: int):
        tunes = [self.tunes[j] for j in self.groups[self.order[k]]]
        inputs, targets, mask = batch_arrays(tunes, self.vocab, LOOKBACK[self.arm])
        return inputs.as_dict(self.arm), targets, mask * (mask.size / mask.sum())

    def on_epoch_end(self) -> None:
        if self.shuffle:
            self.rng.shuffle(self.order)


# --------------------------------------------------------------------------- training

def compile_model(model: keras.Model, s: Settings) -> keras.Model:
    """Adam and cross-entropy, as Table 1's recipe."""
    model.compile(optimizer=keras.optimizers.Adam(s.learning_rate), loss=keras.losses.SparseCategoricalCrossentropy())
    return model


class HeldBackNLL(keras.callbacks.Callback):
    """After each epoch: the exact NLL per step (ends included) of the held-back songs as `val_nll`, and the weights
    of the best epoch so far saved to `path` (the run goes on; its history shows what came after)."""

    def __init__(self, tunes: Sequence[Tune], vocab: Vocabulary, path: Path, history: Sequence[dict]):
        super().__init__()
        self.tunes, self.vocab, self.path = tunes, vocab, Path(path)
        done = [h for h in history if "val_nll" in h]
        best = min(done, key=lambda h: h["val_nll"]) if done and self.path.exists() else None
        self.best, self.epoch = (best["val_nll"], best["epoch"]) if best else (math.inf, None)

    def on_epoch_end(self, epoch, logs=None):
        nll = score(self.model, self.tunes, self.vocab)["nll"]
        logs["val_nll"] = nll
        if nll < self.best:
            self.best, self.epoch = nll, epoch + 1
            save_model_atomic(plain_copy(self.model), self.path)


def oversampled(tunes: Sequence[Tune], minor_copies: int) -> list[Tune]:
    """The training tunes with each minor one `minor_copies` times (a fifth of the ballads are minor, and a model
    trained on them as they come was heard ending its minor tunes on C)."""
    if minor_copies < 1:
        raise ValueError(f"minor_copies must be 1 or more, not {minor_copies}")
    return [t for t in tunes for _ in range(minor_copies if t.mode == "minor" else 1)]


def training_tunes(tunes: Sequence[Tune], s: Settings, vocab: Vocabulary) -> list[Tune]:
    """What an epoch passes over: the training tunes (each minor one `s.minor_copies` times) and, with `s.aeolian`,
    the Aeolian copy of every major tune that has one (`tunes_data.aeolian`). The held-back and test tunes stay
    the ballads as they are."""
    extra = [a for t in tunes if (a := aeolian(t, vocab))] if s.aeolian else []
    return oversampled(tunes, s.minor_copies) + extra


def plain_copy(model: keras.Model) -> keras.Model:
    """An uncompiled copy with the same weights (small to ship, no optimizer state)."""
    copy = keras.Model.from_config(model.get_config())
    copy.set_weights(model.get_weights())
    return copy


@dataclass
class TrainResult:
    """The kept model, its epoch, the run's history and the scores of the kept model."""

    model: keras.Model
    kept_epoch: int | None
    history: list
    scores: dict


def train(data: TuneData, s: Settings, out_dir: str | os.PathLike, *, seed: int = 0, max_seconds: float | None = None,
          restart: bool = False, verbose: int | str = 2) -> TrainResult:
    """Train the arm on the training tunes, an epoch a pass over them; checkpoint every epoch in OUT/checkpoint/ and
    resume; keep the epoch with the lowest NLL on the held-back songs. Saves OUT/tunes.keras, its vocabulary and
    returns the kept model's scores on the held-back and the test songs."""
    set_seed(seed)
    out_dir = Path(out_dir)
    ckpt = out_dir / "checkpoint"
    model, history = (None, []) if restart else resume(ckpt)
    if model is None:
        model = compile_model(build(len(data.vocab), s), s)
    best = HeldBackNLL(data.validation, data.vocab, ckpt / "best.keras", history)
    callbacks = keras.callbacks.CallbackList([best, EpochCheckpoint(ckpt, history), TimeBudget(max_seconds)],
                                             model=model)
    batches = Batches(training_tunes(data.train, s, data.vocab), data.vocab, s.arm, s.batch_tunes, shuffle=True,
                      seed=seed)
    for _ in range(len(history)):  # a resumed run goes on with the batch order it would have had
        batches.on_epoch_end()
    # a loop of train_on_batch, not fit: Keras's fit runs a Python dataset through tf.data on TensorFlow, whose
    # prefetching thread was seen to deadlock at the end of an epoch of a few large batches
    callbacks.on_train_begin()
    model.stop_training = False
    for epoch in range(len(history), s.epochs):
        start = time.perf_counter()
        losses = [float(model.train_on_batch(*batches[k])) for k in range(len(batches))]
        batches.on_epoch_end()
        logs = {"loss": float(np.mean(losses))}
        callbacks.on_epoch_end(epoch, logs)
        if verbose:  # (the callbacks logged into a copy of `logs`: the history holds what they added)
            print(f"epoch {epoch + 1}/{s.epochs}: " + ", ".join(f"{k} {v:.4f}" for k, v in history[-1].items()
                                                                 if k not in ("epoch", "seconds"))
                  + f" ({time.perf_counter() - start:.0f} s)", flush=True)
        if model.stop_training:
            break
    final = keras.saving.load_model(best.path, compile=False) if best.path.exists() else plain_copy(model)
    save_model_atomic(final, out_dir / "tunes.keras")
    data.vocab.save(out_dir / "tunes_vocab.json")
    scores = {"validation": score(final, data.validation, data.vocab), "test": score(final, data.test, data.vocab)}
    return TrainResult(final, best.epoch, history, scores)


# --------------------------------------------------------------------------- scoring

def probabilities(model: keras.Model, tunes: Sequence[Tune], vocab: Vocabulary, batch: int = 32):
    """For every step of every tune and its end: (probabilities (N, V), targets (N,)), in tune order."""
    arm = arm_of(model)
    probs, targets = [], []
    for i in range(0, len(tunes), batch):
        part = list(tunes[i:i + batch])
        inputs, y, mask = batch_arrays(part, vocab, LOOKBACK[arm])
        p = np.asarray(model(inputs.as_dict(arm), training=False), np.float64)
        keep = mask.astype(bool)
        probs.append(p[keep])
        targets.append(y[keep])
    return np.concatenate(probs), np.concatenate(targets)


def score(model: keras.Model, tunes: Sequence[Tune], vocab: Vocabulary) -> dict:
    """NLL in nats per step over every step of each tune and its end, and pitch bits per note (IDyOM's unit: the
    probability of each note's pitch, its onset given)."""
    from .scoring import pitch_bits

    if not tunes:
        return {"nll": float("nan"), "steps": 0, "pitch_bits": None, "notes": 0}
    probs, targets = probabilities(model, tunes, vocab)
    nll = float(-np.log(np.clip(probs[np.arange(len(targets)), targets], 1e-12, None)).mean())
    bits, notes = pitch_bits(probs, targets, vocab)
    return {"nll": nll, "steps": int(len(targets)), "pitch_bits": bits, "notes": notes}


def train_seconds(history: Sequence[dict]) -> float:
    """Wall-clock seconds a run's history spent training."""
    return history[-1]["seconds"] if history else 0.0


def timed(fn, *args, **kw) -> tuple[object, float]:
    """(fn's result, its wall-clock seconds)."""
    t = time.perf_counter()
    return fn(*args, **kw), time.perf_counter() - t
