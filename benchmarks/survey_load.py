"""A class opening the survey page at the same minute: N participants at once, each in a Chromium context of its own
(Playwright driving Debian's Chromium), each answering all the melodies; then more visits (reloads mid-survey and
pages left after Start) up to `--visits`. Prints, from one run:

  page ready (the id box usable) and first melody (after Start): median and max seconds;
  the wait after each Save until the next melody is on screen: median and max;
  each of these twice, for the web page: as the participant sees it (the page's own clock: from the click, or
  from the start of the navigation, to the first frame that shows the result) and as the driver sees it (from
  Playwright's command until Playwright has found the result: its own checks and messages through the one
  browser process of all N contexts included);
  the wait after pressing Play (each participant plays each melody) until its sound can be heard;
  the server's memory (its process and its children, e.g. Voilà's kernels): after the first N, at its peak, and
  after the last visit and `--settle` seconds; the children still alive;
  the stored rows checked against the answers given, exactly;
  the web app's own time per request (its `--log`): what of a wait is the server's.

Run: .venv/bin/python benchmarks/survey_load.py [--participants 30] [--engine web|voila] [--visits 100] [--settle 10]
(Voilà culls a kernel 5 minutes after its page went quiet: `--engine voila --settle 420` shows it.)
"""

import argparse
import asyncio
import json
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from thesis_lib.survey.serve import free_port, wait_until_serving
from thesis_lib.survey.stimuli import STIMULI

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# The page's own clock (web engine): a button's click time kept in sessionStorage (it survives a page load), and the
# time of the first frame after a document was parsed or after the page swapped its body (its in-page save).
CLOCK = """(() => {
  const mark = () => requestAnimationFrame(() => { window.__shown = Date.now(); });
  document.addEventListener('click', e => {
    if (e.target.closest('button')) sessionStorage.setItem('clicked', Date.now()); }, true);
  document.addEventListener('DOMContentLoaded', () => { mark();
    new MutationObserver(ms => { if (ms.some(m => [...m.addedNodes].some(n => n.nodeName === 'BODY'))) mark(); })
      .observe(document.documentElement, {childList: true}); });
})();"""
SHOWN_AFTER_LOAD = "(window.__shown - performance.timeOrigin) / 1000"
SHOWN_AFTER_CLICK = "(window.__shown - Number(sessionStorage.getItem('clicked'))) / 1000"


class Memory(threading.Thread):
    """Samples the resident memory of a process and its children every 0.2 s: the latest, the peak, the children."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.root, self.peak, self.now, self.children, self.running = psutil.Process(pid), 0, 0, 0, True

    def sample(self) -> int:
        procs = [self.root, *self.root.children(recursive=True)]
        total = 0
        for p in procs:
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
        self.children = len(procs) - 1
        return total

    def run(self):
        while self.running:
            self.now = self.sample()
            self.peak = max(self.peak, self.now)
            time.sleep(0.2)


async def participant(ctx, url: str, pid: str, answers: int, rng: random.Random, engine: str, out: dict,
                      leave_after: int | None = None, reload_at: int | None = None) -> None:
    """One participant in a browser context of their own, opened beforehand (a browser already running, as a
    participant's is): open the page, type the id, Start, then answer (`leave_after`: stop and close the page
    after that many; `reload_at`: reload the page once after that many). Times count from opening the page."""
    page = ctx.pages[0] if ctx.pages else await ctx.new_page()

    async def page_clock(key: str, expression: str) -> None:  # the page's own clock: the web page carries it
        if engine == "web":
            out[key].append(await page.evaluate(expression))

    t0 = time.perf_counter()
    await page.goto(url, timeout=300_000)
    await page.wait_for_selector("text=Start", timeout=300_000)
    box = page.get_by_placeholder("e.g. p07")
    await box.wait_for(timeout=300_000)
    out["ready"].append(time.perf_counter() - t0)
    await page_clock("page_ready", SHOWN_AFTER_LOAD)
    await box.fill(pid)
    await page.get_by_role("button", name="Start").click()
    await page.wait_for_selector(f"text=/Melody 1 of {answers}/", timeout=300_000)
    out["first"].append(time.perf_counter() - t0)
    await page_clock("page_first", SHOWN_AFTER_CLICK)
    for k in range(answers):
        if leave_after is not None and k == leave_after:
            break
        if reload_at is not None and k == reload_at:
            await page.reload()
            if engine == "voila":  # the widget page starts from the id box again
                await page.get_by_placeholder("e.g. p07").fill(pid)
                await page.get_by_role("button", name="Start").click()
            await page.wait_for_selector(f"text=/Melody {k + 1} of {answers}/", timeout=300_000)
        if engine == "web":  # press play, as a participant does, and wait until the sound is there to hear
            t = time.perf_counter()
            await page.locator("audio").evaluate("a => { a.play().catch(() => {}); }")
            await page.wait_for_function("document.querySelector('audio').readyState >= 3", timeout=300_000)
            out["sound"].append(time.perf_counter() - t)
        rating, comment = rng.randint(0, 10), rng.choice(["", f"{pid} melody {k + 1}", "schön, ça va ♫"])
        if engine == "voila":
            await page.get_by_role("button", name=str(rating), exact=True).click()
        else:
            await page.locator(f"label:has(input[name=rating][value='{rating}'])").click()
        if comment:
            await page.get_by_placeholder("comment (optional)").fill(comment)
        t = time.perf_counter()
        await page.get_by_role("button", name="Save and next").click()
        done = f"text=Melody {k + 2} of {answers}" if k + 1 < answers else "text=Thank you!"
        await page.wait_for_selector(done, timeout=300_000)
        out["waits"].append(time.perf_counter() - t)
        await page_clock("page_waits", SHOWN_AFTER_CLICK)
        out["given"].add((pid, k, rating, comment))
    await ctx.close()


def stored(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as c:
        return c.execute("SELECT participant, position, rating, comment FROM answers").fetchall()


async def run(args, url: str, memory: Memory, db: Path, answers: int) -> dict:
    from playwright.async_api import async_playwright

    out = {"ready": [], "first": [], "waits": [], "sound": [], "page_ready": [], "page_first": [], "page_waits": [],
           "given": set()}
    rng = random.Random(args.seed)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu",
                                                                          "--autoplay-policy=no-user-gesture-required"])
        async def contexts(n):
            made = [await browser.new_context() for _ in range(n)]
            for c in made:
                if args.engine == "web":
                    await c.add_init_script(CLOCK)
                await (await c.new_page()).goto("about:blank")
            return made

        first_wave = await contexts(args.participants)
        t0 = time.perf_counter()
        await asyncio.gather(*[participant(c, url, f"p{k:02d}", answers, random.Random(rng.random()), args.engine,
                                           out) for k, c in enumerate(first_wave)])
        first = {"seconds": time.perf_counter() - t0, "memory": memory.sample(), "ready": list(out["ready"]),
                 **{k: list(out[k]) for k in ("first", "waits", "sound", "page_ready", "page_first", "page_waits")}}
        extra = max(0, args.visits - args.participants)
        plan = [(f"q{k:02d}", {"leave_after": rng.randint(0, 2)} if k % 2 else
                 {"reload_at": rng.randint(1, answers - 2)}) for k in range(extra)]
        # the rest of the visits, a class at a time: half reload once mid-survey and finish, half leave after Start
        for i in range(0, len(plan), args.participants):
            wave = plan[i:i + args.participants]
            made = await contexts(len(wave))
            await asyncio.gather(*[participant(c, url, pid, answers, random.Random(rng.random()), args.engine, out,
                                               **how) for c, (pid, how) in zip(made, wave)])
        await browser.close()
    await asyncio.sleep(args.settle)
    return {"first": first, "out": out, "final": memory.sample(), "children": memory.children}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--participants", type=int, default=30)
    ap.add_argument("--engine", choices=["web", "voila"], default="web")
    ap.add_argument("--visits", type=int, default=100, help="all visits, the first --participants included")
    ap.add_argument("--settle", type=float, default=10.0, help="seconds to wait before the final memory")
    ap.add_argument("--stimuli", default=str(STIMULI))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", default=None)
    ap.add_argument("--requests", default=None, help="keep the server's request log (JSON lines) at this path")
    args = ap.parse_args()
    if not CHROMIUM:
        sys.exit("survey_load: no Chromium (apt-get install chromium)")
    folder = Path(tempfile.mkdtemp(prefix="survey_load_"))
    shutil.copy(args.stimuli, folder / "stimuli.json")
    answers = len(json.loads((folder / "stimuli.json").read_text())["stimuli"])
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "thesis_lib.cli", "survey", "serve", "--engine", args.engine,
                               "--port", str(port), "--stimuli", str(folder / "stimuli.json"), "--responses",
                               str(folder / "answers.sqlite"),
                               *(["--log", str(folder / "requests.jsonl")] if args.engine == "web" else [])],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**__import__("os").environ, "THESIS_SURVEY_AUDIO": str(folder / "audio")})
    try:
        if not wait_until_serving(port, seconds=300):
            sys.exit("survey_load: the page never came up")
        time.sleep(2)
        memory = Memory(server.pid)
        memory.start()
        idle = memory.sample()
        result = asyncio.run(run(args, f"http://127.0.0.1:{port}/", memory, folder / "answers.sqlite", answers))
        memory.running = False
    finally:
        server.terminate()
        server.wait(60)
    rows = stored(folder / "answers.sqlite")
    given = {(pid, k + 1, rating, " ".join(comment.split())) for pid, k, rating, comment in result["out"]["given"]}
    got = {(pid, pos, rating, comment) for pid, pos, rating, comment in rows}
    first = result["first"]
    mb = 1024 * 1024
    report = {
        "engine": args.engine, "participants": args.participants, "visits": args.visits, "melodies": answers,
        "page_ready_median": statistics.median(first["ready"]), "page_ready_max": max(first["ready"]),
        "first_melody_median": statistics.median(first["first"]), "first_melody_max": max(first["first"]),
        "wait_after_save_median": statistics.median(first["waits"]), "wait_after_save_max": max(first["waits"]),
        "all_answered_seconds": first["seconds"],
        **({"sound_after_play_median": statistics.median(first["sound"]), "sound_after_play_max": max(first["sound"])}
           if first["sound"] else {}),
        "wait_after_save_max_all_visits": max(result["out"]["waits"]),
        **{f"{name}_{how}": f(first[key]) for name, key in (("participant_page_ready", "page_ready"),
                                                           ("participant_first_melody", "page_first"),
                                                           ("participant_wait_after_save", "page_waits"))
           if first[key] for how, f in (("median", statistics.median), ("max", max))},
        **({"participant_wait_after_save_max_all_visits": max(result["out"]["page_waits"])}
           if result["out"]["page_waits"] else {}),
        "memory_idle_mb": idle / mb, "memory_after_first_mb": first["memory"] / mb, "memory_peak_mb": memory.peak / mb,
        "memory_final_mb": result["final"] / mb, "children_at_end": result["children"],
        "answers_given": len(given), "rows_stored": len(rows), "rows_exact": got == given and len(rows) == len(got),
        "first_given": sum(pid.startswith("p") for pid, *_ in given),
        "first_stored": sum(pid.startswith("p") for pid, *_ in rows)}
    log = folder / "requests.jsonl"
    server_ms = [json.loads(line)["ms"] for line in log.read_text().splitlines()] if log.exists() else []
    if server_ms:
        report.update(server_requests=len(server_ms), server_ms_median=statistics.median(server_ms),
                      server_ms_max=max(server_ms))
    print(f"{args.participants} participants at once on the {args.engine} page, {answers} melodies each; "
          f"{args.visits} visits in all")

    def line(label: str, prefix: str, after: str = "", indent: str = "  ") -> None:
        print(f"{indent}{label + ':':<19}median {report[prefix + '_median']:.2f} s, max {report[prefix + '_max']:.2f} s"
              f"{after}")

    def all_visits(key: str) -> str:
        return f" (all visits: max {report[key]:.2f} s)"

    if first["page_ready"]:
        print("  as the participant sees it (the page's own clock: click or navigation start → the result on screen):")
        line("page ready", "participant_page_ready", indent="    ")
        line("first melody", "participant_first_melody", " (after Start)", indent="    ")
        line("wait after Save", "participant_wait_after_save",
             all_visits("participant_wait_after_save_max_all_visits"), indent="    ")
        print("  as the driver sees it (Playwright's command → Playwright has found the result):")
    line("page ready", "page_ready")
    line("first melody", "first_melody", " (from opening the page)")
    line("wait after Save", "wait_after_save", all_visits("wait_after_save_max_all_visits"))
    if first["sound"]:
        line("sound after Play", "sound_after_play")
    print(f"  all {args.participants} done in {report['all_answered_seconds']:.1f} s")
    print(f"  server memory: idle {report['memory_idle_mb']:.0f} MB, after the first {args.participants} "
          f"{report['memory_after_first_mb']:.0f} MB, peak {report['memory_peak_mb']:.0f} MB, after {args.visits} "
          f"visits and {args.settle:g} s {report['memory_final_mb']:.0f} MB "
          f"({report['memory_final_mb'] - report['memory_after_first_mb']:+.0f} MB); "
          f"{report['children_at_end']} child processes alive")
    if server_ms:
        print(f"  in the server: {len(server_ms)} requests, median {report['server_ms_median']:.1f} ms, max "
              f"{report['server_ms_max']:.1f} ms (the rest of a wait is the browsers' own work on these same cores)")
    print(f"  answers: {len(rows)} stored of {len(given)} given ({report['first_stored']} of "
          f"{report['first_given']} for the first {args.participants}), "
          f"{'exactly as entered' if report['rows_exact'] else 'NOT exactly as entered'}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))
    if args.requests and log.exists():
        shutil.copy(log, args.requests)
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
