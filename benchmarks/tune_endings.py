"""Where the whole-tune model's tunes end, by the mode asked for, with the ending rule (the default: a tune may not
end on the other mode's tonic) and without it (`--free-ending`), beside the held-out ballads: the last notes, and
the share heard in the mode asked for by the mode analysis (`theory.melody_mode`), with the last notes of the
tunes it misreads. docs/tunes.md ("How a tune ends") reports it.

Run: KERAS_BACKEND=jax .venv/bin/python benchmarks/tune_endings.py [--tunes 200] [--seeds 0 1 2] [--weights PATH]
"""

import argparse
from collections import Counter


def last_notes(melodies) -> Counter:
    """How many melodies end on each pitch class (by name)."""
    from thesis_lib.data.theory import PITCH_NAMES

    return Counter(PITCH_NAMES[[p for p, _ in m.events if p is not None][-1] % 12] for m in melodies)


def report(label: str, melodies, mode: str) -> None:
    """One line: how many are heard in `mode`, where they end, where the misread ones end, how many never ended."""
    from thesis_lib.core.config import MAX_STEPS
    from thesis_lib.data.theory import melody_mode

    wrong = [m for m in melodies if melody_mode(m.events) != mode]
    print(f"{label:34s} {mode}: {len(melodies)} tunes, heard in {mode} {1 - len(wrong) / len(melodies):6.1%}; "
          f"end on {dict(last_notes(melodies).most_common(6))}; misread ones end on "
          f"{dict(last_notes(wrong).most_common(6))}; {sum(m.steps >= MAX_STEPS for m in melodies)} stopped at "
          f"{MAX_STEPS} steps")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tunes", type=int, default=200, help="tunes per mode and seed")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--weights", default=None, help="a tunes.keras (default: the shipped one)")
    args = ap.parse_args()

    from thesis_lib import sources
    from thesis_lib.data.corpus import embedded_split
    from thesis_lib.data.melody import Melody

    for rule in (True, False):
        for mode in ("major", "minor"):
            tunes = [m for seed in args.seeds for m in sources.melodies(
                "tunes", args.tunes, seed=seed, mode=mode, weights=args.weights, end_in_mode=rule).melodies]
            report("whole-tune model, " + ("ending rule" if rule else "--free-ending"), tunes, mode)
    held = [Melody.from_song(s) for s in embedded_split()[1]]
    for mode in ("major", "minor"):
        report("held-out ballads", [m for m in held if m.mode == mode], mode)


if __name__ == "__main__":
    main()
