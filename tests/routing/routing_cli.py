"""The ``triforce`` command with only the routing sub-commands, as cli.main wires them."""

from __future__ import annotations

import argparse
import sys

from triforce.cli import route as route_cmd
from triforce.errors import UserError


def run_cli(argv: list[str]) -> int:
    """Parse and run ``argv``; a UserError is one line on stderr and exit code 1."""
    parser = argparse.ArgumentParser(prog="triforce")
    sub = parser.add_subparsers(dest="command")
    route_cmd.register(sub)
    route_cmd.register_stats(sub)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"triforce: error: {exc}", file=sys.stderr)
        return 1
