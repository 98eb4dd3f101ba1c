"""``triforce optimize``: peephole rewrites, each proven equivalent before it is kept."""

from __future__ import annotations

import json
from pathlib import Path

from triforce.cli.progress import Spinner
from triforce.errors import UserError


def register(sub) -> None:
    p = sub.add_parser(
        "optimize",
        help="peephole-optimise a routine; every rewrite is proven equivalent",
        description=(
            "Apply small-window rewrites (STZ, INC A, redundant REP/SEP and loads, dead stores, "
            "branch chains, tail calls, 16-bit copies, BIT tests, XBA shifts...) to FILE.asm. "
            "A rewrite is kept only when it saves cycles or bytes and the equivalence checker "
            "proves the routine unchanged under the observables (default: A X Y P S D DB and "
            "every memory byte written)."
        ),
    )
    p.add_argument("file", help="the .asm routine (ending in RTS/RTL)")
    p.add_argument("--observe", metavar="SPEC",
                   help="what must stay the same (the equivalence checker's syntax)")
    a = p.add_mutually_exclusive_group()
    a.add_argument("--m8", action="store_const", const=1, dest="m", help="8-bit A at the start")
    a.add_argument("--m16", action="store_const", const=0, dest="m", help="16-bit A at the start")
    x = p.add_mutually_exclusive_group()
    x.add_argument("--x8", action="store_const", const=1, dest="x", help="8-bit X/Y at the start")
    x.add_argument("--x16", action="store_const", const=0, dest="x", help="16-bit X/Y at the start")
    p.add_argument("--rule", action="append", dest="rules", metavar="ID",
                   help="use only this rule (repeatable); --list-rules shows them")
    p.add_argument("--list-rules", action="store_true", help="list the rules and exit")
    p.add_argument("-o", "--output", metavar="FILE", help="write the optimised source here")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=cmd_optimize, m=None, x=None)


def cmd_optimize(args) -> int:
    from triforce.analysis.optimize import RULES, optimize_source

    if args.list_rules:
        for r in RULES.values():
            print(f"{r.id:20} {r.description}")
        return 0
    path = Path(args.file)
    if not path.is_file():
        raise UserError("no such file", str(path))
    with Spinner("proving rewrites"):
        res = optimize_source(path, args.observe, m=args.m, x=args.x, rules=args.rules)
    if args.output:
        Path(args.output).write_text(res.source)
    if args.json:
        print(json.dumps(res.to_dict(), indent=2))
        return 0
    if res.diff:
        print(res.diff, end="" if res.diff.endswith("\n") else "\n")
    for rw in res.rewrites:
        print(f"{path}:{rw.line}: {rw.rule}: {' : '.join(rw.before)} -> "
              f"{' : '.join(rw.after) or '(nothing)'}  "
              f"[{rw.cycles_saved:+d} cycles, {rw.bytes_saved:+d} bytes saved]")
    if not res.rewrites:
        print("no rewrite proven profitable and equivalent")
    print(f"total: cycles {res.cycles_before} -> {res.cycles_after} "
          f"({res.cycles_before - res.cycles_after} saved), bytes {res.bytes_before} -> "
          f"{res.bytes_after} ({res.bytes_before - res.bytes_after} saved); "
          f"{len(res.rewrites)} rewrites kept, {len(res.rejected)} refuted by the checker "
          f"({res.seconds:.2f}s)")
    return 0
