"""Measure a router on a labelled set, and fit its per-intent Platt calibration.

A labelled set is JSON Lines: ``{"text": "...", "intents": ["optimization", "analysis"]}``,
the intents in plan order (``["general"]`` for questions no expert should take).

    python -m triforce.routing.evaluate [labelled.jsonl]            # print the report
    python -m triforce.routing.evaluate --calibrate [labelled.jsonl] # refit the calibration
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from triforce.errors import UserError, read_user_text
from triforce.routing.keyword import GENERAL, KeywordRouter
from triforce.routing.stats import percentile

BINS = 10


@dataclass(frozen=True)
class Example:
    text: str
    intents: tuple[str, ...]
    where: str = ""


def data_path(name: str) -> Path:
    """A file of the package's data directory."""
    return Path(str(resources.files("triforce").joinpath("data", name)))


def load_examples(path: str | Path | None = None) -> list[Example]:
    """Read a labelled set (default: the package's ``routing_labelled.jsonl``)."""
    p = Path(path) if path is not None else data_path("routing_labelled.jsonl")
    lines = read_user_text(p, "labelled set").splitlines()
    out = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{p}:{n}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UserError(f"not JSON: {exc.msg}", where) from None
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str) \
                or not isinstance(obj.get("intents"), list) or not obj["intents"]:
            raise UserError('expected {"text": str, "intents": [str, ...]}', where)
        out.append(Example(obj["text"], tuple(obj["intents"]), where))
    if not out:
        raise UserError("the labelled set is empty", str(p))
    return out


# -- calibration -----------------------------------------------------------------------
def fit_platt(xs: list[float], ys: list[int], iterations: int = 100) -> tuple[float, float]:
    """Platt scaling: ``P(y=1|x) = sigmoid(a*x + b)`` by Newton's method, pure Python.

    Uses Platt's smoothed targets (so separable data gives finite parameters) and a
    small ridge on ``a``; ``a`` is kept positive so confidence grows with the score.
    """
    n_pos = sum(ys)
    n_neg = len(ys) - n_pos
    hi = (n_pos + 1) / (n_pos + 2)
    lo = 1 / (n_neg + 2)
    t = [hi if y else lo for y in ys]
    a, b = 1.0, math.log((n_pos + 1) / (n_neg + 1))
    ridge = 1e-3
    for _ in range(iterations):
        g_a = ridge * a
        g_b = 0.0
        h_aa, h_ab, h_bb = ridge, 0.0, 0.0
        for x, ti in zip(xs, t, strict=True):
            z = a * x + b
            p = 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))
            d = p - ti
            w = max(p * (1 - p), 1e-12)
            g_a += d * x
            g_b += d
            h_aa += w * x * x
            h_ab += w * x
            h_bb += w
        det = h_aa * h_bb - h_ab * h_ab
        if abs(det) < 1e-12:
            break
        da = (h_bb * g_a - h_ab * g_b) / det
        db = (h_aa * g_b - h_ab * g_a) / det
        a, b = a - da, b - db
        if abs(da) < 1e-9 and abs(db) < 1e-9:
            break
    return max(a, 1e-3), b


def calibrate(router: KeywordRouter, examples: list[Example]) -> dict:
    """Fit one Platt scaling per intent on ``examples`` (positive: the intent is labelled)."""
    raws = [router.raw_scores(e.text)[0] for e in examples]
    params = {}
    for intent in router.experts:
        xs = [r[intent] for r in raws]
        ys = [int(intent in e.intents) for e in examples]
        a, b = fit_platt(xs, ys)
        params[intent] = {"a": round(a, 6), "b": round(b, 6)}
    return {"intents": params, "trained_on": len(examples),
            "method": "Platt scaling of the keyword router's raw scores"}


def write_calibration(calibration: dict, path: str | Path | None = None) -> Path:
    p = Path(path) if path is not None else data_path("routing_calibration.json")
    p.write_text(json.dumps(calibration, indent=2) + "\n", encoding="utf-8")
    return p


# -- evaluation ------------------------------------------------------------------------
def evaluate(router, path: str | Path | list[Example] | None = None) -> dict:
    """Route every question with ``router`` (any router with ``route`` and ``experts``):
    top-1 accuracy, plan accuracy, confusion matrix, calibration table and latency."""
    examples = path if isinstance(path, list) else load_examples(path)
    decisions = []
    latencies = []
    for ex in examples:
        t0 = time.perf_counter()
        try:
            decisions.append(router.route(ex.text))
        except UserError as exc:
            raise UserError(str(exc), ex.where or None) from None
        latencies.append(time.perf_counter() - t0)
    return summarise(examples, decisions, list(router.experts), latencies)


def summarise(examples: list[Example], decisions: list, intents: list[str],
              latencies: list[float] | None = None) -> dict:
    """The report of ``decisions`` (one per example); latency only when ``latencies`` given.

    Top-1 compares the first planned intent with the first labelled one; a plan is right
    when its intents are exactly the labelled ones in the labelled order. Calibration
    bins every intent's score of every question against "the intent is labelled".
    """
    confusion = {t: dict.fromkeys(intents, 0) for t in intents}
    top1 = plan_ok = multi = multi_ok = 0
    bins = [[0, 0.0, 0] for _ in range(BINS)]      # count, sum of confidence, correct
    errors = []
    for ex, d in zip(examples, decisions, strict=True):
        want = ex.intents[0]
        got = d.plan[0].intent
        if want in confusion and got in confusion[want]:
            confusion[want][got] += 1
        top1 += got == want
        ok = list(d.intents) == list(ex.intents)
        plan_ok += ok
        if len(ex.intents) > 1:
            multi += 1
            multi_ok += ok
        if got != want or not ok:
            errors.append({"text": ex.text[:120], "want": list(ex.intents),
                           "got": list(d.intents)})
        for intent, conf in d.scores.items():
            k = min(BINS - 1, int(conf * BINS))
            bins[k][0] += 1
            bins[k][1] += conf
            bins[k][2] += intent in ex.intents
    n = len(examples)
    table = []
    ece = 0.0
    total = sum(b[0] for b in bins)
    for k, (count, sconf, correct) in enumerate(bins):
        if count:
            mean_c, acc = sconf / count, correct / count
            ece += count / total * abs(mean_c - acc)
            table.append({"bin": f"{k / BINS:.1f}-{(k + 1) / BINS:.1f}", "count": count,
                          "mean_confidence": round(mean_c, 4), "accuracy": round(acc, 4)})
    report: dict[str, object] = {
        "examples": n,
        "top1_accuracy": round(top1 / n, 4) if n else 0.0,
        "plan_accuracy": round(plan_ok / n, 4) if n else 0.0,
        "multi_intent_examples": multi,
        "multi_intent_plan_accuracy": round(multi_ok / multi, 4) if multi else None,
        "confusion": confusion,
        "calibration": table,
        "expected_calibration_error": round(ece, 4),
        "latency_ms": None,
        "errors": errors,
    }
    if latencies:
        lat = sorted(latencies)
        report["latency_ms"] = {"p50": round(1000 * percentile(lat, 50), 4),
                                "p99": round(1000 * percentile(lat, 99), 4),
                                "max": round(1000 * lat[-1], 4)}
    return report


def format_report(report: dict) -> str:
    """The report as text: figures, calibration table, confusion matrix."""
    lines = [
        f"examples                 {report['examples']}",
        f"top-1 accuracy           {report['top1_accuracy']:.3f}",
        f"plan accuracy            {report['plan_accuracy']:.3f}",
    ]
    if report["multi_intent_plan_accuracy"] is not None:
        lines.append(f"multi-intent plan acc.   {report['multi_intent_plan_accuracy']:.3f}"
                     f"  ({report['multi_intent_examples']} examples)")
    lat = report["latency_ms"]
    if lat:
        lines.append(f"latency ms               p50 {lat['p50']:.3f}  p99 {lat['p99']:.3f}")
    lines.append(f"expected calib. error    {report['expected_calibration_error']:.3f}")
    lines.append("")
    lines.append("calibration  bin       count  mean conf  accuracy")
    for row in report["calibration"]:
        lines.append(f"             {row['bin']:8} {row['count']:6}  {row['mean_confidence']:9.3f}"
                     f"  {row['accuracy']:8.3f}")
    lines.append("")
    intents = list(report["confusion"])
    short = _short_names(intents)
    lines.append("confusion (row: labelled first intent, column: routed)")
    lines.append(" " * 14 + " ".join(f"{short[i]:>5}" for i in intents))
    for t in intents:
        row = report["confusion"][t]
        lines.append(f"{t:13} " + " ".join(f"{row[i]:5d}" for i in intents))
    return "\n".join(lines)


def _short_names(names: list[str]) -> dict[str, str]:
    """Five-letter column heads, unique ("generation" -> "gener", "general" -> "genal")."""
    heads = [n[:5] for n in names]
    return {n: n[:3] + n[-2:] if heads.count(n[:5]) > 1 else n[:5] for n in names}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m triforce.routing.evaluate")
    ap.add_argument("file", nargs="?", help="labelled JSON Lines (default: the package's)")
    ap.add_argument("--calibrate", action="store_true",
                    help="refit the calibration on FILE and write routing_calibration.json")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    try:
        router = KeywordRouter.load()
        examples = load_examples(args.file)
        if args.calibrate:
            cal = calibrate(router, examples)
            print(f"wrote {write_calibration(cal)}")
            router.set_calibration(cal)
        report = evaluate(router, examples)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    return 0


__all__ = ["GENERAL", "Example", "calibrate", "evaluate", "fit_platt", "format_report",
           "load_examples", "summarise", "write_calibration"]

if __name__ == "__main__":
    sys.exit(main())
