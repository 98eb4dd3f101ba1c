"""``triforce asm``: assemble asar source onto a ROM, with asar's arguments and behaviour."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from triforce.asm import assemble
from triforce.asm.symbols import listing_text, mesen_labels, wla_symbols
from triforce.errors import UserError
from triforce.snes.header import COPIER_HEADER


def register(sub) -> None:
    p = sub.add_parser(
        "asm",
        help="assemble asar source onto a ROM (asar 1.9x dialect)",
        description=(
            "Assemble FILE.asm onto ROM (patched in place; created when missing). With no ROM, "
            "FILE with the .sfc suffix is used. On any error the ROM is left untouched."
        ),
    )
    p.add_argument("file", help="the .asm source")
    p.add_argument("rom", nargs="?", help="the ROM to patch or create")
    p.add_argument("--symbols", choices=["wla", "mlb"], help="write a symbol file beside the ROM")
    p.add_argument("--listing", metavar="FILE", help="write a listing (address, bytes, source)")
    p.add_argument("-D", dest="defines", action="append", default=[], metavar="NAME=VALUE",
                   help="define !NAME before assembling")
    p.add_argument("-I", dest="include", action="append", default=[], metavar="DIR",
                   help="search DIR for incsrc/incbin files")
    p.add_argument("--no-title-check", action="store_true", help="accepted for asar compatibility")
    p.add_argument("--fix-checksum", choices=["on", "off"], default="on",
                   help="update the header checksum (default: on, as asar)")
    p.add_argument("--wextra", action="store_true",
                   help="also warn of guessed immediate widths, truncated values and "
                        "likely reversed MVN/MVP banks (asar leaves these off)")
    p.add_argument("-w", dest="warn", action="append", default=[], metavar="Wname",
                   help="enable one warning by id (e.g. -w Wvalue_truncated)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=cmd_asm)


def _defines(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip().lstrip("!")
        if not name:
            raise UserError(f"-D '{item}' needs a name")
        out[name] = value if sep else "1"
    return out


def cmd_asm(args) -> int:
    src = Path(args.file)
    if not src.is_file():
        raise UserError("no such file" if not src.exists() else "not a file", str(src))
    rom_path = Path(args.rom) if args.rom else src.with_suffix(".sfc")
    header = b""
    rom: bytes | None = None
    if rom_path.exists():
        if rom_path.is_dir():
            raise UserError("is a directory, not a ROM", str(rom_path))
        data = rom_path.read_bytes()
        if len(data) % 0x400 == COPIER_HEADER:
            header, data = data[:COPIER_HEADER], data[COPIER_HEADER:]
        rom = data or None
    result = assemble(src, rom=rom, defines=_defines(args.defines), include_paths=args.include,
                      fix_checksum=args.fix_checksum == "on", extra_warnings=args.wextra,
                      warnings=[w if w.startswith("W") else "W" + w for w in args.warn])
    if args.json:
        print(json.dumps({
            "ok": result.ok,
            "rom": str(rom_path),
            "diagnostics": [
                {"severity": d.severity, "id": d.id, "message": d.message, "file": d.file,
                 "line": d.line} for d in result.diagnostics
            ],
            "prints": result.prints,
            "bytes_written": sum(n for _, n in result.written),
        }, indent=2))
    else:
        for line in result.prints:
            print(line)
        for d in result.diagnostics:
            print(str(d), file=sys.stderr)
    if not result.ok:
        if not args.json:
            print("Errors were detected while assembling the patch. Assembling aborted. "
                  "Your ROM has not been modified.")
        return 1
    out = result.rom
    try:
        rom_path.write_bytes(header + out)
        if args.symbols == "wla":
            sources = {}
            for ln in result.listing:
                if ln.file not in sources and Path(ln.file).is_file():
                    sources[ln.file] = Path(ln.file).read_bytes()
            rom_path.with_suffix(".sym").write_text(wla_symbols(result, sources))
        elif args.symbols == "mlb":
            rom_path.with_suffix(".mlb").write_text(mesen_labels(result))
        if args.listing:
            Path(args.listing).write_text(listing_text(result))
    except OSError as exc:
        raise UserError(f"cannot write output: {exc.strerror}", exc.filename) from None
    return 0
