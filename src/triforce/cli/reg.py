"""``triforce reg``: look up SNES hardware registers by address or name."""

from __future__ import annotations

import json
import textwrap

from triforce.snes import registers

_WIDTH = 88


def register(sub) -> None:
    p = sub.add_parser(
        "reg",
        help="look up SNES hardware registers by address or name",
        description=(
            "Show SNES hardware registers: address, name, aliases, access, bit fields and "
            "timing. Give addresses ($2100, 2100, 0x2100, $80:2100: any bank mirror), names "
            "or aliases (INIDISP, objsel), a multi-byte value (VMADD, WMADD, A1T0) or a DMA "
            "register of every channel (DMAPx, $43x5)."
        ),
    )
    p.add_argument("queries", nargs="+", metavar="ADDR_OR_NAME",
                   help="register address, name or alias")
    p.add_argument("--json", action="store_true", help="print the registers as a JSON list")
    p.set_defaults(func=cmd_reg)


def cmd_reg(args) -> int:
    found: list[registers.Register] = []
    for q in args.queries:
        for reg in registers.lookup(q):
            if reg not in found:
                found.append(reg)
    if args.json:
        print(json.dumps([r.to_dict() for r in found], indent=2))
        return 0
    print("\n\n".join(format_register(r) for r in found))
    return 0


def _wrap(label: str, text: str) -> list[str]:
    prefix = f"  {label:<9} "
    return textwrap.wrap(text, _WIDTH, initial_indent=prefix,
                         subsequent_indent=" " * len(prefix)) or [prefix.rstrip()]


def format_register(reg: registers.Register) -> str:
    """A readable block: header line, aliases, access, description, bit table, timing."""
    lines = [f"{reg.address_text}  {reg.name}  ({reg.group})"]
    lines += _wrap("aliases:", ", ".join(reg.aliases) or "none")
    if reg.combined:
        lines += _wrap("value:", ", ".join(reg.combined))
    lines += _wrap("access:", f"{reg.access_text}; {reg.size_text()}")
    lines += _wrap("about:", reg.description)
    bits_w = max(len(b.bits) for b in reg.bits)
    name_w = max(len(b.name) + (4 if b.side else 0) for b in reg.bits)
    lines.append(f"  bits:{' (of the 16-bit value)' if reg.width == 16 else ''}")
    for b in reg.bits:
        name = f"{b.name} ({b.side})" if b.side else b.name
        head = f"    {b.bits:<{bits_w}}  {name:<{name_w}}  "
        lines += textwrap.wrap(b.meaning, _WIDTH, initial_indent=head,
                               subsequent_indent=" " * len(head))
    lines += _wrap("timing:", reg.timing)
    return "\n".join(lines)
