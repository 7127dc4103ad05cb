"""`thesis-music survey serve`: Voilà serves the participants' page (`form.ipynb`, which builds `page.SurveyPage`),
and the helpers that wait for a server or find a free port."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

from .page import ENV_AUDIO, ENV_RESPONSES, ENV_STIMULI, wav_bytes
from .store import AnswerStore

FORM = Path(__file__).resolve().parent / "form.ipynb"


def serve(stimuli: str | os.PathLike, responses: str | os.PathLike, *, port: int = 8866, host: str = "127.0.0.1",
          audio: str | os.PathLike | None = None, notebook: str | os.PathLike | None = None):
    """Start Voilà on the participants' notebook (a subprocess, returned); the URL is http://HOST:PORT/."""
    import subprocess
    import sys

    from .stimuli import AUDIO, load_stimuli

    ids = [s["id"] for s in load_stimuli(stimuli)]  # fail here, with the file's name, not in a browser
    AnswerStore(responses, ids)  # creates the file (and migrates an old responses.csv) before anyone answers
    wav_bytes(stimuli, audio or AUDIO)  # render the sound once, before the first participant waits for it
    env = {**os.environ, ENV_STIMULI: str(Path(stimuli).resolve()), ENV_RESPONSES: str(Path(responses).resolve()),
           ENV_AUDIO: str(Path(audio or AUDIO).resolve())}
    cmd = [sys.executable, "-m", "voila", str(notebook or FORM),
           f"--port={port}", f"--Voila.ip={host}", "--no-browser", "--strip_sources=True", "--theme=light",
           "--show_tracebacks=False"]
    return subprocess.Popen(cmd, env=env)


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
