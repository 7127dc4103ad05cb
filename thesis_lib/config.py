"""Every thesis hyperparameter in one place, with the section it comes from; profiles override them."""

from __future__ import annotations

from dataclasses import dataclass, replace

# --- the thesis's own figures (for comparison tables; never used to fake a result) ---
THESIS_SONGS = 687            # ch. 2: KernScores Essen "ballad" subclass, **kern files
THESIS_VOCAB_SINGLE_HOLD = 34  # §3.2: LSTM vocabulary
THESIS_VOCAB_PER_PITCH = 64    # §3.3: GAN vocabulary with a hold symbol per pitch
THESIS_WINDOWS = 109_263       # §3.2 and §3.3: training samples

# --- encoding (§3.1) ---
STEPS_PER_QUARTER = 4          # one time step = one 16th note
HOLD = "_"                     # "the previous note still sounds" (the thesis prints "–")
REST = "r"
DELIMITER = "/"                # start / end of a melody
MAJOR_TARGET_MIDI = 60         # C4: major songs go to C major (ch. 2)
MINOR_TARGET_MIDI = 69         # A4: minor songs go to A minor (ch. 2)


@dataclass(frozen=True)
class Profile:
    """One named set of settings; `full` is the thesis, `quick` is a CPU-sized rehearsal of it."""

    name: str
    sequence_length: int = 64   # §3.2: 64 steps = four 4/4 bars of 16ths
    separator_length: int = 64  # §3.2: songs separated by `/`; 64 so no window spans two songs
    max_songs: int | None = None  # cap on songs fed to the models (None = all)
    # §3.2, Table 1: LSTM
    lstm_units: int = 256
    lstm_dropout: float = 0.3
    lstm_learning_rate: float = 1e-3
    lstm_epochs: int = 50
    lstm_batch_size: int = 128
    every_step_stride: int = 16  # every-step mode: a window every 16 steps, each with 64 targets
    lstm_windows_per_epoch: int | None = None  # None: every training window each epoch (the thesis); else a fresh random draw
    # §3.3, Tables 2-4: DCGAN
    gan_noise_size: int = 32    # Table 2's 67,584 Dense params imply 32 (the text says 128)
    gan_learning_rate_g: float = 1e-4
    gan_learning_rate_d: float = 1e-3
    gan_epochs: int = 100
    gan_batch_size: int = 64
    gan_windows_per_epoch: int | None = None  # None: every window each epoch (the thesis); else a fresh random draw
    # §3.1: temperatures shown in the thesis (Figs. 11-12)
    temperatures: tuple[float, ...] = (0.0, 1.0)
    # how many songs notebooks show as examples
    example_songs: int = 3
    # §3.4 and beyond: melodies per row of the comparison table (06_survey)
    eval_melodies: int = 100


PROFILES: dict[str, Profile] = {
    "full": Profile(name="full"),
    "quick": Profile(name="quick", max_songs=120, lstm_epochs=2, lstm_windows_per_epoch=4096, gan_epochs=2,
                     gan_windows_per_epoch=2048, eval_melodies=24),
}


def get_profile(name: str, **overrides) -> Profile:
    """Return the named profile (`quick` or `full`), with any field overridden by keyword."""
    try:
        profile = PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown profile {name!r}; choose one of {sorted(PROFILES)}") from None
    return replace(profile, **overrides) if overrides else profile


def set_seed(seed: int) -> None:
    """Seed Python's `random`, numpy and TensorFlow/Keras at once: same seed, same music on CPU."""
    import keras

    keras.utils.set_random_seed(int(seed))
