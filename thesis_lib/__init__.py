"""thesis_lib: the helper library behind the notebook series (corpus -> encoding -> models -> evaluation).

Importing the package is cheap: no TensorFlow and no music21 until a function needs them.
"""

__version__ = "0.1.0"
