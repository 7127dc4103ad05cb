"""Keras, imported once and quietly: the one place the project imports it. `from ..core.backend import keras,
layers, ops` in a model module gives Keras 3 on the backend `KERAS_BACKEND` names (TensorFlow by default, the
design card's package), with the backend's start-up lines (CUDA probing, oneDNN and XLA notices, absl's
"log messages before absl::InitializeLog()") kept off the console and out of notebook cells. They are not
errors, but they read like ones. `THESIS_VERBOSE=1` lets them through; Python exceptions and warnings raised
after start-up always show.

Also here: `set_seed` (same seed, same music on CPU) and `machine` (where a run happened, for provenance files).
"""

from __future__ import annotations

import contextlib
import os
import sys

VERBOSE = "THESIS_VERBOSE"


@contextlib.contextmanager
def quiet_stderr():
    """Close the process's stderr (file descriptor 2, where C++ libraries write) for the block, unless
    `THESIS_VERBOSE` is set. TF_CPP_MIN_LOG_LEVEL no longer silences TensorFlow's start-up (2.19+), and a Jupyter
    kernel shows what C++ code writes to fd 2 in the cell."""
    if os.environ.get(VERBOSE, "") not in ("", "0"):
        yield
        return
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def _import_keras():
    """Import Keras (and through it the backend) with the start-up lines silenced; run one operation too, since
    TensorFlow prints a second round of them at its first."""
    if "keras" in sys.modules:
        return sys.modules["keras"]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with quiet_stderr():
        import keras

        keras.ops.convert_to_numpy(keras.ops.add(keras.ops.ones((1,)), 1))
        if keras.backend.backend() != "tensorflow":
            # on another backend Keras still imports TensorFlow, where installed, the first time it serializes a
            # layer or seeds (`module_utils.tensorflow.available`): do it here, quietly, not in the middle of a run
            from keras.src.utils.module_utils import tensorflow as lazy_tf

            lazy_tf.available  # noqa: B018
    return keras


keras = _import_keras()
layers, ops = keras.layers, keras.ops


def tensorflow():
    """The TensorFlow module, imported quietly through Keras (for the `tf.data` pipeline and `tf.function`)."""
    import tensorflow as tf

    return tf


def name() -> str:
    """The backend Keras runs on: `tensorflow` or `jax` (or `torch`)."""
    return keras.backend.backend()


class Compiled:
    """A fast inference call of a Keras model on this backend, for step-by-step generation (see `compiled`):
    `call(x)` takes the model's inputs and returns numpy arrays. It reads the model's current weights at every
    call, so a model still training is followed; inside `with call.fixed():` it reads them once, at the start of
    the block (a generation loop of hundreds of steps does not gather them again each step)."""

    def __init__(self, model):
        self.model, self._fixed, self.backend = model, None, name()
        if self.backend == "tensorflow":
            tf = tensorflow()
            self._fn = tf.function(lambda x: model(x, training=False), reduce_retracing=True)
        elif self.backend == "jax":
            import jax

            @jax.jit
            def fn(trainable, non_trainable, x):
                return model.stateless_call(trainable, non_trainable, x, training=False)[0]

            self._jit = fn
        else:
            self._fn = lambda x: model(x, training=False)

    def _weights(self):
        return ([v.value for v in self.model.trainable_variables],
                [v.value for v in self.model.non_trainable_variables])

    def __call__(self, x):
        import numpy as np

        if self.backend == "jax":
            out = self._jit(*(self._fixed or self._weights()), x)
        else:
            out = self._fn(x)
        return [np.asarray(o) for o in out] if isinstance(out, (list, tuple)) else np.asarray(out)

    @contextlib.contextmanager
    def fixed(self):
        """The weights as they are now, for the whole block (on JAX; elsewhere the call reads them itself)."""
        if self.backend == "jax":
            self._fixed = self._weights()
        try:
            yield self
        finally:
            self._fixed = None


def compiled(model) -> Compiled:
    """A fast inference call of a Keras model on this backend, for step-by-step generation: `tf.function` on
    TensorFlow, `jax.jit` of the stateless call on JAX (reading the model's current weights at every call, so a
    model still training is followed; `with call.fixed():` reads them once for a block); plain calls elsewhere.
    Takes the model's inputs, returns numpy arrays."""
    return Compiled(model)


def set_seed(seed: int) -> None:
    """Seed Python's `random`, numpy and the backend at once: same seed, same music on CPU. (Keras seeds TensorFlow
    too where it is installed, importing it on the JAX backend: quietly, as above.)"""
    with quiet_stderr():
        keras.utils.set_random_seed(int(seed))


def machine() -> dict:
    """Where a run happened: platform, CPU count, backend and accelerators, library versions."""
    import platform

    info = {"platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count(),
            "backend": name(), "keras": keras.__version__}
    if name() == "tensorflow":
        import tensorflow as tf

        info.update(gpus=[d.name for d in tf.config.list_logical_devices("GPU")],
                    gpu_names=[tf.config.experimental.get_device_details(d).get("device_name", "")
                               for d in tf.config.list_physical_devices("GPU")], tensorflow=tf.__version__)
    elif name() == "jax":
        import jax

        info.update(gpus=[str(d) for d in jax.devices() if d.platform == "gpu"],
                    gpu_names=[getattr(d, "device_kind", "") for d in jax.devices() if d.platform == "gpu"],
                    jax=jax.__version__)
    return info
