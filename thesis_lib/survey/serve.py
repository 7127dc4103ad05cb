"""`thesis-music survey serve`: the participants' page, served by the web app (`web`, the default) or by Voilà
(`form.ipynb`, which builds the ipywidgets `page.SurveyPage`); and the helpers that wait for a server or find a
free port."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

from .page import ENV_AUDIO, ENV_RESPONSES, ENV_STIMULI, wav_bytes
from .store import AnswerStore, SurveyError

FORM = Path(__file__).resolve().parent / "form.ipynb"


ENGINES = ("web", "voila")
CULL = {"voila": ["--MappingKernelManager.cull_idle_timeout=300", "--MappingKernelManager.cull_interval=60"]}


def serve(stimuli: str | os.PathLike, responses: str | os.PathLike, *, engine: str = "web", port: int = 8866,
          host: str = "127.0.0.1", audio: str | os.PathLike | None = None, ready=None,
          log: str | os.PathLike | None = None) -> int:
    """Serve the participants' page at http://HOST:PORT/ until Ctrl-C or SIGTERM: the web app (`web`, one process,
    plain HTML; the default) or Voilà running `form.ipynb` (`voila`, a Python kernel per visit, culled 5 minutes
    after its page went quiet). The stimuli are checked, the answers file made and the sound rendered before the
    first participant arrives. `ready` is called once the page can be opened; `log` (web) is a request log."""
    from .stimuli import AUDIO, load_stimuli

    if engine not in ENGINES:
        raise SurveyError(f"engine {engine!r}: choose {' or '.join(ENGINES)}")
    ids = [s["id"] for s in load_stimuli(stimuli)]  # fail here, with the file's name, not in a browser
    AnswerStore(responses, ids)  # creates the file (and migrates an old responses.csv) before anyone answers
    audio = Path(audio or AUDIO)
    wav_bytes(stimuli, audio)  # render the sound once, before the first participant waits for it
    if engine == "web":
        from .web import run

        return run(stimuli, responses, audio, port=port, host=host, ready=ready, log=log)
    return _voila(stimuli, responses, audio, port, host, ready)


def _voila(stimuli, responses, audio: Path, port: int, host: str, ready) -> int:
    """Voilà in a subprocess, stopped with this process (SIGTERM from a service manager or a test included)."""
    import signal
    import subprocess
    import sys

    env = {**os.environ, ENV_STIMULI: str(Path(stimuli).resolve()), ENV_RESPONSES: str(Path(responses).resolve()),
           ENV_AUDIO: str(audio.resolve())}
    cmd = [sys.executable, "-m", "voila", str(FORM), f"--port={port}", f"--Voila.ip={host}", "--no-browser",
           "--strip_sources=True", "--theme=light", "--show_tracebacks=False", *CULL["voila"]]
    process = subprocess.Popen(cmd, env=env)

    def stop(signum, frame):  # never leave Voilà serving alone
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        if ready and wait_until_serving(port, "127.0.0.1" if host == "0.0.0.0" else host):
            ready()
        return process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(30)


def free_port() -> int:
    """A TCP port nobody listens on now (for a page of one's own beside another survey)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(port: int, host: str = "127.0.0.1", seconds: float = 120) -> bool:
    """True once something accepts connections on HOST:PORT (Voilà takes seconds to start), False after
    `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection((host, port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.5)
    return False
