"""``triforce cycles``: static cycle and byte counts of a routine."""

from __future__ import annotations

import json
from pathlib import Path

from triforce.analysis.timing import time_source
from triforce.errors import UserError


def register(sub) -> None:
    p = sub.add_parser(
        "cycles",
        help="cycles and bytes of a routine, per instruction and in total",
        description=(
            "Assemble FILE.asm and count the cycles of its code (or of the routine at --label) "
            "under the stated register widths. Ranges show what depends on run-time values "
            "(branches taken, page crossings); loops are listed with their cost per iteration."
        ),
    )
    p.add_argument("file", help="the .asm source")
    p.add_argument("--label", help="time only the routine at this label")
    a = p.add_mutually_exclusive_group()
    a.add_argument("--m8", action="store_const", const=1, dest="m", help="8-bit A at the start (default)")
    a.add_argument("--m16", action="store_const", const=0, dest="m", help="16-bit A at the start")
    x = p.add_mutually_exclusive_group()
    x.add_argument("--x8", action="store_const", const=1, dest="x", help="8-bit X/Y at the start (default)")
    x.add_argument("--x16", action="store_const", const=0, dest="x", help="16-bit X/Y at the start")
    p.add_argument("--emulation", action="store_true", help="emulation mode (E=1)")
    p.add_argument("--dl-nonzero", action="store_true", help="the low byte of D is not zero")
    p.add_argument("--fastrom", action="store_true", help="code in banks $80+ runs from FastROM")
    p.add_argument("--iterations", type=int, metavar="N",
                   help="how many times each loop runs, for the total")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=cmd_cycles, m=1, x=1)


def cmd_cycles(args) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise UserError("no such file", str(path))
    if args.iterations is not None and args.iterations < 1:
        raise UserError("--iterations must be at least 1")
    t = time_source(path, label=args.label, m=args.m, x=args.x, e=1 if args.emulation else 0,
                    dl_nonzero=args.dl_nonzero, fastrom=args.fastrom)
    totals = t.total(args.iterations)
    if args.json:
        print(json.dumps({
            "bytes": t.bytes,
            "cycles": {"min": totals[0], "max": totals[1]},
            "master_clocks": {"min": t.master_min, "max": t.master_max},
            "instructions": [
                {"address": f"${i.address:06X}", "bytes": i.data.hex(), "text": i.text,
                 "line": i.line, "m": i.m, "x": i.x,
                 "cycles": {"min": i.cycles_min, "max": i.cycles_max},
                 "master_clocks": {"min": i.master_min, "max": i.master_max}, "note": i.note}
                for i in t.instructions
            ],
            "loops": [
                {"start": f"${lp.start:06X}", "branch": f"${lp.branch:06X}", "bytes": lp.bytes,
                 "cycles_per_iteration": {"min": lp.cycles_min, "max": lp.cycles_max}}
                for lp in t.loops
            ],
        }, indent=2))
        return 0
    for i in t.instructions:
        cyc = f"{i.cycles_min}" if not i.varies else f"{i.cycles_min}-{i.cycles_max}"
        print(f"{i.address >> 16:02X}:{i.address & 0xFFFF:04X}  {i.data.hex(' ').upper():<12} "
              f"{i.text:<18} {cyc:>5}  {i.note}".rstrip())
    for lp in t.loops:
        print(f"loop {lp.start >> 16:02X}:{lp.start & 0xFFFF:04X}-{lp.branch & 0xFFFF:04X}: "
              f"{lp.cycles_min}-{lp.cycles_max} cycles per iteration, {lp.bytes} bytes")
    span = f"{totals[0]}" if totals[0] == totals[1] else f"{totals[0]}-{totals[1]}"
    iters = f" with {args.iterations} iterations per loop" if args.iterations else " (loops once)"
    print(f"total: {t.bytes} bytes, {span} cycles{iters if t.loops else ''}, "
          f"{t.master_min}-{t.master_max} master clocks")
    return 0
