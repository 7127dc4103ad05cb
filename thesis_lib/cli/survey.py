"""`thesis-music survey`: a teacher's round of the listening survey (stimuli, the participants' page, the answers'
export and analysis)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..core.errors import UsageError


def add_parser(sub) -> None:
    """The verb's arguments."""
    s = sub.add_parser("survey", help="the listening survey: stimuli, the participants' web page, answers",
                       description="A teacher's round: `survey stimuli` once, `survey serve` while the class answers "
                       "in their browsers, then `survey analyse` (Fig. 18) or `survey export` (the CSV 06 reads).")
    s.add_argument("action", choices=["stimuli", "serve", "export", "analyse"])
    s.add_argument("--stimuli", default=None, help="stimuli JSON (default data/survey/stimuli.json)")
    s.add_argument("--responses", default=None, help="answers database (default data/survey/responses.sqlite); "
                   "analyse also reads an exported CSV")
    s.add_argument("--per-source", type=int, default=3, help="stimuli: melodies per source")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--force", action="store_true", help="stimuli: replace an existing stimuli file")
    s.add_argument("--port", type=int, default=8866, help="serve: the page's port")
    s.add_argument("--host", default="127.0.0.1", help="serve: 0.0.0.0 lets other machines on the network in")
    s.add_argument("--engine", choices=["web", "voila"], default="web",
                   help="serve: the web app (plain HTML, one process: a class at once) or Voilà (a kernel a visit)")
    s.add_argument("--log", default=None, help="serve (web): append a line per request to this file (JSON: time, "
                   "method, path, status, milliseconds in the server, participant) to see where a participant was")
    s.add_argument("--out", default=None, help="export/analyse: the CSV (default data/survey/answers.csv)")
    s.add_argument("--plot", default=None, help="analyse: also save Fig. 18 (box plot) to this PNG")
    s.set_defaults(func=survey)


def survey(args: argparse.Namespace) -> int:
    """The listening survey: make stimuli, serve the participants' page, export and analyse the answers."""
    from ..survey import analysis
    from ..survey import stimuli as survey
    from ..survey.store import AnswerStore

    stimuli_path = Path(args.stimuli or survey.STIMULI)
    responses = Path(args.responses or survey.RESPONSES)
    if args.action == "stimuli":
        if stimuli_path.exists() and not args.force:
            raise UsageError(f"{stimuli_path} exists (answers may belong to it); pass --force to make a new round")
        record = survey.make_stimuli(args.per_source, args.seed)
        survey.save_stimuli(record, stimuli_path)
        counts = {}
        for s in record["stimuli"]:
            counts[s["source"]] = counts.get(s["source"], 0) + 1
        print(f"{stimuli_path}: {len(record['stimuli'])} stimuli of {record['steps']} steps at {record['bpm']} bpm, "
              f"seed {args.seed}: {counts}")
        return 0
    stimuli = survey.load_stimuli(stimuli_path)
    if args.action == "serve":
        from ..survey.serve import serve

        shown = "localhost" if args.host in ("127.0.0.1", "0.0.0.0") else args.host

        def ready() -> None:
            print(f"thesis-music survey: participants open http://{shown}:{args.port}/ "
                  + ("(on this network: this machine's address instead of localhost) " if args.host == "0.0.0.0"
                     else "") + f"- answers go to {responses}; Ctrl-C stops the server", flush=True)

        if args.log and args.engine != "web":
            raise UsageError("--log is the web engine's (Voilà keeps its own log on the console)")
        return serve(stimuli_path, responses, engine=args.engine, port=args.port, host=args.host, ready=ready,
                     log=args.log)
    out = Path(args.out or survey.EXPORT)
    if args.action == "export":
        AnswerStore(responses, [s["id"] for s in stimuli]).export(out, stimuli)
        df, _ = analysis.load_responses(out)
        print(f"{out}: {len(df)} answers from {df['participant'].nunique()} participants")
        return 0
    df, problems, out = analysis.read_answers(responses, stimuli_path, out)
    for p in problems:
        print(p, file=sys.stderr)
    print(analysis.status_line(df, problems, out))
    if len(df) == 0:
        return 0
    result = analysis.analyse(df, seed=args.seed)
    print(analysis.report(result))
    if args.plot:
        from ..render import plots

        plots.save(plots.survey_ratings(df, list(result.per_source.index)), args.plot)
        print(f"Fig. 18: {args.plot}")
    return 0
