"""The ``triforce`` command: one entry point, one module per sub-command.

Exit codes: 0 success, 1 a user's mistake (one clear line on stderr), 2 an
internal error.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback

from triforce import __version__
from triforce.errors import UserError


def build_parser() -> argparse.ArgumentParser:
    from triforce.cli import ask as ask_cmd
    from triforce.cli import asm as asm_cmd
    from triforce.cli import cycles as cycles_cmd
    from triforce.cli import disasm as disasm_cmd
    from triforce.cli import equiv as equiv_cmd
    from triforce.cli import experts as experts_cmd
    from triforce.cli import lint as lint_cmd
    from triforce.cli import optimize as optimize_cmd
    from triforce.cli import reg as reg_cmd
    from triforce.cli import route as route_cmd
    from triforce.cli import run as run_cmd
    from triforce.cli import serve as serve_cmd

    parser = argparse.ArgumentParser(
        prog="triforce",
        description="Triforce: a verified assistant for SNES 65816 assembly.",
    )
    parser.add_argument("--version", action="version", version=f"triforce {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    ask_cmd.register(sub)
    asm_cmd.register(sub)
    disasm_cmd.register(sub)
    cycles_cmd.register(sub)
    reg_cmd.register(sub)
    lint_cmd.register(sub)
    equiv_cmd.register(sub)
    optimize_cmd.register(sub)
    route_cmd.register(sub)
    route_cmd.register_stats(sub)
    experts_cmd.register(sub)
    run_cmd.register(sub)
    serve_cmd.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 1
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"triforce: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("triforce: interrupted", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    except Exception as exc:  # an internal error: say so plainly, details on request
        print(f"triforce: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        if os.environ.get("TRIFORCE_DEBUG"):
            traceback.print_exc()
        else:
            print("(set TRIFORCE_DEBUG=1 for the traceback)", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
