"""``triforce run``: run code on the emulator and print the final state."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

from triforce.cpu import StepLimitExceeded
from triforce.cpu.core import DEFAULT_MAX_STEPS
from triforce.cpu.machine import Machine, from_example, open_program
from triforce.cpu.state import load_states, run_state
from triforce.errors import UserError, parse_number

_REG_BITS = {"a": 16, "x": 16, "y": 16, "s": 16, "d": 16, "dbr": 8, "db": 8, "pbr": 8,
             "pb": 8, "pc": 16, "p": 8, "e": 1}


def register(sub) -> None:
    p = sub.add_parser(
        "run",
        help="run a ROM, a raw binary or processor states on the 65816 emulator",
        description=(
            "Run code on the emulator. FILE is a ROM image (.sfc/.smc; starts at the reset "
            "vector), asar source (.asm: assembled, started at its first byte, stops when it "
            "returns) or a raw binary (loaded at --org, started there in emulation mode). "
            "Numbers are hex unless written in decimal with a suffix-free count option "
            "($8000, 0x8000, 8000 and $00:8000 are the same address)."
        ),
    )
    p.add_argument("file", nargs="?", help="ROM image or raw binary")
    p.add_argument("--example", metavar="NAME", help="run a bundled example program (mul16)")
    p.add_argument("--state", metavar="FILE.json",
                   help="processor state(s) in the SingleStepTests format on flat memory")
    p.add_argument("--steps", type=int, default=1, metavar="N",
                   help="instructions to execute per state with --state (default 1)")
    p.add_argument("--rom", action="store_true", help="treat FILE as a ROM image")
    p.add_argument("--binary", action="store_true", help="treat FILE as a raw binary")
    p.add_argument("--mapping", choices=["lorom", "hirom", "exlorom", "exhirom", "sa1rom"],
                   help="ROM mapping (default: from the cartridge header)")
    p.add_argument("--org", default="$008000", metavar="ADDR",
                   help="load address of a raw binary (default $008000)")
    p.add_argument("--start", metavar="ADDR", help="start address (default: reset vector / --org)")
    p.add_argument("--native", action="store_true", help="start in native mode (E=0)")
    p.add_argument("--set", action="append", default=[], metavar="REG=VALUE",
                   help="set a register before running, e.g. --set A=$1234 --set P=$30")
    p.add_argument("--poke", action="append", default=[], metavar="ADDR=BYTES",
                   help="write hex bytes to memory before running, e.g. --poke $7E0010=3412")
    p.add_argument("--until", action="append", default=[], metavar="ADDR",
                   help="stop when execution reaches ADDR")
    p.add_argument("--break", dest="breakpoints", action="append", default=[], metavar="ADDR",
                   help="breakpoint (stop before executing ADDR)")
    p.add_argument("--watch", action="append", default=[], metavar="ADDR",
                   help="stop after an instruction writes ADDR")
    p.add_argument("--watch-read", action="append", default=[], metavar="ADDR",
                   help="stop after an instruction reads ADDR")
    p.add_argument("--no-stop-on-brk", action="store_true", help="execute BRK instead of stopping")
    p.add_argument("--stop-on-return", action="store_true",
                   help="stop when RTS/RTL/RTI returns from the starting routine")
    p.add_argument("--max-steps", type=int, default=DEFAULT_MAX_STEPS, metavar="N",
                   help=f"instruction limit (default {DEFAULT_MAX_STEPS:,})")
    p.add_argument("--trace", action="store_true", help="print one line per instruction")
    p.add_argument("--trace-file", metavar="FILE", help="write the trace to FILE")
    p.add_argument("--dump", action="append", default=[], metavar="ADDR:LEN",
                   help="print LEN bytes of memory from ADDR after the run")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=cmd_run)


def _parse_assignments(items: list[str], what: str) -> list[tuple[str, str]]:
    out = []
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key or not value:
            raise UserError(f"{what} '{item}' must look like NAME=VALUE")
        out.append((key.strip(), value.strip()))
    return out


def _setup(machine: Machine, args) -> None:
    cpu = machine.cpu
    if args.start:
        machine.start_at(parse_number(args.start, what="--start address"))
    if args.native:
        cpu.e = 0
    for name, value in _parse_assignments(args.set, "--set"):
        reg = name.lower()
        if reg not in _REG_BITS:
            raise UserError(f"--set: unknown register '{name}' (A X Y S D DBR PBR PC P E)")
        bits = _REG_BITS[reg]
        v = parse_number(value, bits=bits, what=f"value of {name.upper()}")
        reg = {"db": "dbr", "pb": "pbr"}.get(reg, reg)
        setattr(cpu, reg, v)
    cpu.normalize()
    for addr_text, data_text in _parse_assignments(args.poke, "--poke"):
        addr = parse_number(addr_text, what="--poke address")
        hexdigits = data_text.removeprefix("$").replace(" ", "")
        try:
            data = bytes.fromhex(hexdigits)
        except ValueError:
            raise UserError(f"--poke data '{data_text}' is not hex bytes") from None
        machine.poke(addr, data)


def _dumps(machine: Machine, specs: list[str]) -> list[tuple[int, bytes]]:
    out = []
    for spec in specs:
        addr_text, sep, len_text = spec.rpartition(":")
        if not sep or not addr_text:
            raise UserError(f"--dump '{spec}' must look like ADDR:LEN (e.g. $7E0010:16)")
        addr = parse_number(addr_text, what="--dump address")
        n = parse_number(len_text, bits=24, what="--dump length", hex_default=False)
        out.append((addr, machine.read_bytes(addr, n)))
    return out


def _flags(p: int, e: int) -> str:
    s = "".join(ch.upper() if p & (0x80 >> i) else ch for i, ch in enumerate("nvmxdizc"))
    return s


def cmd_run(args) -> int:
    if args.state:
        return _run_states(args)
    if bool(args.file) == bool(args.example):
        raise UserError("give a FILE to run, or --example NAME (or --state FILE.json)")
    if args.max_steps <= 0:
        raise UserError("--max-steps must be a positive number")
    if args.example:
        machine = from_example(args.example)
    else:
        kind = "rom" if args.rom else "binary" if args.binary else "auto"
        org = parse_number(args.org, what="--org address")
        if kind == "auto" and args.file.lower().endswith(".asm"):
            from triforce.analysis.execute import machine_from_source

            path = Path(args.file)
            if not path.is_file():
                raise UserError("no such file", args.file)
            machine = machine_from_source(path)
            args.stop_on_return = True
        else:
            machine = open_program(args.file, mapping=args.mapping, org=org, kind=kind)
    _setup(machine, args)
    cpu = machine.cpu
    trace_out: TextIO | None = None
    if args.trace_file:
        try:
            trace_out = open(args.trace_file, "w")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise UserError(f"cannot write trace: {exc.strerror}", args.trace_file) from None
    elif args.trace:
        trace_out = sys.stderr if args.json else sys.stdout
    tracer = (lambda line: print(line, file=trace_out)) if trace_out else None
    try:
        result = cpu.run(
            until=[parse_number(a, what="--until address") for a in args.until],
            max_steps=args.max_steps,
            stop_on_brk=not args.no_stop_on_brk,
            stop_on_return=args.stop_on_return,
            breakpoints=[parse_number(a, what="--break address") for a in args.breakpoints],
            watch_writes=[parse_number(a, what="--watch address") for a in args.watch],
            watch_reads=[parse_number(a, what="--watch-read address") for a in args.watch_read],
            trace=tracer,
            raise_on_limit=True,
        )
    except StepLimitExceeded as exc:
        where = f"{cpu.pbr:02X}:{cpu.pc:04X}"
        lines = "\n".join("  " + ln for ln in exc.trace)
        raise UserError(
            f"step limit of {exc.steps:,} instructions reached at {where} without stopping "
            f"(raise it with --max-steps); the last instructions:\n{lines}"
        ) from None
    finally:
        if trace_out is not None and args.trace_file:
            trace_out.close()
    dumps = _dumps(machine, args.dump)
    if args.json:
        out = {
            "reason": result.reason,
            "steps": result.steps,
            "cycles": result.cycles,
            "master_clocks": cpu.master_clocks,
            "state": cpu.state(),
            "watch_hits": [
                {"access": k, "address": f"${a:06X}", "value": v} for k, a, v in result.watch_hits
            ],
            "memory": {f"${a:06X}": data.hex() for a, data in dumps},
        }
        print(json.dumps(out, indent=2))
        return 0
    clocks = cpu.master_clocks
    extra = f", {clocks:,} master clocks" if clocks is not None else ""
    print(f"stopped: {result.reason} after {result.steps:,} instructions, "
          f"{result.cycles:,} cycles{extra}")
    print(
        f"PC {cpu.pbr:02X}:{cpu.pc:04X}  A {cpu.a:04X}  X {cpu.x:04X}  Y {cpu.y:04X}  "
        f"S {cpu.s:04X}  D {cpu.d:04X}  DB {cpu.dbr:02X}  P {_flags(cpu.p, cpu.e)}  E {cpu.e}"
    )
    for kind, a, v in result.watch_hits:
        print(f"watch: {'read' if kind == 'r' else 'write'} ${a:06X} = ${v:02X}")
    for a, data in dumps:
        for off in range(0, len(data), 16):
            chunk = data[off : off + 16]
            print(f"{(a + off) & 0xFFFFFF:06X}: {chunk.hex(' ').upper()}")
    return 0


def _run_states(args) -> int:
    if args.file or args.example:
        raise UserError("--state runs states on flat memory; give no FILE or --example with it")
    if args.steps <= 0:
        raise UserError("--steps must be a positive number")
    states = load_states(args.state)
    results = [run_state(s, args.steps) for s in states]
    if args.json:
        print(json.dumps(results))
        return 0
    for i, r in enumerate(results):
        print(
            f"state {i}: PC {r['pbr']:02X}:{r['pc']:04X}  A {r['a']:04X}  X {r['x']:04X}  "
            f"Y {r['y']:04X}  S {r['s']:04X}  D {r['d']:04X}  DB {r['dbr']:02X}  "
            f"P {_flags(r['p'], r['e'])}  E {r['e']}  cycles {r['cycles']}"
        )
    return 0
