"""``triforce disasm``: disassemble a ROM or raw binary to asar source that re-assembles."""

from __future__ import annotations

import json
from pathlib import Path

from triforce.asm.disasm import disassemble
from triforce.errors import UserError, parse_number
from triforce.snes.header import ROM_SUFFIXES, detect_mapping, strip_copier_header


def register(sub) -> None:
    p = sub.add_parser(
        "disasm",
        help="disassemble a ROM or raw binary (asar syntax, re-assembles to the same bytes)",
        description=(
            "Disassemble from an SNES address, following the code's control flow and its "
            "register widths. A ROM image (.sfc/.smc) is read through its mapping; any other "
            "file is raw bytes loaded at --base (default: --start)."
        ),
    )
    p.add_argument("file", help="ROM image or raw binary")
    p.add_argument("--start", required=True, metavar="ADDR", help="SNES address to start at")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--end", metavar="ADDR", help="stop before this address")
    g.add_argument("--length", metavar="N", help="bytes to cover (decimal, or $hex)")
    p.add_argument("--base", metavar="ADDR", help="load address of a raw binary")
    m = p.add_mutually_exclusive_group()
    m.add_argument("--lorom", action="store_const", const="lorom", dest="mapping")
    m.add_argument("--hirom", action="store_const", const="hirom", dest="mapping")
    m.add_argument("--exhirom", action="store_const", const="exhirom", dest="mapping")
    a = p.add_mutually_exclusive_group()
    a.add_argument("--m8", action="store_const", const=1, dest="m", help="8-bit accumulator at the start")
    a.add_argument("--m16", action="store_const", const=0, dest="m", help="16-bit accumulator at the start")
    x = p.add_mutually_exclusive_group()
    x.add_argument("--x8", action="store_const", const=1, dest="x", help="8-bit index registers at the start")
    x.add_argument("--x16", action="store_const", const=0, dest="x", help="16-bit index registers at the start")
    p.add_argument("--emulation", action="store_true", help="start in emulation mode")
    p.add_argument("--symbols", metavar="FILE.sym", help="WLA symbol file for labels and width hints")
    p.add_argument("--entry", action="append", default=[], metavar="ADDR",
                   help="more entry points to follow (repeatable)")
    p.add_argument("--bytes", action="store_true", help="show each instruction's bytes in a comment")
    p.add_argument("--json", action="store_true", help="print the lines as JSON")
    p.set_defaults(func=cmd_disasm, mapping=None, m=None, x=None)


def cmd_disasm(args) -> int:
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserError("no such file", str(path)) from None
    except IsADirectoryError:
        raise UserError("is a directory", str(path)) from None
    if not data:
        raise UserError("the file is empty", str(path))
    start = parse_number(args.start, what="--start address")
    is_rom = path.suffix.lower() in ROM_SUFFIXES and args.base is None
    base = None
    if is_rom:
        data = strip_copier_header(data)
        mapping = args.mapping or detect_mapping(data)
    else:
        mapping = args.mapping or "lorom"
        base = parse_number(args.base, what="--base address") if args.base else start
    end = parse_number(args.end, what="--end address") if args.end else None
    length = (parse_number(args.length, what="--length", hex_default=False)
              if args.length else None)
    symbols = None
    if args.symbols:
        sym = Path(args.symbols)
        if not sym.is_file():
            raise UserError("no such symbol file", str(sym))
        symbols = str(sym)
    result = disassemble(
        data, start, mapping=mapping, base=base, m=args.m, x=args.x,
        e=1 if args.emulation else None, symbols=symbols,
        entry_points=[parse_number(a, what="--entry address") for a in args.entry],
        end=end, length=length,
    )
    if args.json:
        print(json.dumps([
            {"address": f"${ln.address:06X}", "bytes": ln.bytes.hex(), "text": ln.text,
             "label": ln.label, "comment": ln.comment, "kind": ln.kind}
            for ln in result.lines
        ], indent=1))
    else:
        print(result.text(show_bytes=args.bytes), end="")
    return 0
