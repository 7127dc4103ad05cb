"""Where melodies come from: drawn from a model, a baseline or the held-out songs (`draw`), or read back from
files (`read`). Every melody is born here as a `data.melody.Melody`."""

from .draw import (
           GENERATORS,
           LABELS,
           SOURCES,
           Batch,
           Matching,
           comparison_sets,
           matching,
           melodies,
)
from .read import from_files, melody_files

__all__ = ["GENERATORS", "LABELS", "SOURCES", "Batch", "Matching", "comparison_sets", "from_files", "matching",
           "melodies", "melody_files"]
