"""Songs and melodies as data: the corpus and its parser, the 16th-note symbols, the `Melody` value, scores,
music theory, and the meter reader."""
