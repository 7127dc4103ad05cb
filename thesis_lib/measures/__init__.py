"""Objective measures: of one melody (`metrics`) and of a set against a reference (`evaluation`). They receive
melodies and never run a model."""
