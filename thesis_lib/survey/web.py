"""The participants' page as a small web app (Tornado, one process): HTML forms (sent in the page by a few lines of
JavaScript where it runs, as plain forms where it does not: `SCRIPT`) and the melodies as WAV files,
so a visit costs a request, not a Python kernel: 30 participants opening the page at the same minute on one
2-core machine, their 30 browsers beside the server, see it ready in about 2 s and wait under 2 s after a Save
(`benchmarks/survey_load.py`, docs/survey.md; the Voilà page, `--engine voila`, starts a kernel a visit).

A participant types an id and presses Start; the page that comes back is their first unanswered melody (or a
message saying what is wrong with the id). Each melody page holds the stimulus it shows in its form, so a save is
stored only for that melody and only once (`AnswerStore.save`: a double click, a reload, a second window or a
server restarted in the middle can never add, change or invent an answer), and every save answers with a
redirect to the participant's next melody (post/redirect/get: a reload never sends a form again). The pages name
no source and the server never sends the stimulus map: only blind ids and their sound.
"""

from __future__ import annotations

import html
import os
import signal
from pathlib import Path
from urllib.parse import quote, urlencode

from .page import QUESTION, wav_bytes
from .store import AnswerStore, SurveyError, validate_participant

STYLE = """body{font-family:system-ui,sans-serif;max-width:44em;margin:2em auto;padding:0 1em;line-height:1.4}
h2{margin-bottom:.2em}.message{color:#060}.error{color:#b00}audio{width:100%;margin:.6em 0}
fieldset{border:0;padding:0;margin:.8em 0}.scale{display:flex;gap:.25em;flex-wrap:wrap}
.scale label{border:1px solid #888;border-radius:4px;padding:.35em .7em;cursor:pointer;min-width:1.6em;text-align:center}
.scale input{position:absolute;opacity:0;width:0;height:0}.scale input:checked+span{font-weight:bold}
.scale label:has(input:checked){background:#2a6;color:#fff;border-color:#2a6}
textarea{width:100%;height:4em}button{font-size:1em;padding:.5em 1.2em;margin-top:.6em;cursor:pointer;
background:#2a6;color:#fff;border:0;border-radius:4px}button:disabled{background:#999}"""
SAID = {"saved": "Saved.", "already answered": "That melody was already answered (in another window?).",
        "not on screen": "This page was behind another window; here is your next melody."}
# Progressive enhancement: with JavaScript, a form is sent with fetch and the page's body is swapped for the answer
# (the same HTML from the same requests: the POST, its redirect, the GET it names), so the browser keeps
# its document instead of building a new one at every Save (half the wait of a page load, `benchmarks/survey_load.py`).
# Without JavaScript the forms are plain forms. If the server does not answer, the page says so and keeps what was
# chosen, to be sent again. The guarantees (one row per melody, exactly what was entered) live in the handlers.
SCRIPT = """document.addEventListener('submit', async e => {
const f = e.target; if (f.method !== 'post' || !window.fetch || !window.DOMParser) return;
e.preventDefault(); const b = f.querySelector('button'); b.disabled = true; let r, text;
try { r = await fetch(f.action, {method: 'POST', body: new URLSearchParams(new FormData(f))}); text = await r.text(); }
catch (err) { b.disabled = false; let n = f.querySelector('.offline');
  if (!n) { n = document.createElement('p'); n.className = 'error offline'; f.append(n); }
  n.textContent = 'The server did not answer, so nothing was saved yet. Press the button again in a moment.';
  return; }
const d = new DOMParser().parseFromString(text, 'text/html');
document.body.replaceWith(d.body); document.title = d.title;
if (r.redirected) history.replaceState(null, '', r.url);
const a = document.querySelector('[autofocus]'); if (a) a.focus(); });"""
INTRO = ("<p>You will hear short melodies, one at a time. For each, say whether you think a person or a computer "
         "made it. Type an id (any short name) and press Start. With the same id you can stop and come back "
         "later.</p>")


def page(body: str) -> str:
    """A whole HTML page around its body."""
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><meta name='viewport' "
            f"content='width=device-width,initial-scale=1'><link rel='icon' href='data:,'>"
            f"<title>Listening survey</title><style>{STYLE}</style><script>{SCRIPT}</script>"
            f"</head><body><h2>Listening survey</h2>{body}</body></html>")


def start_page(message: str = "", error: bool = False, intro: str = INTRO, value: str = "") -> str:
    """The id box (with what went wrong, if anything)."""
    note = f"<p class='{'error' if error else 'message'}'>{html.escape(message)}</p>" if message else ""
    return page(f"{intro}<form method='post' action='start'><label>Your id <input name='participant' "
                f"placeholder='e.g. p07' value='{html.escape(value, quote=True)}' autofocus></label> "
                f"<button type='submit'>Start</button></form>{note}")


def melody_page(participant: str, stimulus: str, position: int, total: int, message: str = "",
                error: bool = False) -> str:
    """One melody: its sound, the question, a rating that must be chosen (no default to save by accident), a comment,
    and Save. The form carries the participant and the melody it answers."""
    scale = "".join(f"<label><input type='radio' name='rating' value='{k}' required><span>{k}</span></label>"
                    for k in range(11))
    note = f"<p class='{'error' if error else 'message'}'>{html.escape(message)}</p>" if message else ""
    who = html.escape(participant, quote=True)
    return page(f"<p>Participant: <b>{html.escape(participant)}</b></p>{note}<h3>Melody {position} of {total}</h3>"
                f"<audio controls preload='auto' src='audio/{quote(stimulus)}.wav'></audio><p>{QUESTION}</p>"
                f"<form method='post' action='answer'>"
                f"<input type='hidden' name='participant' value='{who}'>"
                f"<input type='hidden' name='stimulus' value='{html.escape(stimulus, quote=True)}'>"
                f"<fieldset><legend>Rating</legend><div class='scale'>{scale}</div></fieldset>"
                f"<textarea name='comment' placeholder='comment (optional)' maxlength='500'></textarea>"
                f"<br><button type='submit'>Save and next</button></form>")


def thanks_page(participant: str) -> str:
    """After the last melody."""
    return page(f"<p>Participant: <b>{html.escape(participant)}</b></p><h3>Thank you!</h3>"
                "<p>All your answers are saved.</p><form method='get' action='next'>"
                "<button type='submit'>Next participant</button></form>")


def request_logger(path: str | os.PathLike):
    """Tornado's `log_function` writing one JSON line per request to `path` (appended, a line at a time): when,
    the method, the path, the status, the milliseconds the server spent on it, and the participant it was for."""
    import json
    import time

    out = open(path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 (open while the server runs)

    def log(handler) -> None:
        r = handler.request
        who = (r.query_arguments.get("participant") or r.body_arguments.get("participant") or [b""])[0]
        out.write(json.dumps({"time": round(time.time(), 3), "method": r.method, "path": r.path,
                              "status": handler.get_status(), "ms": round(1000 * r.request_time(), 2),
                              "participant": who.decode("utf-8", "replace")}, ensure_ascii=False) + "\n")

    return log


def make_app(stimuli: str | os.PathLike, responses: str | os.PathLike, audio: str | os.PathLike,
             log: str | os.PathLike | None = None):
    """The Tornado application: `/` (the id box), `start`, `melody`, `answer`, `next`, `audio/ID.wav`; `log`, if
    given, a file that gets a line per request (`request_logger`)."""
    import tornado.web

    sounds = wav_bytes(stimuli, audio)
    store = AnswerStore(responses, sorted(sounds))

    class Handler(tornado.web.RequestHandler):
        def set_default_headers(self):
            self.set_header("Cache-Control", "no-store")  # a page is always the participant's state now

        def to_melody(self, participant: str, **query) -> None:
            self.redirect("melody?" + urlencode({"participant": participant, **query}), status=303)

        def write_error(self, status_code: int, **kwargs) -> None:
            self.finish(start_page(f"Something went wrong on the server ({status_code}); please press Start again.",
                                   error=True))

    class Start(Handler):
        def get(self):
            self.write(start_page())

        def post(self):
            typed = self.get_body_argument("participant", "")
            try:
                participant = validate_participant(typed)
            except SurveyError as exc:
                self.set_status(400)
                self.write(start_page(str(exc), error=True, value=typed))
                return
            self.to_melody(participant, welcome="1")

    class Melody(Handler):
        def get(self):
            try:
                participant = validate_participant(self.get_query_argument("participant", ""))
            except SurveyError as exc:
                self.write(start_page(str(exc), error=True))
                return
            sid, position = store.next_stimulus(participant)
            if sid is None:
                self.write(thanks_page(participant))
                return
            said = self.get_query_argument("said", "")
            message = SAID.get(said, "")
            if self.get_query_argument("welcome", "") and position > 1:
                message = f"Welcome back: you continue at melody {position}."
            self.write(melody_page(participant, sid, position, len(sounds), message))

    class Answer(Handler):
        def post(self):
            typed = self.get_body_argument("participant", "")
            stimulus = self.get_body_argument("stimulus", "")
            rating = self.get_body_argument("rating", "")
            try:
                participant = validate_participant(typed)
            except SurveyError as exc:
                self.set_status(400)
                self.write(start_page(str(exc), error=True))
                return
            if not rating.isdigit() or not 0 <= int(rating) <= 10:
                sid, position = store.next_stimulus(participant)
                self.set_status(400)
                self.write(melody_page(participant, sid, position, len(sounds), "Choose a rating from 0 to 10 "
                                       "first.", error=True) if sid else thanks_page(participant))
                return
            try:
                saved = store.save(participant, stimulus, int(rating), self.get_body_argument("comment", ""))
            except (SurveyError, OSError) as exc:
                sid, position = store.next_stimulus(participant)
                self.set_status(400)
                self.write(melody_page(participant, sid, position, len(sounds), f"Not saved: {exc}", error=True)
                           if sid else thanks_page(participant))
                return
            self.to_melody(participant, said=saved.status)

    class Next(Handler):
        def get(self):
            self.write(start_page(intro="<p>Next participant: type your id and press Start.</p>"))

    class Icon(tornado.web.RequestHandler):
        def get(self):
            self.set_status(204)  # no icon: a browser's request for one is answered, not logged as missing

    class Audio(tornado.web.RequestHandler):
        def get(self, sid: str):
            if sid not in sounds:
                raise tornado.web.HTTPError(404)
            self.set_header("Content-Type", "audio/wav")
            self.set_header("Cache-Control", "max-age=3600")
            self.write(sounds[sid])

    return tornado.web.Application([(r"/", Start), (r"/start", Start), (r"/melody", Melody), (r"/answer", Answer),
                                    (r"/next", Next), (r"/favicon.ico", Icon),
                                    (r"/audio/([A-Za-z0-9_-]+)\.wav", Audio)],
                                   **({"log_function": request_logger(log)} if log else {}))


def run(stimuli: str | os.PathLike, responses: str | os.PathLike, audio: str | os.PathLike, *, port: int = 8866,
        host: str = "127.0.0.1", ready=None, log: str | os.PathLike | None = None) -> int:
    """Serve the page until Ctrl-C or SIGTERM (then stop cleanly, answers all written: each is one transaction).
    `ready`, if given, is called once the server listens."""
    import asyncio

    import tornado.httpserver

    async def main() -> None:
        server = tornado.httpserver.HTTPServer(make_app(stimuli, responses, Path(audio), log), xheaders=True)
        server.listen(port, address=host)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        if ready:
            ready()
        await stop.wait()
        server.stop()

    asyncio.run(main())
    return 0
