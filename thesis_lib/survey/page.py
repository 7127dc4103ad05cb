"""The participants' page of the listening survey: an ipywidgets form that Voilà serves from
`thesis_lib/survey/form.ipynb` (`thesis-music survey serve`). It shows only the form: no code, and nothing from
which a participant could learn which melody came from which source (the page holds stimulus ids and sound).

A participant types an id, then hears every stimulus once in an order of their own, rates each from 0 to 10
(a rating must be chosen: there is no default to save by accident), may comment, and saves. Every save goes
through `AnswerStore.save`, which accepts only the melody on screen and never changes a stored answer; coming
back with the same id continues at the first melody not yet answered.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

from .store import AnswerStore, SurveyError, validate_participant

ENV_STIMULI, ENV_RESPONSES, ENV_AUDIO = "THESIS_SURVEY_STIMULI", "THESIS_SURVEY_RESPONSES", "THESIS_SURVEY_AUDIO"
QUESTION = ("<b>Was this melody made by a human or by a computer?</b><br>"
            "0 = surely by a computer, 10 = surely by a human. Listen as often as you like.")


def wav_bytes(stimuli_path: str | os.PathLike, audio_dir: str | os.PathLike) -> dict[str, bytes]:
    """The sound of every stimulus, rendered once into `audio_dir` (reused while the stimuli file is unchanged)."""
    import hashlib

    from .stimuli import load_stimuli, render_stimuli

    stimuli = load_stimuli(stimuli_path)
    folder = Path(audio_dir) / hashlib.sha256(Path(stimuli_path).read_bytes()).hexdigest()[:12]
    if not all((folder / f"{s['id']}.wav").exists() for s in stimuli):
        render_stimuli(stimuli, folder)
    return {s["id"]: (folder / f"{s['id']}.wav").read_bytes() for s in stimuli}


class SurveyPage:
    """The form. Holds the stimulus ids and their sound only; the store knows the rest."""

    def __init__(self, stimuli_path: str | os.PathLike, responses_path: str | os.PathLike,
                 audio_dir: str | os.PathLike):
        import ipywidgets as w

        self.sounds = wav_bytes(stimuli_path, audio_dir)
        self.store = AnswerStore(responses_path, sorted(self.sounds))
        self.participant: str | None = None
        self.current: str | None = None
        self.intro = w.HTML("<h2>Listening survey</h2><p>You will hear short melodies, one at a time. For each, "
                            "say whether you think a person or a computer made it. Type an id (any short name) "
                            "and press Start. With the same id you can stop and come back later.</p>")
        self.pid = w.Text(description="Your id", placeholder="e.g. p07")
        self.start_button = w.Button(description="Start", button_style="primary")
        self.heading = w.HTML()
        self.audio = w.Audio(format="wav", autoplay=False, loop=False)
        self.rating = w.ToggleButtons(options=[str(k) for k in range(11)], value=None, description="Rating",
                                      style={"button_width": "3.2em"})
        self.comment = w.Textarea(placeholder="comment (optional)", layout=w.Layout(width="60%"))
        self.save_button = w.Button(description="Save and next", button_style="success", disabled=True)
        self.question = w.VBox([self.heading, self.audio, w.HTML(QUESTION), self.rating, self.comment,
                                self.save_button], layout=w.Layout(display="none"))
        self.next_button = w.Button(description="Next participant", button_style="info")
        self.done = w.VBox([w.HTML("<h3>Thank you!</h3><p>All your answers are saved.</p>"), self.next_button],
                           layout=w.Layout(display="none"))
        self.message = w.HTML()
        self.login = w.HBox([self.pid, self.start_button])
        self.start_button.on_click(self.start)
        self.save_button.on_click(self.save)
        self.next_button.on_click(self.reset)
        self.rating.observe(lambda _: setattr(self.save_button, "disabled", self.rating.value is None), "value")
        self.widget = w.VBox([self.intro, self.login, self.question, self.done, self.message])

    def _say(self, text: str, error: bool = False) -> None:
        self.message.value = f"<p style='color:{'#b00' if error else '#060'}'>{html.escape(text)}</p>" if text else ""

    def start(self, _=None) -> None:
        """Begin, or continue at the first melody this id has not answered."""
        try:
            self.participant = validate_participant(self.pid.value)
        except SurveyError as exc:
            self._say(str(exc), error=True)
            return
        self.login.layout.display = "none"
        self.intro.value = f"<h2>Listening survey</h2><p>Participant: <b>{html.escape(self.participant)}</b></p>"
        sid, position = self.store.next_stimulus(self.participant)
        self._say(f"Welcome back: you continue at melody {position}." if position > 1 and sid else "")
        self._show(sid)

    def _show(self, sid: str | None) -> None:
        self.current = sid
        if sid is None:
            self.question.layout.display = "none"
            self.done.layout.display = ""
            return
        position = self.store.next_stimulus(self.participant)[1]
        self.heading.value = f"<h3>Melody {position} of {len(self.sounds)}</h3>"
        self.audio.value = self.sounds[sid]
        self.rating.value, self.comment.value = None, ""
        self.save_button.disabled = True
        self.question.layout.display = ""

    def save(self, _=None) -> None:
        """Store the answer to the melody on screen (once), then show the next one or the thanks."""
        if self.save_button.disabled or self.current is None or self.rating.value is None:
            return  # a click that reached the kernel after the button was disabled (a double click): nothing to do
        self.save_button.disabled = True
        try:
            saved = self.store.save(self.participant, self.current, int(self.rating.value), self.comment.value)
        except (SurveyError, OSError) as exc:
            self.save_button.disabled = False
            self._say(f"Not saved: {exc}", error=True)
            return
        self._say({"saved": "Saved.", "already answered": "That melody was already answered (in another window?).",
                   "not on screen": "This page was behind another window; here is your next melody."}[saved.status])
        self._show(saved.next_stimulus)

    def reset(self, _=None) -> None:
        """Back to the id box for the next participant."""
        self.participant = self.current = None
        self.pid.value = ""
        self.done.layout.display = self.question.layout.display = "none"
        self.login.layout.display = ""
        self.intro.value = ("<h2>Listening survey</h2><p>Next participant: type your id and press Start.</p>")
        self._say("")


def form(stimuli: str | None = None, responses: str | None = None, audio: str | None = None):
    """The form for the notebook that Voilà serves; paths given, else those `survey serve` puts in the environment,
    else data/survey/."""
    from .stimuli import AUDIO, RESPONSES, STIMULI

    return SurveyPage(stimuli or os.environ.get(ENV_STIMULI, STIMULI), responses or os.environ.get(ENV_RESPONSES,
                      RESPONSES), audio or os.environ.get(ENV_AUDIO, AUDIO)).widget
