"""Every thesis hyperparameter in one place, with the section it comes from; profiles override them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

# --- where things live ---
PACKAGE = Path(__file__).resolve().parents[1]   # thesis_lib/
REPO = PACKAGE.parent                           # a clone of the repository (notebooks/, data/, outputs/)
PRETRAINED = PACKAGE / "pretrained"             # the shipped weights and their provenance

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
TONIC = {"major": MAJOR_TARGET_MIDI % 12, "minor": MINOR_TARGET_MIDI % 12}  # each mode's tonic, as a pitch class

# --- generation and listening (§3.2, §3.4) ---
MAX_STEPS = 512                # most new 16th steps of a generated melody (32 bars of 4/4)
VAL_FRACTION = 0.1             # share of songs held out for validation, split by song (beyond the thesis)
BPM = 100                      # tempo of every MIDI and WAV file (quarter notes per minute)
STIMULUS_STEPS = 64            # survey stimuli are cut to the GAN's length, so length gives no source away
NGRAM_ORDER, NGRAM_DISCOUNT = 5, 0.75  # the n-gram baseline: what markov.choose_order picks on held-out songs (04)

# --- GAN diagnostics and the bar a shipped generator must meet (§3.3 and beyond) ---
DIAGNOSTIC_SAMPLES = 256       # fixed noise vectors decoded after every epoch, and fresh ones at the end
SHIP_MAX_ALL_HOLDS = 0.05      # at most 5% of samples only holds (95% upper Wilson bound)
SHIP_MIN_DISTINCT = 0.90       # at least 90% of samples distinct (95% lower Wilson bound)


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
    gan_dropout: float = 0.3    # Tables 2-3 list Dropout layers without a rate; 0.3 as in Table 1
    # WGAN-GP (Gulrajani et al. 2017), the check of the thesis's "WGAN did not help"
    wgan_critic_steps: int = 5
    wgan_gp_weight: float = 10.0
    wgan_learning_rate: float = 1e-4
    wgan_beta_1: float = 0.5
    wgan_beta_2: float = 0.9
    # beyond the thesis (05, gan_improved): help for the DCGAN's G (MidiNet's code)
    fm_weight: float = 0.1
    fm_real_label: float = 0.9
    fm_g_steps: int = 2
    # WGAN-GP over 1-D convolutions (Gulrajani et al. 2017: width 512, 5 blocks, kernel 5, 10 critic steps;
    # narrower and with fewer critic steps here, so that minutes of CPU train it at all)
    gan1d_width: int = 64
    gan1d_blocks: int = 5
    gan1d_kernel: int = 5
    gan1d_noise_size: int = 128
    gan1d_critic_steps: int = 5
    # SeqGAN: an LSTM generator (Table 1's layers) pre-trained by MLE, then REINFORCE against a 1-D CNN
    seqgan_pretrain_share: float = 2 / 3    # of the time budget spent on MLE pre-training
    seqgan_learning_rate: float = 1e-4      # G's adversarial steps: small, to fine-tune
    seqgan_d_learning_rate: float = 1e-3
    seqgan_d_pretrain_steps: int = 150      # D learns real from generated openings before G listens to it
    seqgan_batch_size: int = 64
    seqgan_mle_weight: float = 1.0          # the MLE term that keeps G anchored to the songs
    seqgan_d_width: int = 64
    seqgan_steps_per_epoch: int = 25        # adversarial steps between diagnostics and checkpoints
    gan_windows_per_epoch: int | None = None  # None: every window each epoch (the thesis); else a fresh random draw
    # the whole-tune model (07, beyond the thesis): Table 1's LSTM width, a tune per sequence, the epoch kept by the
    # NLL of held-back training songs
    tunes_arm: str = "copy"             # which inputs and output (models/tunes_data.ARMS): the ablation's pick
    tunes_units: int = 256
    tunes_layers: int = 2
    tunes_style_out: bool = False       # meter and mode given to the output layer as well as to the LSTMs
    tunes_minor_copies: int = 1         # each minor training tune this many times an epoch
    tunes_aeolian: bool = False         # also the major tunes ending on C moved into A Aeolian, as minor tunes
    tunes_dropout: float = 0.5          # 0.3 in the ablation; 0.5 ships: its tunes repeat three times as often
    tunes_learning_rate: float = 2e-3   # with batches of 8 tunes: at 12 epochs, held-back NLL 0.721 against 0.843
    tunes_batch: int = 8                # for 1e-3 and 32 tunes (tunes of similar length a batch: little padding)
    tunes_epochs: int = 24              # an epoch is one pass over the training tunes (20-50 s on this CPU); the
                                        # held-back NLL is lowest before epoch 24 and rises after (the best is kept)
    # speed on an accelerator (benchmarks/training_options.py measures each; off by default, as in the thesis)
    jit_compile: bool = False           # XLA-compile the training step
    steps_per_execution: int = 1        # training steps per call into the compiled function
    mixed_precision: bool = False       # float16 compute, float32 weights and softmax (for GPUs' matrix units)
    # §3.1: temperatures shown in the thesis (Figs. 11-12)
    temperatures: tuple[float, ...] = (0.0, 1.0)
    # how many songs notebooks show as examples
    example_songs: int = 3
    # §3.4 and beyond: melodies per row of the comparison table (06_survey)
    eval_melodies: int = 100


PROFILES: dict[str, Profile] = {
    "full": Profile(name="full"),
    "quick": Profile(name="quick", max_songs=120, lstm_epochs=2, lstm_windows_per_epoch=4096, gan_epochs=2,
                     gan_windows_per_epoch=1024, eval_melodies=24, seqgan_steps_per_epoch=5, seqgan_d_pretrain_steps=10,
                     tunes_epochs=2, tunes_units=64),
}

THESIS = PROFILES["full"]  # the thesis's own settings: the default of every model builder


def get_profile(name: str, **overrides) -> Profile:
    """Return the named profile (`quick` or `full`), with any field overridden by keyword."""
    try:
        profile = PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown profile {name!r}; choose one of {sorted(PROFILES)}") from None
    return replace(profile, **overrides) if overrides else profile
