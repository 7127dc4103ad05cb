"""Keras on one backend, imported once and quietly: no start-up lines on the console or in a notebook cell unless
THESIS_VERBOSE asks for them, and the same seed gives the same numbers."""

import os
import subprocess
import sys

import numpy as np

from thesis_lib.core import backend

STARTUP = ("cuInit", "cuda", "absl::InitializeLog", "oneDNN", "TensorFlow binary is optimized")


def _import_in_a_fresh_process(**env):
    # set_seed too: on JAX, Keras imports TensorFlow there (to seed it), the first time TensorFlow starts
    code = ("import thesis_lib.core.backend as b; b.set_seed(0); b.keras.ops.sum(b.keras.ops.ones((2,))); "
            "print(b.name())")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **env})


def test_the_backend_starts_quietly_and_says_everything_when_asked():
    quiet = _import_in_a_fresh_process(THESIS_VERBOSE="")
    assert quiet.returncode == 0 and quiet.stdout.strip() == backend.name()
    assert not [w for w in STARTUP if w in quiet.stderr], quiet.stderr
    if backend.name() == "tensorflow":  # the control: those lines exist, and THESIS_VERBOSE lets them through
        loud = _import_in_a_fresh_process(THESIS_VERBOSE="1")
        assert [w for w in STARTUP if w in loud.stderr], loud.stderr


def test_only_the_start_up_is_silenced(capfd):
    with backend.quiet_stderr():
        os.write(2, b"a start-up line\n")
    os.write(2, b"a C++ error line\n")
    err = capfd.readouterr().err
    assert "a C++ error line" in err and "a start-up line" not in err


def test_same_seed_same_numbers():
    backend.set_seed(3)
    a = np.asarray(backend.keras.random.normal((4,)))
    backend.set_seed(3)
    assert np.array_equal(a, np.asarray(backend.keras.random.normal((4,))))
    assert backend.machine()["backend"] == backend.name()
