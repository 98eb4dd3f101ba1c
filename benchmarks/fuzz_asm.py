"""The long fuzz run of the assembler: cases per second and failures by class.

Mutated test programs (see ``tests/asm/fuzzing.py``) run in worker processes with a memory
limit and a time limit per case, inside a sandbox. A failure is an exception that escapes the
assembler, a case over the time limit, a dead worker, a ROM written although the assembly
failed, or a file opened outside the sandbox. Exits 1 when there is any.

    python benchmarks/fuzz_asm.py [--cases 20000] [--seed 1] [--time-limit 10]
                                  [--workers 2] [--max-work N] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "asm"))

from fuzzing import describe, generate, run_cases  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--time-limit", type=float, default=10.0, help="seconds per case")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--max-work", type=int, default=None,
                    help="the assembler's work bound (default: the sandbox's)")
    ap.add_argument("--json", default=str(REPO / "benchmarks" / "results" / "fuzz_asm.json"))
    args = ap.parse_args()

    report = run_cases(generate(args.seed, args.cases), time_limit=args.time_limit,
                       workers=args.workers, max_work=args.max_work)
    rate = report.cases / report.seconds if report.seconds else 0.0
    print(f"cases             {report.cases} (seed {args.seed})")
    print(f"seconds           {report.seconds:.1f}  ({rate:.1f} cases/s, {args.workers} workers)")
    slow = report.slowest_case
    print(f"slowest case      {report.slowest:.2f} s (limit {args.time_limit:g} s)"
          + (f": case {slow.index} ({slow.program}; {', '.join(slow.mutations)})" if slow else ""))
    print(f"outcomes          {dict(report.outcomes)}")
    print(f"failures          {len(report.failures)} {report.by_class()}")
    for f in report.failures[:30]:
        print("  " + describe(f))
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps({
        "cases": report.cases, "seed": args.seed, "seconds": round(report.seconds, 2),
        "cases_per_s": round(rate, 2), "workers": args.workers,
        "slowest_s": round(report.slowest, 3), "time_limit_s": args.time_limit,
        "outcomes": dict(report.outcomes), "failures": len(report.failures),
        "failures_by_class": report.by_class(),
        "first_failures": [describe(f) for f in report.failures[:30]],
    }, indent=2) + "\n")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
