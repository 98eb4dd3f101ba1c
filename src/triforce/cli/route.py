"""``triforce route``: which expert(s) would answer a question; ``triforce stats``."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from triforce.errors import UserError, read_user_text


def register(sub) -> None:
    p = sub.add_parser(
        "route",
        help="show which expert(s) would answer a question, with calibrated confidences",
        description=(
            "Route QUESTION (or every line of --file) with the keyword router and print the plan "
            "and the score of every intent. 'triforce route eval [--file labelled.jsonl]' measures "
            "the router on a labelled set instead."
        ),
    )
    p.add_argument("question", nargs="*", help="the question (or 'eval')")
    p.add_argument("--file", metavar="F",
                   help="one question per line (with 'eval': a labelled JSON Lines file)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--no-record", action="store_true",
                   help="do not record the decision in the routing statistics")
    p.set_defaults(func=cmd_route)


def register_stats(sub) -> None:
    p = sub.add_parser("stats", help="routing statistics: queries, experts, confidence, latency")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_stats)


def _route_one(router, text: str, record: bool):
    from triforce.routing import stats

    t0 = time.perf_counter()
    decision = router.route(text)
    latency = time.perf_counter() - t0
    if record:
        try:
            stats.record(decision, latency)
        except UserError as exc:
            print(f"triforce: warning: {exc}", file=sys.stderr)
    return decision


def _text(decision) -> str:
    plan = " -> ".join(f"{s.expert} ({s.intent}, {s.confidence:.2f})" for s in decision.plan)
    top = sorted(decision.scores.items(), key=lambda kv: -kv[1])[:4]
    scores = "  ".join(f"{k} {v:.2f}" for k, v in top)
    return f"plan: {plan}\nscores: {scores}"


def cmd_route(args) -> int:
    from triforce.routing import KeywordRouter
    from triforce.routing.evaluate import evaluate, format_report

    router = KeywordRouter.load()
    if args.question == ["eval"]:
        report = evaluate(router, args.file)
        if args.json:
            print(json.dumps(report, indent=2))
        else:
            print(format_report(report))
        return 0
    if args.file:
        if args.question:
            raise UserError("give a question or --file, not both")
        path = Path(args.file)
        lines = read_user_text(path, "question file").splitlines()
        for line in lines:
            if not line.strip():
                continue
            d = _route_one(router, line, not args.no_record)
            print(json.dumps(d.to_dict()))       # one object per line, with or without --json
        return 0
    text = " ".join(args.question)
    if not args.question and not sys.stdin.isatty():
        text = sys.stdin.read()                 # no question given: read it from stdin
    d = _route_one(router, text, not args.no_record)
    print(json.dumps(d.to_dict(), indent=2) if args.json else _text(d))
    return 0


def cmd_stats(args) -> int:
    from triforce.routing.stats import summary

    s = summary()
    if args.json:
        print(json.dumps(s, indent=2))
        return 0
    print(f"statistics        {s['path']}")
    print(f"queries           {s['total_queries']}")
    if not s["total_queries"]:
        return 0
    print(f"fallback rate     {s['fallback_rate']:.3f}")
    print(f"multi-step rate   {s['multi_step_rate']:.3f}")
    lat = s["latency_ms"]
    print(f"latency ms        mean {lat['mean']:.3f}  p50 {lat['p50']:.3f}  p99 {lat['p99']:.3f}")
    print("first expert      " + "  ".join(f"{e} {n}" for e, n in s["first_expert"].items()))
    print("mean confidence   " + "  ".join(f"{i} {c:.2f}" for i, c in s["mean_confidence"].items()))
    return 0
