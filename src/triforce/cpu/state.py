"""Processor states in the SingleStepTests format, and running from them.

A state is ``{"pc", "s", "p", "a", "x", "y", "dbr", "d", "pbr", "e", "ram"}``
where ``ram`` is ``[[address, value], ...]`` on a flat 16 MiB memory.
"""

from __future__ import annotations

from pathlib import Path

from triforce.cpu.bus import SIZE, FlatMemory
from triforce.cpu.core import CPU
from triforce.errors import UserError, load_json, read_user_text

_LIMITS = {
    "pc": 0xFFFF, "s": 0xFFFF, "p": 0xFF, "a": 0xFFFF, "x": 0xFFFF, "y": 0xFFFF,
    "dbr": 0xFF, "d": 0xFFFF, "pbr": 0xFF, "e": 1,
}
REGISTERS = tuple(_LIMITS)


class RecordingMemory(FlatMemory):
    """Flat memory that remembers every address written."""

    def __init__(self) -> None:
        super().__init__()
        self.written: set[int] = set()
        mem = self.mem
        written = self.written

        def write(addr: int, value: int) -> None:
            mem[addr] = value
            written.add(addr)

        # FlatMemory's write is bytearray.__setitem__, whose overloads mypy keeps as its type;
        # the bus protocol only ever calls write(addr, value) with two ints.
        self.write = write  # type: ignore[assignment]


def validate_state(obj: object, where: str) -> dict:
    """Check one state; raise UserError naming ``where`` and the bad field."""
    if not isinstance(obj, dict):
        raise UserError("a state must be a JSON object", where)
    state: dict = {}
    for reg, limit in _LIMITS.items():
        if reg not in obj:
            raise UserError(f"missing register '{reg}'", where)
        v = obj[reg]
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= limit:
            shown = repr(v)
            shown = shown if len(shown) <= 40 else shown[:37] + "..."
            raise UserError(f"register '{reg}' must be an integer from 0 to {limit}, got {shown}",
                            where)
        state[reg] = v
    ram = obj.get("ram", [])
    if not isinstance(ram, list):
        raise UserError("'ram' must be a list of [address, value] pairs", where)
    pairs = []
    for i, pair in enumerate(ram):
        if (
            not isinstance(pair, list | tuple)
            or len(pair) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in pair)
        ):
            raise UserError(f"ram[{i}] must be [address, value]", where)
        addr, value = pair
        if not 0 <= addr < SIZE:
            raise UserError(f"ram[{i}]: address {addr} is outside the 24-bit space", where)
        if not 0 <= value <= 0xFF:
            raise UserError(f"ram[{i}]: value {value} is not a byte", where)
        pairs.append((addr, value))
    state["ram"] = pairs
    return state


def load_states(path: str | Path) -> list[dict]:
    """One state or a list of states from a JSON file (a test case's ``initial`` is accepted)."""
    p = Path(path)
    text = read_user_text(p, "state file")
    data = load_json(text, str(p))
    items = data if isinstance(data, list) else [data]
    if not items:
        raise UserError("the file holds an empty list of states", str(p))
    states = []
    for i, item in enumerate(items):
        if isinstance(item, dict) and "initial" in item and "pc" not in item:
            item = item["initial"]
        states.append(validate_state(item, f"{p}: state {i}"))
    return states


def run_state(state: dict, steps: int = 1) -> dict:
    """Execute ``steps`` instructions from ``state``; the final state plus ``cycles``.

    The final ``ram`` lists every address given in the input and every address
    written, in address order.
    """
    mem = RecordingMemory()
    for addr, value in state["ram"]:
        mem.mem[addr] = value
    cpu = CPU(mem)
    for reg in REGISTERS:
        setattr(cpu, reg, state[reg])
    if cpu.e:
        cpu.s = 0x100 | (cpu.s & 0xFF)
    cycles = 0
    for _ in range(steps):
        cycles += cpu.step()
    final = cpu.state()
    addrs = sorted({a for a, _ in state["ram"]} | mem.written)
    final["ram"] = [[a, mem.mem[a]] for a in addrs]
    final["cycles"] = cycles
    return final
