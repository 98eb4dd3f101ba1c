"""Quality of the linter and the optimizer on the labelled corpus in tests/analysis/corpus.

Linter: every file in ``bugs/`` has one planted bug labelled ``; bug: RULE line N``;
a finding with that rule within one line of N is a true positive. Files in
``clean/`` (``; bug: none``) measure false positives; findings on bug files that
are not the planted bug are counted separately as "other findings on bug files".

Optimizer: every file in ``optimize/`` names what must stay the same
(``; observe: ...``) and the saving its author expects (``; saves: C cycles, B bytes``).
The verified savings are printed beside the expected ones, and every accepted
rewrite is checked again with the equivalence checker: a rewrite that changes
behaviour is a failure, however much it saves.

    python benchmarks/analysis_quality.py [--json PATH] [--skip-optimizer]

Targets: precision >= 0.9, recall >= 0.9, accepted rewrites that change behaviour == 0.
Exit code 0 when every target is met, 1 when one is missed or a module is missing.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

CORPUS = REPO / "tests" / "analysis" / "corpus"
RESULTS = REPO / "benchmarks" / "results" / "analysis_quality.json"
TOLERANCE = 1  # lines either side of the labelled line
TARGET_PRECISION = 0.9
TARGET_RECALL = 0.9

BUG_RE = re.compile(r"^; bug: (?:(?P<rule>[a-z-]+) line (?P<line>\d+)|none)\s*$")
OPT_RE = re.compile(r"^; optimize: (?P<hint>\S+)")
OBSERVE_RE = re.compile(r"^; observe: (?P<spec>\S+)")
SAVES_RE = re.compile(r"^; saves: (?P<cycles>-?\d+) cycles, (?P<bytes>-?\d+) bytes")


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def _fmt(value: float | None) -> str:
    return "  -  " if value is None else f"{value:5.2f}"


def _label(path: Path) -> tuple[str, int] | None:
    m = BUG_RE.match(path.read_text().splitlines()[0])
    if not m:
        raise SystemExit(f"{path}: bad header (expected '; bug: RULE line N' or '; bug: none')")
    return (m["rule"], int(m["line"])) if m["rule"] else None


def _findings(lint_source, path: Path) -> tuple[list[tuple[str, int]], str | None]:
    try:
        found = lint_source(path)
    except Exception as exc:  # a crash on one file is reported, not fatal
        return [], f"{type(exc).__name__}: {exc}"
    return [(str(f.rule), int(f.line or 0)) for f in found], None


# ---- linter -------------------------------------------------------------------------
def lint_quality() -> dict | None:
    try:
        from triforce.analysis.lint import lint_source
    except ImportError as exc:
        print(f"linter not available: triforce.analysis.lint.lint_source ({exc})")
        return None

    bugs = sorted((CORPUS / "bugs").glob("*.asm"))
    clean = sorted((CORPUS / "clean").glob("*.asm"))
    per_rule: dict[str, dict[str, int]] = defaultdict(lambda: {"tp": 0, "fn": 0, "fp": 0,
                                                               "other": 0})
    files: list[dict] = []
    crashes: list[str] = []

    for path in bugs:
        label = _label(path)
        if label is None:
            continue
        rule, line = label
        found, crash = _findings(lint_source, path)
        if crash:
            crashes.append(f"{path.name}: {crash}")
        hit = next((f for f in found if f[0] == rule and abs(f[1] - line) <= TOLERANCE), None)
        per_rule[rule]["tp" if hit else "fn"] += 1
        others = [f for f in found if f is not hit]
        for other_rule, _ in others:
            per_rule[other_rule]["other"] += 1
        files.append({"file": f"bugs/{path.name}", "rule": rule, "line": line,
                      "found": bool(hit), "findings": found, "other": others,
                      "crash": crash})

    for path in clean:
        found, crash = _findings(lint_source, path)
        if crash:
            crashes.append(f"{path.name}: {crash}")
        for rule, _ in found:
            per_rule[rule]["fp"] += 1
        files.append({"file": f"clean/{path.name}", "rule": None, "line": None,
                      "found": None, "findings": found, "other": [], "crash": crash})

    tp = sum(r["tp"] for r in per_rule.values())
    fn = sum(r["fn"] for r in per_rule.values())
    fp = sum(r["fp"] for r in per_rule.values())
    other = sum(r["other"] for r in per_rule.values())
    # Precision counts findings on clean files and stray findings on bug files as false.
    precision = _ratio(tp, tp + fp + other)
    recall = _ratio(tp, tp + fn)
    clean_precision = _ratio(tp, tp + fp)

    print(f"Linter on {len(bugs)} bug files and {len(clean)} clean files "
          f"(a hit is the labelled rule within ±{TOLERANCE} line)")
    print(f"{'rule':22} {'TP':>3} {'FN':>3} {'FP':>3} {'other':>5} {'prec':>5} {'recall':>6}")
    rows = {}
    for rule in sorted(per_rule):
        r = per_rule[rule]
        p = _ratio(r["tp"], r["tp"] + r["fp"] + r["other"])
        rc = _ratio(r["tp"], r["tp"] + r["fn"])
        rows[rule] = {**r, "precision": p, "recall": rc}
        print(f"{rule:22} {r['tp']:3} {r['fn']:3} {r['fp']:3} {r['other']:5} "
              f"{_fmt(p)} {_fmt(rc):>6}")
    print(f"{'overall':22} {tp:3} {fn:3} {fp:3} {other:5} {_fmt(precision)} {_fmt(recall):>6}")
    print(f"  false positives on clean files: {fp}; other findings on bug files: {other}; "
          f"precision counting clean files only: {_fmt(clean_precision).strip()}")
    missed = [f["file"] + f" ({f['rule']} line {f['line']})" for f in files
              if f["found"] is False]
    if missed:
        print("  missed: " + ", ".join(missed))
    if crashes:
        print("  linter crashed on: " + "; ".join(crashes))
    return {"tp": tp, "fn": fn, "fp_clean": fp, "other_on_bug_files": other,
            "precision": precision, "recall": recall, "precision_clean_only": clean_precision,
            "per_rule": rows, "files": files, "crashes": crashes}


# ---- optimizer ----------------------------------------------------------------------
def _opt_header(path: Path) -> tuple[str, str, int, int]:
    lines = path.read_text().splitlines()
    hint, observe, saves = OPT_RE.match(lines[0]), OBSERVE_RE.match(lines[1]), \
        SAVES_RE.match(lines[2])
    if not (hint and observe and saves):
        raise SystemExit(f"{path}: bad optimize header")
    return hint["hint"], observe["spec"], int(saves["cycles"]), int(saves["bytes"])


def optimizer_quality() -> dict | None:
    try:
        from triforce.analysis.optimize import optimize_source
    except ImportError as exc:
        print(f"optimizer not available: triforce.analysis.optimize.optimize_source ({exc})")
        return None
    try:
        from triforce.analysis.equiv import check_equivalence
    except ImportError as exc:
        print(f"equivalence checker not available: triforce.analysis.equiv.check_equivalence "
              f"({exc})")
        return None

    paths = sorted((CORPUS / "optimize").glob("*.asm"))
    rows: list[dict] = []
    print(f"\nOptimizer on {len(paths)} files (savings of verified rewrites)")
    print(f"{'file':28} {'hint':16} {'expected':>14} {'verified':>14} {'rw':>3} "
          f"{'changed':>7}")
    for path in paths:
        hint, spec, exp_cyc, exp_bytes = _opt_header(path)
        original = path.read_text()
        row = {"file": path.name, "hint": hint, "observe": spec,
               "expected_cycles": exp_cyc, "expected_bytes": exp_bytes,
               "verified_cycles": 0, "verified_bytes": 0, "rewrites": [],
               "changed_behaviour": False, "error": None}
        try:
            result = optimize_source(path, observe=spec)
            rewrites = list(result.rewrites)
            accepted = [r for r in rewrites if r.verified]
            row["rewrites"] = [{"rule": str(r.rule), "cycles_saved": r.cycles_saved,
                                "bytes_saved": r.bytes_saved, "verified": bool(r.verified)}
                               for r in rewrites]
            row["verified_cycles"] = sum(int(r.cycles_saved or 0) for r in accepted)
            row["verified_bytes"] = sum(int(r.bytes_saved or 0) for r in accepted)
            if accepted:
                verdict = check_equivalence(original, result.source, observe=spec)
                row["changed_behaviour"] = not bool(verdict.equivalent)
        except Exception as exc:  # one file's failure is a row, not a crash
            row["error"] = f"{type(exc).__name__}: {exc}"
        rows.append(row)
        n_acc = sum(1 for r in row["rewrites"] if r["verified"])
        print(f"{path.name:28} {hint:16} {exp_cyc:6}c {exp_bytes:4}b "
              f"{row['verified_cycles']:6}c {row['verified_bytes']:4}b {n_acc:3} "
              f"{'YES' if row['changed_behaviour'] else 'no':>7}"
              + (f"  error: {row['error']}" if row["error"] else ""))

    totals = {
        "expected_cycles": sum(r["expected_cycles"] for r in rows),
        "expected_bytes": sum(r["expected_bytes"] for r in rows),
        "verified_cycles": sum(r["verified_cycles"] for r in rows),
        "verified_bytes": sum(r["verified_bytes"] for r in rows),
        "files_with_saving": sum(1 for r in rows if r["verified_cycles"] > 0
                                 or r["verified_bytes"] > 0),
        "accepted_rewrites": sum(1 for r in rows for w in r["rewrites"] if w["verified"]),
        "rejected_rewrites": sum(1 for r in rows for w in r["rewrites"] if not w["verified"]),
        "changed_behaviour": sum(1 for r in rows if r["changed_behaviour"]),
        "errors": sum(1 for r in rows if r["error"]),
    }
    print(f"{'total':45} {totals['expected_cycles']:6}c {totals['expected_bytes']:4}b "
          f"{totals['verified_cycles']:6}c {totals['verified_bytes']:4}b")
    print(f"  files with a verified saving: {totals['files_with_saving']}/{len(rows)}; "
          f"accepted rewrites: {totals['accepted_rewrites']}, rejected: "
          f"{totals['rejected_rewrites']}; files whose accepted rewrites change behaviour: "
          f"{totals['changed_behaviour']}")
    return {"totals": totals, "files": rows}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", type=Path, default=RESULTS, help="where to write the results")
    ap.add_argument("--skip-optimizer", action="store_true", help="measure the linter only")
    args = ap.parse_args(argv)

    lint = lint_quality()
    opt = None if args.skip_optimizer else optimizer_quality()

    checks = []
    if lint is not None:
        checks.append(("precision >= 0.9", lint["precision"] is not None
                       and lint["precision"] >= TARGET_PRECISION))
        checks.append(("recall >= 0.9", lint["recall"] is not None
                       and lint["recall"] >= TARGET_RECALL))
    else:
        checks.append(("linter available", False))
    if not args.skip_optimizer:
        if opt is not None:
            checks.append(("changed-behaviour rewrites == 0",
                           opt["totals"]["changed_behaviour"] == 0))
            checks.append(("optimizer ran on every file", opt["totals"]["errors"] == 0))
        else:
            checks.append(("optimizer and equivalence checker available", False))

    print("\nTargets:")
    for name, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {name}")

    if lint is None and opt is None:
        print("nothing measured; no results written")
        return 1
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({
        "tolerance_lines": TOLERANCE,
        "targets": {"precision": TARGET_PRECISION, "recall": TARGET_RECALL,
                    "changed_behaviour": 0},
        "linter": lint, "optimizer": opt,
        "checks": {name: ok for name, ok in checks},
    }, indent=2, default=str) + "\n")
    print(f"results written to {args.json}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
