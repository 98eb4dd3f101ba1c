"""``triforce lint``: static checks of 65816 code (Farore's eyes).

Findings are results, not failures: the exit code is 0 whatever is found,
unless ``--strict`` is given, then 1 when any error-severity finding is
reported. A source that does not assemble is a user error (exit 1).
"""

from __future__ import annotations

import json
from pathlib import Path

from triforce.analysis.lint import RULES, lint_source
from triforce.errors import UserError


def register(sub) -> None:
    p = sub.add_parser(
        "lint",
        help="find likely bugs: widths, stack, DMA setup, block moves, interrupts, registers",
        description=(
            "Assemble FILE.asm and follow its control flow, tracking the M/X widths, the stack, "
            "D, DBR and hardware register writes, and report likely bugs with a suggested fix. "
            "Rules: " + ", ".join(RULES)
        ),
    )
    p.add_argument("file", help="the .asm source")
    a = p.add_mutually_exclusive_group()
    a.add_argument("--m8", action="store_const", const=1, dest="m", help="8-bit A at every entry")
    a.add_argument("--m16", action="store_const", const=0, dest="m", help="16-bit A at every entry")
    x = p.add_mutually_exclusive_group()
    x.add_argument("--x8", action="store_const", const=1, dest="x", help="8-bit X/Y at every entry")
    x.add_argument("--x16", action="store_const", const=0, dest="x", help="16-bit X/Y at every entry")
    p.add_argument("--json", action="store_true", help="print the findings as a JSON list")
    p.add_argument("--strict", action="store_true",
                   help="exit 1 when an error-severity finding is reported")
    p.set_defaults(func=cmd_lint, m=None, x=None)


def cmd_lint(args) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise UserError("no such file", str(path))
    findings = lint_source(path, m=args.m, x=args.x)
    if args.json:
        print(json.dumps([f.to_dict() for f in findings], indent=2))
    else:
        for f in findings:
            print(f)
        n_err = sum(f.severity == "error" for f in findings)
        print(f"{len(findings)} finding(s), {n_err} error(s)")
    if args.strict and any(f.severity == "error" for f in findings):
        return 1
    return 0
