"""thesis_lib: the helper library behind the notebook series (corpus -> encoding -> models -> evaluation).

The folders are the layers, lowest first; a module imports only from its own folder or the folders before it
(`tests/test_layers.py` checks it):

  core      settings (`config`), errors, atomic files, temperature sampling
  data      songs in (`corpus`, `parsing`), symbols (`encoding`), the `Melody` value, scores (`notation`),
            music theory, the meter reader
  models    the Table-1 LSTM, the n-gram, the thesis's GANs and the improved GAN, scoring, checkpoints, the
            shipped weights
  sources   melodies from any model, baseline, held-out song or file, each born as a `Melody`
  measures  per-melody metrics and set-against-set evaluation (they receive melodies, never run a model)
  render    files, audio and figures
  survey    the listening survey: stimuli, answers, the participants' page, the analysis
  lab       what a notebook cell calls: chapter set-up, showing melodies, the panel, the papermill series
  cli       the `thesis-music` command

Importing the package is cheap: no TensorFlow and no music21 until a function needs them.
"""

__version__ = "0.1.0"
LAYERS = ("core", "data", "models", "sources", "measures", "render", "survey", "lab", "cli")
