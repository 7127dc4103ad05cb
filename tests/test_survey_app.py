"""The participants' page in a real browser (Playwright driving Debian's Chromium; Playwright's own browser download is
not needed): two participants at once, a double click, a reload, two windows with one id, odd ids, and the server
killed and started again in the middle. After each, the stored rows are exactly the answers entered, and the page
never names a source. The Voilà page (`--engine voila`) gets one participant through."""

import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys

import pytest

from thesis_lib.survey.serve import free_port, wait_until_serving

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not CHROMIUM, reason="no Chromium here (CI installs Debian's)")]

STIMULI = [{"id": f"S0{k}", "source": src, "symbols": sym} for k, (src, sym) in enumerate([
    ("LSTM", "60 _ _ _ 64 _ 67 _".split()), ("GAN", "67 _ 65 _ 64 _ _ _".split()),
    ("real", "69 _ 72 _ 71 _ 69 _".split()), ("n-gram", "60 _ 62 _ 64 _ _ _".split())], start=1)]


def start_server(folder, port, engine="web"):
    log = ["--log", str(folder / "requests.jsonl")] if engine == "web" else []
    proc = subprocess.Popen([sys.executable, "-m", "thesis_lib.cli", "survey", "serve", "--port", str(port),
                             "--engine", engine, "--stimuli", str(folder / "stimuli.json"),
                             "--responses", str(folder / "answers.sqlite"), *log],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "THESIS_SURVEY_AUDIO": str(folder / "audio")})
    assert wait_until_serving(port), "the survey page did not come up"
    return proc


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    d = tmp_path_factory.mktemp("survey")
    (d / "stimuli.json").write_text(json.dumps({"stimuli": STIMULI}))
    port = free_port()
    proc = start_server(d, port)
    yield {"url": f"http://127.0.0.1:{port}/", "db": d / "answers.sqlite", "dir": d, "port": port}
    proc.terminate()
    proc.wait(30)


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


def rows(db, participant=None):
    with sqlite3.connect(db) as c:
        q = "SELECT participant, stimulus, rating, comment FROM answers"
        got = c.execute(q + " WHERE participant = ?", (participant,)) if participant else c.execute(q)
        return sorted(got.fetchall())


def open_page(context, url):
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("text=Start", timeout=120_000)
    return page


def begin(page, pid):
    page.get_by_placeholder("e.g. p07").fill(pid)
    page.get_by_role("button", name="Start").click()


def on_screen(page) -> int:
    page.wait_for_selector("text=/Melody \\d of 4/")
    return int(re.search(r"Melody (\d) of 4", page.inner_text("body")).group(1))


def choose(page, rating):
    page.locator(f"label:has(input[name=rating][value='{rating}'])").click()  # as a participant does


def answer(page, rating, comment="", double=False):
    k = on_screen(page)
    choose(page, rating)
    if comment:
        page.get_by_placeholder("comment (optional)").fill(comment)
    save = page.get_by_role("button", name="Save and next")
    save.dblclick() if double else save.click()
    if k < 4:
        page.wait_for_selector(f"text=Melody {k + 1} of 4")
    else:
        page.wait_for_selector("text=Thank you!")


def test_two_participants_at_once_and_a_double_click(server, browser):
    a, b = browser.new_context(), browser.new_context()
    pa, pb = open_page(a, server["url"]), open_page(b, server["url"])
    begin(pa, "anna")
    begin(pb, "ben")
    for k in range(4):  # interleaved: both answer at the same time
        answer(pa, k + 1, f"anna {k}", double=(k == 1))
        answer(pb, 9 - k)
    assert sorted(r[2] for r in rows(server["db"], "anna")) == [1, 2, 3, 4]
    assert sorted(r[2] for r in rows(server["db"], "ben")) == [6, 7, 8, 9]
    assert {r[3] for r in rows(server["db"], "anna")} == {f"anna {k}" for k in range(4)}
    assert "Next participant" in pa.inner_text("body")
    html = pa.content() + pb.content()
    assert not re.search(r"\b(LSTM|GAN|n-gram|improved GAN)\b", html)
    assert not re.search(r"\breal\b", pa.inner_text("body") + pb.inner_text("body"))
    pa.get_by_role("button", name="Next participant").click()
    pa.wait_for_selector("text=Next participant: type your id")
    a.close(), b.close()


def test_the_page_never_serves_the_stimulus_map(server):
    import urllib.error
    import urllib.request

    for path in ("stimuli.json", "data/survey/stimuli.json", "audio/../stimuli.json", "answers.sqlite"):
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(server["url"] + path)
    body = urllib.request.urlopen(server["url"] + "audio/S01.wav").read()
    assert body[:4] == b"RIFF"


def test_the_request_log_says_where_each_participant_was(server):
    import time
    import urllib.parse
    import urllib.request

    urllib.request.urlopen(server["url"]).read()
    urllib.request.urlopen(server["url"] + "start", data=urllib.parse.urlencode({"participant": "logged"}).encode()
                           ).read()                                   # Start, then the redirect to melody 1
    time.sleep(0.2)
    lines = [json.loads(line) for line in (server["dir"] / "requests.jsonl").read_text().splitlines()]
    mine = [(r["method"], r["path"], r["status"]) for r in lines if r["participant"] == "logged"]
    assert mine == [("POST", "/start", 303), ("GET", "/melody", 200)]
    assert all(r["ms"] >= 0 and r["time"] > 1.7e9 for r in lines)


def test_a_reload_continues_where_the_participant_stopped(server, browser):
    ctx = browser.new_context()
    page = open_page(ctx, server["url"])
    begin(page, "carl")
    answer(page, 5)
    answer(page, 6)
    choose(page, 3)  # chosen, not saved: a reload loses only this
    page.reload()
    assert on_screen(page) == 3
    page.goto(server["url"])
    begin(page, "carl")
    assert on_screen(page) == 3 and "continue at melody 3" in page.inner_text("body")
    answer(page, 7)
    answer(page, 8)
    assert sorted(r[2] for r in rows(server["db"], "carl")) == [5, 6, 7, 8]
    ctx.close()


def test_two_windows_with_one_id_store_each_melody_once(server, browser):
    ctx = browser.new_context()
    first, second = open_page(ctx, server["url"]), open_page(ctx, server["url"])
    begin(first, "dora")
    begin(second, "dora")
    assert on_screen(first) == on_screen(second) == 1
    answer(first, 2, "from the first")
    choose(second, 9)  # the second window still shows melody 1: its save is refused, and it moves on
    second.get_by_role("button", name="Save and next").click()
    second.wait_for_selector("text=already answered")
    assert on_screen(second) == 2
    assert rows(server["db"], "dora") == [("dora", rows(server["db"], "dora")[0][1], 2, "from the first")]
    ctx.close()


@pytest.mark.parametrize("pid, stored", [("", None), ("x" * 65, None), ("  Zoë <b>\u266b</b>, é  ", "Zoë <b>\u266b</b>, é")])
def test_empty_overlong_and_odd_ids(server, browser, pid, stored):
    before = rows(server["db"])
    ctx = browser.new_context()
    page = open_page(ctx, server["url"])
    begin(page, pid)
    if stored is None:
        page.wait_for_selector("text=/type an id first|at most 64 characters/")
        assert rows(server["db"]) == before
    else:
        answer(page, 10, "odd id")
        assert "Zoë <b>" in page.inner_text("body")  # shown as typed, not as markup
        assert rows(server["db"]) == sorted(before + [(stored, rows(server["db"], stored)[0][1], 10, "odd id")])
    ctx.close()


def test_the_server_killed_in_the_middle_loses_nothing_and_the_participant_goes_on(tmp_path, browser):
    (tmp_path / "stimuli.json").write_text(json.dumps({"stimuli": STIMULI}))
    port = free_port()
    proc = start_server(tmp_path, port)
    ctx = browser.new_context()
    page = open_page(ctx, f"http://127.0.0.1:{port}/")
    begin(page, "eve")
    answer(page, 4, "before")
    answer(page, 5)
    proc.send_signal(signal.SIGKILL)  # no goodbye: what was saved must be on disk
    proc.wait(30)
    assert sorted(r[2] for r in rows(tmp_path / "answers.sqlite", "eve")) == [4, 5]
    choose(page, 6)  # a Save while the server is down: said on the page, the choice kept, nothing stored
    page.get_by_role("button", name="Save and next").click()
    page.wait_for_selector("text=The server did not answer")
    assert page.locator("input[name=rating][value='6']").is_checked() and on_screen(page) == 3
    proc = start_server(tmp_path, port)
    try:
        page.get_by_role("button", name="Save and next").click()  # pressed again once it is back
        page.wait_for_selector("text=Melody 4 of 4")
        page.reload()  # the address is the participant's melody now
        assert on_screen(page) == 4
        answer(page, 7)
        assert sorted(r[2] for r in rows(tmp_path / "answers.sqlite", "eve")) == [4, 5, 6, 7]
    finally:
        ctx.close()
        proc.terminate()
        proc.wait(30)


def test_a_browser_without_javascript_gets_through_with_plain_forms(server, browser):
    ctx = browser.new_context(java_script_enabled=False)
    page = open_page(ctx, server["url"])
    begin(page, "nojs")
    for k in range(4):
        answer(page, k + 1, "plain" if k == 2 else "", double=k == 1)
    got = rows(server["db"], "nojs")  # each participant hears the melodies in an order of their own
    assert sorted(r[2:] for r in got) == [(1, ""), (2, ""), (3, "plain"), (4, "")]
    assert sorted(r[1] for r in got) == [s["id"] for s in STIMULI]
    ctx.close()


def test_stopping_the_server_stops_the_page(tmp_path):
    """`kill` on `survey serve` (SIGTERM, as a service manager or a test stops it) stops serving, cleanly."""
    (tmp_path / "stimuli.json").write_text(json.dumps({"stimuli": STIMULI}))
    port = free_port()
    proc = start_server(tmp_path, port)
    proc.terminate()
    assert proc.wait(60) == 0
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_the_voila_page_gets_a_participant_through(tmp_path, browser):
    (tmp_path / "stimuli.json").write_text(json.dumps({"stimuli": STIMULI}))
    port = free_port()
    proc = start_server(tmp_path, port, engine="voila")
    try:
        ctx = browser.new_context()
        page = open_page(ctx, f"http://127.0.0.1:{port}/")
        begin(page, "fay")
        for k in range(4):
            on_screen(page)
            page.get_by_role("button", name=str(k + 3), exact=True).click()  # the widget's rating buttons
            page.get_by_role("button", name="Save and next").click()
            page.wait_for_selector(f"text=Melody {k + 2} of 4" if k < 3 else "text=Thank you!")
        assert sorted(r[2] for r in rows(tmp_path / "answers.sqlite", "fay")) == [3, 4, 5, 6]
        assert not re.search(r"\b(LSTM|GAN|n-gram)\b", page.content())
        ctx.close()
    finally:
        proc.terminate()
        assert proc.wait(60) == 0
