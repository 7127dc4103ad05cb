"""The `thesis-music` command line: `command` assembles the verbs and `main` runs them; one module per verb family."""

from .command import main

__all__ = ["main"]
