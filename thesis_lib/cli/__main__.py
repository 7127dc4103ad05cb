"""`python -m thesis_lib.cli`: the same as the `thesis-music` command."""

import sys

from .command import main

sys.exit(main())
