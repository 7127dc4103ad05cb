"""The Table-1 LSTM (§3.2): ids → one-hot → LSTM(256) → LSTM(256) → Dropout(0.3) → Dense(V, softmax).

Training follows the thesis's recipe on a split by song, logs per-class accuracy, checkpoints every epoch
and resumes; an every-step mode trains the same weights with a loss at all 64 positions of a window.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from ..core.backend import keras, layers, ops, set_seed
from ..core.config import DELIMITER as DELIMITER_SYM
from ..core.config import MAX_STEPS, THESIS, VAL_FRACTION, Profile
from ..core.sampling import must_start, sample, without
from ..data.corpus import split_songs
from ..data.encoding import (
    TrainingStream,
    Vocabulary,
    build_stream,
    start_banned,
    until_delimiter,
    windows,
)
from .checkpoint import EpochCheckpoint, TimeBudget, resume, save_model_atomic
from .scoring import CLASSES, score_predictions, symbol_classes, window_targets


def one_hot_layer(vocab_size: int) -> layers.Embedding:
    """Integer ids (batch, T) → one-hot (batch, T, V) inside the model, so the data stays integer.

    A frozen identity Embedding is exactly a one-hot lookup, and it is a built-in Keras layer: the saved
    `.keras` files load in any Keras 3 session without this package (V² non-trainable weights).
    """
    return layers.Embedding(vocab_size, vocab_size, embeddings_initializer="identity", trainable=False,
                            name="one_hot")


@keras.saving.register_keras_serializable(package="thesis_lib")
class ClassAccuracy(keras.metrics.Metric):
    """Accuracy over the targets whose id is in `class_ids` only (e.g. note onsets, or holds)."""

    def __init__(self, class_ids: Sequence[int], vocab_size: int, name: str = "class_accuracy", **kwargs):
        super().__init__(name=name, **kwargs)
        self.class_ids = [int(i) for i in class_ids]
        self.vocab_size = int(vocab_size)
        member = np.zeros(self.vocab_size, np.float32)
        member[self.class_ids] = 1.0
        self.member = member
        self.correct = self.add_variable(shape=(), initializer="zeros", name="correct")
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = ops.reshape(ops.cast(y_true, "int32"), (-1,))
        y_hat = ops.reshape(ops.cast(ops.argmax(y_pred, axis=-1), "int32"), (-1,))
        mask = ops.take(ops.convert_to_tensor(self.member), y_true)
        hit = ops.cast(ops.equal(y_true, y_hat), "float32") * mask
        self.correct.assign_add(ops.sum(hit))
        self.total.assign_add(ops.sum(mask))

    def result(self):
        return ops.divide_no_nan(self.correct, self.total)

    def get_config(self):
        return {**super().get_config(), "class_ids": self.class_ids, "vocab_size": self.vocab_size}


def table1_param_counts(vocab_size: int, units: int = THESIS.lstm_units) -> dict[str, int]:
    """Table 1's parameter counts for a vocabulary size: 4·u·(in+u+1) per LSTM, u·V+V for the Dense."""
    return {"lstm_1": 4 * units * (vocab_size + units + 1), "lstm_2": 4 * units * (2 * units + 1),
            "next_symbol": units * vocab_size + vocab_size}


def build_model(vocab_size: int, profile: Profile = THESIS, every_step: bool = False) -> keras.Model:
    """Table 1 as a functional model: int32 ids (batch, 64) → probabilities (batch, V), sized by the profile.

    every_step=True gives the same layers and weights, but the second LSTM returns sequences so the
    output is (batch, 64, V): a next-symbol distribution after every prefix of the window.
    """
    return _table1(vocab_size, profile.sequence_length, profile.lstm_units, profile.lstm_dropout, every_step)


def _table1(vocab_size: int, sequence_length: int | None, units: int, dropout: float,
            every_step: bool = False) -> keras.Model:
    """The layers of Table 1 for any sizes (sequence_length None: any length, for whole-history generation)."""
    ids = keras.Input((sequence_length,), dtype="int32", name="ids")
    x = one_hot_layer(vocab_size)(ids)
    x = layers.LSTM(units, return_sequences=True, name="lstm_1")(x)
    x = layers.LSTM(units, return_sequences=every_step, name="lstm_2")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    # float32 even under mixed precision: the softmax and the loss need its range
    out = layers.Dense(vocab_size, activation="softmax", dtype="float32", name="next_symbol")(x)
    return keras.Model(ids, out, name="table1_lstm_every_step" if every_step else "table1_lstm")


def model_dims(model: keras.Model) -> tuple[int, int, int]:
    """(vocab_size, sequence_length, units) of a Table-1 model."""
    return (model.get_layer("one_hot").input_dim, model.input_shape[1], model.get_layer("lstm_1").units)


def class_metrics(vocab: Vocabulary) -> list[ClassAccuracy]:
    """One ClassAccuracy per target class present in the vocabulary (acc_note, acc_rest, acc_hold, acc_delimiter)."""
    cls = symbol_classes(vocab)
    return [ClassAccuracy(np.flatnonzero(cls == k), len(vocab), name=f"acc_{name}")
            for k, name in enumerate(CLASSES) if (cls == k).any()]


def compile_model(model: keras.Model, vocab: Vocabulary, profile: Profile = THESIS) -> keras.Model:
    """The thesis's recipe: Adam, categorical cross-entropy (on integer targets), accuracy (+ per class)."""
    model.compile(optimizer=keras.optimizers.Adam(profile.lstm_learning_rate), jit_compile=profile.jit_compile,
                  steps_per_execution=profile.steps_per_execution,
                  loss=keras.losses.SparseCategoricalCrossentropy(),
                  metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy"), *class_metrics(vocab)])
    return model


def choose_strategy(devices: Sequence[str] | None = None):
    """MirroredStrategy over several GPUs (or the given devices), else TensorFlow's default strategy; None on
    another backend (one device: a JAX run on one GPU)."""
    from ..core import backend

    if backend.name() != "tensorflow":
        return None
    tf = backend.tensorflow()
    if devices is None:
        gpus = tf.config.list_logical_devices("GPU")
        if len(gpus) < 2:
            return tf.distribute.get_strategy()
        devices = [d.name for d in gpus]
    return tf.distribute.MirroredStrategy(devices=list(devices))


@dataclass
class LstmData:
    """The stream of all songs and the window starts of each side of the song split."""

    stream: TrainingStream
    vocab: Vocabulary
    train_songs: np.ndarray
    val_songs: np.ndarray
    train_starts: np.ndarray
    val_starts: np.ndarray

    def summary(self) -> dict:
        """Counts for provenance files and notebooks."""
        return {"songs_train": int(len(self.train_songs)), "songs_val": int(len(self.val_songs)),
                "windows_train": int(len(self.train_starts)), "windows_val": int(len(self.val_starts)),
                "vocab_size": len(self.vocab)}


def prepare_data(sequences: Sequence[Sequence[str]], vocab: Vocabulary | None = None, *, profile: Profile = THESIS,
                 val_fraction: float = VAL_FRACTION, seed: int = 0) -> LstmData:
    """Stream the songs (§3.2) and split their windows by song: no song has windows on both sides."""
    vocab = vocab or Vocabulary.from_sequences(sequences)
    stream = build_stream(sequences, vocab, profile.sequence_length, profile.separator_length)
    train, val = split_songs(len(sequences), val_fraction, seed)
    return LstmData(stream, vocab, train, val, stream.window_starts(train), stream.window_starts(val))


@dataclass
class TrainResult:
    """A trained Table-1 model with its history (one dict per epoch) and final validation scores."""

    model: keras.Model
    data: LstmData
    history: list[dict] = field(default_factory=list)
    val: dict = field(default_factory=dict)
    kept_epoch: int | None = None  # the epoch whose weights were kept (the last, or the best with keep="best")


class LastStepValidation(keras.callbacks.Callback):
    """Validate the Table-1 view (next symbol after a full 64-step window) whatever the training mode."""

    def __init__(self, table1: keras.Model, windows: tuple[np.ndarray, np.ndarray]):
        super().__init__()
        self.table1, self.windows = table1, windows

    def on_epoch_end(self, epoch, logs=None):
        if self.table1 is not self.model:
            self.table1.set_weights(self.model.get_weights())
        scores = self.table1.evaluate(*self.windows, batch_size=512, verbose=0, return_dict=True)
        logs.update({f"val_{k}": float(v) for k, v in scores.items()})


def best_epoch(history: Sequence[dict]) -> dict | None:
    """The history entry with the lowest held-out loss (None before any validated epoch): what keep="best" keeps."""
    done = [h for h in history if "val_loss" in h]
    return min(done, key=lambda h: h["val_loss"]) if done else None


class KeepBest(keras.callbacks.Callback):
    """Save the Table-1 weights of the epoch with the lowest held-out loss so far (early stopping that lets the
    run go on, so its history still shows the overfitting). Picks up the best so far from a resumed history."""

    def __init__(self, table1: keras.Model, path: str | os.PathLike, history: Sequence[dict]):
        super().__init__()
        self.table1, self.path = table1, Path(path)
        best = best_epoch(history)
        self.best = best["val_loss"] if best and self.path.exists() else float("inf")
        self.epoch = best["epoch"] if best and self.path.exists() else None

    def on_epoch_end(self, epoch, logs=None):
        loss = (logs or {}).get("val_loss")
        if loss is not None and loss < self.best:
            self.best, self.epoch = float(loss), epoch + 1
            save_model_atomic(plain_copy(self.table1), self.path)


def train(data: LstmData, profile: Profile, out_dir: str | os.PathLike, *, every_step: bool = False,
          epochs: int | None = None, max_seconds: float | None = None, seed: int = 0, restart: bool = False,
          val_share: float = 1.0, keep: str = "last", strategy=None, verbose: int | str = "auto") -> TrainResult:
    """Train Table 1 on the train songs, validating on the held-out ones; resume from out_dir/checkpoint/ if there.

    every_step trains on windows every `profile.every_step_stride` steps with a loss at all 64 positions.
    Epoch logs validate a random `val_share` of the held-out windows (1: all); the returned scores use all.
    keep="best" ships the epoch with the lowest held-out loss (its epoch is `TrainResult.kept_epoch`); the
    run still goes on for every epoch, so the history shows what came after. The finished model (Table-1
    interface, no optimizer) is saved atomically to out_dir/lstm.keras.
    """
    import contextlib

    set_seed(seed)
    out_dir, epochs = Path(out_dir), epochs if epochs is not None else profile.lstm_epochs
    ckpt_dir = out_dir / "checkpoint"
    strategy = strategy or choose_strategy()
    V = len(data.vocab)
    keras.mixed_precision.set_global_policy("mixed_float16" if profile.mixed_precision else "float32")
    with strategy.scope() if strategy else contextlib.nullcontext():
        model, history = (None, []) if restart else resume(ckpt_dir)
        if model is None:
            model = compile_model(build_model(V, profile, every_step), data.vocab, profile)
        table1 = model if not every_step else compile_model(build_model(V, profile), data.vocab, profile)
    starts = data.train_starts[::profile.every_step_stride] if every_step else data.train_starts
    x, y = windows(data.stream, starts, every_step)
    steps_per_epoch = None
    if profile.lstm_windows_per_epoch and profile.lstm_windows_per_epoch < len(starts):
        # shorter epochs: each reads on through the shuffled windows, reshuffled when all were seen (Keras's
        # steps_per_epoch over arrays)
        steps_per_epoch = max(1, profile.lstm_windows_per_epoch // profile.lstm_batch_size)
    val_starts = data.val_starts
    if val_share < 1:  # a seeded random subset: a regular stride would pick on-beat targets only
        k = max(1, round(len(val_starts) * val_share))
        val_starts = np.sort(np.random.default_rng(seed).choice(val_starts, k, replace=False))
    val = windows(data.stream, val_starts)
    if keep not in ("last", "best"):
        raise ValueError(f"keep must be 'last' or 'best', not {keep!r}")
    best = KeepBest(table1, ckpt_dir / "best.keras", history)
    callbacks = [LastStepValidation(table1, val), best, EpochCheckpoint(ckpt_dir, history), TimeBudget(max_seconds)]
    if len(history) < epochs:
        model.fit(x, y, batch_size=profile.lstm_batch_size, epochs=epochs, initial_epoch=len(history),
                  callbacks=callbacks, verbose=verbose, steps_per_epoch=steps_per_epoch, shuffle=True)
    keras.mixed_precision.set_global_policy("float32")  # the shipped model computes in float32
    if table1 is not model:
        table1.set_weights(model.get_weights())
    final, kept = plain_copy(table1), len(history)
    if keep == "best" and best.epoch is not None:
        final, kept = load(best.path), best.epoch
    save_model_atomic(final, out_dir / "lstm.keras")
    data.vocab.save(out_dir / "lstm_vocab.json")
    return TrainResult(final, data, history, evaluate(final, data), kept)


def rebuild(model: keras.Model, sequence_length: int | None, every_step: bool = False) -> keras.Model:
    """The same Table-1 weights in a model of another window length (None: any) or output view (every step)."""
    V, _, units = model_dims(model)
    copy = _table1(V, sequence_length, units, model.get_layer("dropout").rate, every_step)
    copy.set_weights(model.get_weights())
    return copy


def plain_copy(model: keras.Model) -> keras.Model:
    """A fresh, uncompiled Table-1 model with the same weights: small to ship, no optimizer state."""
    return rebuild(model, model_dims(model)[1])


def predict_windows(model: keras.Model, stream: TrainingStream, starts: np.ndarray,
                    batch_size: int = 1024) -> np.ndarray:
    """Next-symbol probabilities (N, V) after each window, in batches (ids only, never a one-hot array)."""
    n = stream.sequence_length
    out = []
    for i in range(0, len(starts), batch_size):
        s = np.asarray(starts[i:i + batch_size], np.int64)
        x = stream.ids[s[:, None] + np.arange(n)[None, :]]
        out.append(np.asarray(model(x, training=False)))
    return np.concatenate(out) if out else np.zeros((0, model.output_shape[-1]), np.float32)


def evaluate(model: keras.Model, data: LstmData) -> dict:
    """Validation NLL, perplexity and per-class accuracy of a model on the held-out songs' windows."""
    probs = predict_windows(model, data.stream, data.val_starts)
    return score_predictions(probs, window_targets(data.stream, data.val_starts), data.vocab)


def score_songs(model: keras.Model, vocab: Vocabulary, songs: Sequence[Sequence[str]], batch: int = 32) -> dict:
    """Whole songs scored as the tune model scores them: after 64 `/`, every step of each song and its end `/`
    predicted from the whole history (as the stateful generator writes); NLL in nats per step and pitch bits per
    note (`scoring.pitch_bits`)."""
    from .scoring import pitch_bits

    V, n, _ = model_dims(model)
    whole = rebuild(model, None, every_step=True)
    delim = vocab.id(DELIMITER_SYM)
    order = sorted(range(len(songs)), key=lambda k: len(songs[k]))
    probs, targets = [], []
    for i in range(0, len(order), batch):
        part = [list(vocab.encode(songs[k])) + [delim] for k in order[i:i + batch]]
        length = max(map(len, part))
        x = np.full((len(part), n + length - 1), delim, np.int32)
        for r, ids in enumerate(part):
            x[r, n:n + len(ids) - 1] = ids[:-1]
        p = np.asarray(whole(x, training=False), np.float64)[:, n - 1:]
        for r, ids in enumerate(part):
            probs.append(p[r, :len(ids)])
            targets.append(np.asarray(ids))
    probs, targets = np.concatenate(probs), np.concatenate(targets)
    nll = float(-np.log(np.clip(probs[np.arange(len(targets)), targets], 1e-12, None)).mean())
    bits, notes = pitch_bits(probs, targets, vocab)
    return {"nll": nll, "steps": int(len(targets)), "pitch_bits": bits, "notes": notes}


def load(path: str | os.PathLike) -> keras.Model:
    """Load a saved Table-1 model (`.keras`, built-in layers only)."""
    from .shipped import load_model

    return load_model(path)


# --------------------------------------------------------------------------- generation (§3.1-3.2)

def build_step_model(model: keras.Model) -> keras.Model:
    """A one-step twin of a Table-1 model sharing its weights: (id, h1, c1, h2, c2) → (p, h1', c1', h2', c2')."""
    V, _, units = model_dims(model)
    ids = keras.Input((1,), dtype="int32", name="id")
    states = [keras.Input((units,), name=n) for n in ("h1", "c1", "h2", "c2")]
    x = one_hot_layer(V)(ids)
    x, h1, c1 = layers.LSTM(units, return_sequences=True, return_state=True, name="lstm_1")(
        x, initial_state=states[:2])
    x, h2, c2 = layers.LSTM(units, return_state=True, name="lstm_2")(x, initial_state=states[2:])
    p = layers.Dense(V, activation="softmax", name="next_symbol")(x)
    step = keras.Model([ids, *states], [p, h1, c1, h2, c2], name="table1_lstm_step")
    for name in ("lstm_1", "lstm_2", "next_symbol"):
        step.get_layer(name).set_weights(model.get_layer(name).get_weights())
    return step


class Generator:
    """Stateful batched generation: each new symbol is fed once and the LSTM state is carried forward."""

    def __init__(self, model: keras.Model, vocab: Vocabulary, context: int | None = None):
        from ..core.backend import compiled

        V, length, self.units = model_dims(model)
        self.context = context or length or THESIS.sequence_length  # `/` fed before the first symbol
        if V != len(vocab):
            raise ValueError(f"the model has {V} output symbols but the vocabulary {len(vocab)}")
        self.model, self.vocab, self.step = model, vocab, build_step_model(model)
        self._call = compiled(self.step)

    def refresh(self) -> None:
        """Copy the model's current weights into the one-step twin (after a training step changed them)."""
        for name in ("lstm_1", "lstm_2", "next_symbol"):
            self.step.get_layer(name).set_weights(self.model.get_layer(name).get_weights())

    def _feed(self, ids: np.ndarray, states: list) -> tuple[np.ndarray, list]:
        p, *states = self._call([ids.reshape(-1, 1).astype(np.int32), *states])
        return p, states

    def start(self, primer: Sequence[str] = ()) -> tuple[np.ndarray, list]:
        """Feed `/` × 64 and the primer once; the distribution of the first new symbol and the states."""
        ids = self.vocab.encode([DELIMITER_SYM] * self.context + list(primer))
        states = [np.zeros((1, self.units), np.float32) for _ in range(4)]
        for i in ids:
            p, states = self._feed(np.array([i]), states)
        return p, states

    def generate(self, n: int = 1, *, temperature: float = 1.0, primer: Sequence[str] = (),
                 max_steps: int = MAX_STEPS, seed: int = 0, may_end: bool = True) -> list[list[str]]:
        """n melodies (primer + new symbols), each ending before the first `/` or after max_steps new ones.

        Without a primer the first symbol is a note or a rest (`must_start`): after 64 `/` an empty melody
        is never what was asked for, the LSTM cannot count 64 `/` exactly, and a hold would hold nothing.
        """
        with self._call.fixed():     # the weights read once for the whole draw
            rng = np.random.default_rng(seed)
            p, states = self.start(primer)
            p = must_start(np.repeat(p, n, axis=0), start_banned(self.vocab), primer)
            states = [np.repeat(np.asarray(s), n, axis=0) for s in states]
            delim = self.vocab.id(DELIMITER_SYM)
            out = np.full((n, max_steps), delim, np.int32)
            done = np.zeros(n, bool)
            for t in range(max_steps):
                if not may_end:  # a fixed length: `/` is never drawn (the GAN-style openings of 64 steps)
                    p = without(p, [delim])
                nxt = sample(p, temperature, rng).astype(np.int32)
                out[:, t] = np.where(done, delim, nxt)
                done |= nxt == delim
                if done.all():
                    break
                p, states = self._feed(nxt, states)
        return [list(primer) + until_delimiter(self.vocab.decode(row)) for row in out]


def generate_naive(model: keras.Model, vocab: Vocabulary, *, temperature: float = 1.0,
                   primer: Sequence[str] = (), max_steps: int = MAX_STEPS, seed: int = 0,
                   whole_history: bool = False) -> list[str]:
    """The thesis's way, kept as a reference: re-run the last 64 symbols (the model's window) for every new symbol.

    whole_history=True re-runs the whole history from the first `/` instead: exactly what `Generator`
    computes once per symbol by carrying the state, so the two must agree (a test checks it).
    """
    from ..core.backend import compiled

    rng = np.random.default_rng(seed)
    V, n, units = model_dims(model)
    if whole_history:
        model = rebuild(model, None)
    call = compiled(model)  # as fast as the backend allows
    ids = list(vocab.encode([DELIMITER_SYM] * n + list(primer)))
    delim, new = vocab.id(DELIMITER_SYM), []
    for t in range(max_steps):
        x = np.array([ids if whole_history else ids[-n:]], np.int32)
        p = np.asarray(call(x))
        if t == 0:
            p = must_start(p, start_banned(vocab), primer)
        nxt = int(sample(p, temperature, rng)[0])
        if nxt == delim:
            break
        ids.append(nxt)
        new.append(nxt)
    return list(primer) + vocab.decode(new)
