"""Writes the hand-made MIDI fixtures byte by byte (no music21), so the reader is tested on files it did not write.

Run: python tests/data/make_midi.py   (the .mid files are committed; this documents how they were made)
"""

import struct
from pathlib import Path

TPQ = 480  # ticks per quarter note; a 16th is 120


def vlq(n: int) -> bytes:
    """MIDI variable-length quantity."""
    out = [n & 0x7F]
    while n > 127:
        n >>= 7
        out.append((n & 0x7F) | 0x80)
    return bytes(reversed(out))


def track(notes, extra=b"") -> bytes:
    """notes: (start_tick, length_ticks, midi_pitch); one channel, velocity 80."""
    evs = []
    for start, length, pitch in notes:
        evs += [(start, 1, bytes([0x90, pitch, 80])), (start + length, 0, bytes([0x80, pitch, 0]))]
    evs.sort(key=lambda e: (e[0], e[1]))
    body, now = bytearray(extra), 0
    for t, _, msg in evs:
        body += vlq(t - now) + msg
        now = t
    body += b"\x00\xff\x2f\x00"
    return b"MTrk" + struct.pack(">I", len(body)) + body


def smf(notes, extra=b"") -> bytes:
    return b"MThd" + struct.pack(">IHHH", 6, 0, 1, TPQ) + track(notes, extra)


def seq(pitches_16ths):
    """[(pitch, n16ths), ...] laid end to end; pitch None is a rest."""
    t, out = 0, []
    for p, n in pitches_16ths:
        if p is not None:
            out.append((t, n * 120, p))
        t += n * 120
    return out


METER_44 = b"\x00\xff\x58\x04\x04\x02\x18\x08"  # time signature 4/4
if __name__ == "__main__":
    here = Path(__file__).parent
    # E harmonic minor, no key signature event: the key comes from analysis (e minor -> +5)
    e_minor = [(64, 4), (67, 4), (71, 4), (76, 4), (75, 2), (76, 2), (71, 4), (None, 4), (67, 4),
               (66, 4), (63, 4), (64, 8), (71, 4), (64, 4)]
    (here / "e_minor.mid").write_bytes(smf(seq(e_minor), METER_44))
    # two notes at once: not monophonic
    (here / "chord.mid").write_bytes(smf([(0, 480, 60), (0, 480, 64), (480, 480, 62)], METER_44))
