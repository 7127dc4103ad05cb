"""Every custom exception of the project, in one place; the CLI turns them into one line and an exit code."""


class ThesisError(Exception):
    """Base class: an error a user can act on, with a message naming the file and the reason."""


class SongRejected(ThesisError):
    """A song that cannot be used (not monophonic, unsupported duration, empty); carries the reason."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class CorpusError(ThesisError):
    """A corpus run that produced no usable song, or a path that cannot be read at all."""


class VocabularyError(ThesisError):
    """A symbol that is not in the vocabulary, or a vocabulary file that cannot be read."""


class UsageError(ThesisError):
    """A command line that cannot be carried out as written (the CLI's exit code 2)."""
