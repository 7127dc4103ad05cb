"""A measurement in a fresh Python process of its own (so each option starts from the same cold state, and a
backend is chosen before Keras is imported): run a child script, return the JSON object its last line prints."""

import json
import os
import subprocess
import sys


def run_child(code: str, *args, label: str, env: dict | None = None) -> dict:
    """`python -c code args…` with `env` added to this process's environment; exits naming `label` and showing the
    end of the child's stderr when it fails."""
    r = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, check=False,
                       env={**os.environ, **(env or {})})
    if r.returncode:
        sys.exit(f"{label}: failed\n{r.stderr[-2000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])
