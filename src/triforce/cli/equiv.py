"""``triforce equiv``: do two routines behave the same?

Exit codes follow ``diff`` and ``cmp``: 0 the routines are equivalent on every
state tried, 1 they differ (the counterexample is printed), 2 trouble (source
that does not assemble, a routine that does not return, a bad option). The
error line is the same ``triforce: error: ...`` as every other command's.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from triforce.errors import UserError

EXIT_SAME, EXIT_DIFFERENT, EXIT_TROUBLE = 0, 1, 2


def register(sub) -> None:
    from triforce.analysis.equiv import (
        DEFAULT_EXHAUSTIVE_BITS,
        DEFAULT_MAX_STEPS,
        DEFAULT_OBSERVE,
        DEFAULT_SAMPLES,
    )

    p = sub.add_parser(
        "equiv",
        help="check that two routines behave the same, on the emulator",
        description=(
            "Run two routines (asar source ending in RTS/RTL) from the same initial states "
            "and compare what is observable at exit. When the inputs they read come to at "
            f"most {DEFAULT_EXHAUSTIVE_BITS} bits every combination is tried (exhaustive); "
            "otherwise boundary values and random states (sampled). "
            "Exit status: 0 equivalent, 1 different (a counterexample is printed), 2 trouble."
        ),
    )
    p.add_argument("a", metavar="A.asm", help="the first routine")
    p.add_argument("b", metavar="B.asm", help="the second routine")
    p.add_argument(
        "--observe", metavar="SPEC",
        help=("what to compare, comma-separated: A X Y S D DB PB P E, A.l A.h X.l X.h Y.l Y.h, "
              "P.N P.V P.M P.X P.D P.I P.Z P.C, $7E0010 or $7E0010-$7E001F, mem (every byte "
              f"either routine wrote), stack, io (default {DEFAULT_OBSERVE})"),
    )
    p.add_argument(
        "--assume", metavar="SPEC",
        help=("fix parts of the initial state, e.g. 'P.D=0,DB=$7E,$7E0010=$05' "
              "(default: D=$0000, DB = the code's bank, S=$01FC; everything else varies)"),
    )
    mw = p.add_mutually_exclusive_group()
    mw.add_argument("--m8", dest="m", action="store_const", const=8, help="8-bit A at entry")
    mw.add_argument("--m16", dest="m", action="store_const", const=16, help="16-bit A at entry")
    xw = p.add_mutually_exclusive_group()
    xw.add_argument("--x8", dest="x", action="store_const", const=8,
                    help="8-bit X and Y at entry")
    xw.add_argument("--x16", dest="x", action="store_const", const=16,
                    help="16-bit X and Y at entry")
    p.add_argument("--emulation", action="store_true", help="run in emulation mode (E=1)")
    p.add_argument("--samples", type=int, default=DEFAULT_SAMPLES, metavar="N",
                   help=f"random states when sampling (default {DEFAULT_SAMPLES:,})")
    p.add_argument("--seed", type=int, default=0, metavar="N",
                   help="seed of the random states (default 0)")
    p.add_argument("--exhaustive-bits", type=int, default=DEFAULT_EXHAUSTIVE_BITS, metavar="N",
                   help=f"enumerate every state up to N input bits (default {DEFAULT_EXHAUSTIVE_BITS})")
    p.add_argument("--max-steps", type=int, default=DEFAULT_MAX_STEPS, metavar="N",
                   help=f"instructions per run before giving up (default {DEFAULT_MAX_STEPS:,})")
    p.add_argument("--rom", metavar="GAME.sfc",
                   help="assemble both routines onto this ROM (for code that calls into it)")
    p.add_argument("-I", "--include", dest="include", action="append", default=[], metavar="DIR",
                   help="directory searched by incsrc/incbin")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=cmd_equiv)


def cmd_equiv(args) -> int:
    try:
        result = _check(args)
    except UserError as exc:
        print(f"triforce: error: {exc}", file=sys.stderr)
        return EXIT_TROUBLE
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(result.summary())
    return EXIT_SAME if result.equivalent else EXIT_DIFFERENT


def _check(args):
    from triforce.analysis.equiv import check_equivalence

    if args.exhaustive_bits < 0 or args.exhaustive_bits > 24:
        raise UserError("--exhaustive-bits must be between 0 and 24")
    paths = []
    for name in (args.a, args.b):
        path = Path(name)
        if not path.is_file():
            raise UserError("no such file" if not path.exists() else "not a file", name)
        paths.append(path)
    rom = None
    if args.rom:
        try:
            rom = Path(args.rom).read_bytes()
        except FileNotFoundError:
            raise UserError("no such file", args.rom) from None
        except OSError as exc:
            raise UserError(f"cannot read: {exc.strerror}", args.rom) from None
    from triforce.cli.progress import Spinner

    with Spinner("comparing on the emulator"):
        return check_equivalence(
            paths[0], paths[1], args.observe, rom=rom,
            m=args.m, x=args.x, e=1 if args.emulation else 0, assume=args.assume,
            samples=args.samples, seed=args.seed, max_steps=args.max_steps,
            exhaustive_bits=args.exhaustive_bits, include_paths=tuple(args.include),
        )
