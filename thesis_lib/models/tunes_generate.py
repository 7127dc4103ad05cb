"""The whole-tune model's batched generation (07_tunes; the network and its training: `tunes`): whole tunes, each
in its own meter, mode and pickup, ending where the model writes `/`.

Order of use: `Generator(model, vocab).generate(n, meters=…, modes=…, pickups=…)`; `sources.melodies("tunes", …)`
and `generate --model tunes` call it.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..core.backend import keras, layers
from ..core.config import DELIMITER, TONIC
from ..data.encoding import Vocabulary, parse_symbol
from .tunes import arm_of, copy_head
from .tunes_data import COPYING, LOOKBACK, PAD_TO, features, trim_silence


# the pitch class a tune in each mode may not end on: the other mode's tonic. C major and A minor share every pitch,
# so where a tune comes to rest is its mode (the mode analysis reads a melody by its last note when that is C or A),
# and the ballads keep to it: of the training side's 126 minor tunes none ends on C, of its 615 major ones 3 on A
RELATIVE_TONIC = {"major": TONIC["minor"], "minor": TONIC["major"]}


class Generator:
    """Batched generation of whole tunes, each in its own meter, mode and pickup. The recurrent arms carry their
    LSTM states (a one-step twin of the network, sharing its weights); the attention arm reads the whole tune so
    far at every step. Features come from `tunes_data.features`, as in training."""

    def __init__(self, model: keras.Model, vocab: Vocabulary):
        from ..core.backend import compiled

        self.model, self.vocab, self.arm = model, vocab, arm_of(model)
        if len(vocab) != model.output_shape[-1]:
            raise ValueError(f"the model has {model.output_shape[-1]} output symbols but the vocabulary {len(vocab)}")
        self.lookback = LOOKBACK[self.arm]
        self.recurrent = self.arm != "attention"
        if self.recurrent:
            self.step, self.units, self.states = step_model(model)
            self._call = compiled(self.step)
        else:
            self._call = compiled(model)

    def generate(self, n: int, *, meters: Sequence[str], modes: Sequence[str], pickups: Sequence[int],
                 temperature: float = 1.0, primer: Sequence[str] = (), max_steps: int = 512, seed: int = 0,
                 end_in_mode: bool = True) -> list[list[str]]:
        """n tunes (primer + new symbols, no `/`), tune k in meters[k], modes[k] with pickups[k]; each ends where
        the model writes `/`, or after `max_steps` new symbols. Without a primer the first symbol is a note or a
        rest. With `end_in_mode`, a tune may not end on the other mode's tonic (`RELATIVE_TONIC`): where the model
        ends it there, it draws again without `/` and goes on (the model's own distribution given that it goes on),
        and every other tune is the one it writes without the rule. A bar of silence before the end (the model
        rests, then stops) is cut: `tunes_data.trim_silence`.

        Only the tunes still being written are computed, in a batch of the next power of two rows (at least
        `MIN_BATCH`; a few shapes, each compiled once), padded with copies: as tunes end, the batch shrinks. The random
        draws are made for the whole batch at every step, so a tune is the same whichever others have ended."""
        from ..core.sampling import must_start, sample, without
        from ..data.encoding import start_banned

        rng, redraws = np.random.default_rng(seed), np.random.default_rng([seed, 1])
        end = self.vocab.id(DELIMITER)
        start = list(self.vocab.encode(primer))
        total = len(start) + max_steps
        history = np.full((n, -(-(total + 1) // PAD_TO) * PAD_TO), end, np.int32)  # room for the padded steps
        history[:, :len(start)] = start
        meters, modes, pickups = np.asarray(meters), np.asarray(modes), np.asarray(pickups)
        alive = np.arange(n)                 # the tunes still being written
        rows = np.concatenate([alive, np.zeros(_width(n) - n, int)])  # the batch computed: `alive`, padded
        states = ({name: np.zeros((len(rows), self.units), np.float32) for name in self.states} if self.recurrent
                  else None)
        banned = start_banned(self.vocab)
        pitch_class = np.array([p % 12 if kind == "onset" else -1
                                for kind, p in map(parse_symbol, self.vocab.symbols)])   # of each id; -1: no note
        avoid = np.array([RELATIVE_TONIC[m] if end_in_mode else -2 for m in modes])   # -2: no pitch class
        notes = [pitch_class[k] for k in start if pitch_class[k] >= 0]
        last = np.full(n, notes[-1] if notes else -1)   # each tune's last note so far (pitch class)
        with self._call.fixed():
            for i in range(total):
                # the attention arm reads the whole tune so far, padded to a multiple of 64 steps (a handful of
                # shapes to compile; what follows step i cannot reach it through the causal mask)
                steps = np.array([i]) if self.recurrent else np.arange(-(-(i + 1) // PAD_TO) * PAD_TO)
                x = features(history[rows], steps, meters[rows], modes[rows], pickups[rows], self.lookback,
                             len(self.vocab), end).as_dict(self.arm)
                if self.recurrent:
                    p, *after = self._call({**x, **states})
                    states = dict(zip(self.states, after))
                    p = p[:len(alive), 0]
                else:
                    p = self._call(x)[:len(alive), i]
                if i < len(start):
                    continue                     # the primer is given, its states are fed
                if i == len(start):
                    p = must_start(p, banned, primer)
                nxt = sample(p, temperature, rng, rows=alive, batch=n).astype(np.int32)
                # a tune that would end on the other mode's tonic draws again without `/` (from a stream of draws of
                # its own, made at every step: the other tunes, and this one up to here, are as without the rule)
                stuck = (nxt == end) & (last[alive] == avoid[alive])
                nxt[stuck] = sample(without(p[stuck], [end]), temperature, redraws, rows=alive[stuck], batch=n)
                history[alive, i] = nxt
                played = pitch_class[nxt] >= 0
                last[alive[played]] = pitch_class[nxt[played]]
                going = nxt != end
                if going.all():
                    continue
                alive = alive[going]
                if not len(alive):
                    break
                width = min(_width(len(alive)), len(rows))
                rows = np.concatenate([alive, np.repeat(alive[:1], width - len(alive))])
                if self.recurrent:
                    states = {k: np.concatenate([v[:len(going)][going], v[:width - len(alive)]])
                              for k, v in states.items()}
        out = []
        for row, meter, pickup in zip(history, meters, pickups):
            symbols = self.vocab.decode(row[:total])
            symbols = symbols[:symbols.index(DELIMITER)] if DELIMITER in symbols else symbols
            out.append(trim_silence(symbols, str(meter), int(pickup), keep=len(start)))
        return out


MIN_BATCH = 16


def _width(k: int) -> int:
    """The rows computed for k tunes still being written: the next power of two, at least MIN_BATCH."""
    return max(MIN_BATCH, 1 << (k - 1).bit_length())


def step_model(model: keras.Model) -> tuple[keras.Model, int, list[str]]:
    """A one-step twin of a recurrent arm: {its inputs at one step, h1, c1, h2, c2, …} → [p, h1', c1', …], built
    from copies of its layers (the LSTMs returning their states) and given the weights of the layers of the same
    names; with its width and the names of the states in the order it returns them."""
    lstms = sorted(l.name for l in model.layers if l.name.startswith("lstm_"))
    units = model.get_layer(lstms[0]).units
    inputs = {t.name: keras.Input((1, *t.shape[2:]), dtype=t.dtype, name=t.name) for t in model.inputs}
    names = [f"{c}{i}" for i in range(1, len(lstms) + 1) for c in "hc"]
    states = {name: keras.Input((units,), name=name) for name in names}

    def twin(name, **kw):
        src = model.get_layer(name)
        return src.__class__.from_config({**src.get_config(), **kw})

    parts = [twin("symbol")(inputs["previous"]), inputs["style"]]
    if "position" in inputs:
        parts += [inputs["position"], inputs["bars"]]
    if "lookback" in inputs:
        back = twin("lookback_symbol")(inputs["lookback"])
        parts += [layers.Reshape((1, back.shape[2] * back.shape[3]), name="lookback_symbols")(back), inputs["repeats"]]
    x = layers.Concatenate(name="inputs")(parts)
    outs = []
    for i, name in enumerate(lstms, start=1):
        x, h, c = twin(name, return_state=True)(x, initial_state=[states[f"h{i}"], states[f"c{i}"]])
        outs += [h, c]
    if "with_style" in {layer.name for layer in model.layers}:
        x = layers.Concatenate(name="with_style")([x, inputs["style"]])
    p = twin("next_symbol")(x)
    if arm_of(model) in COPYING:
        p = copy_head(p, x, inputs["lookback"], model.output_shape[-1], inputs["lookback"].shape[-1])
    step = keras.Model({**inputs, **states}, [p, *outs], name=f"{model.name}_step")
    for layer in step.layers:
        if layer.weights:
            layer.set_weights(model.get_layer(layer.name).get_weights())
    return step, units, names
