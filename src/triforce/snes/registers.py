"""The SNES CPU-side hardware registers: names, access, bit fields, timing.

The table lives in ``triforce/data/registers.toml``; this module loads it
(once), expands the eight DMA channels from their one template and answers
look-ups::

    from triforce.snes import registers

    registers.lookup("$2100")       # [Register(INIDISP)]
    registers.lookup("$80:4210")    # any bank mirror: [Register(RDNMI)]
    registers.lookup("vmadd")       # a 16-bit value: [VMADDL, VMADDH]
    registers.lookup("DMAPx")       # a DMA register of every channel
    registers.by_address(0x4372)    # Register(A1T7H) or None

Addresses are given as text (``$2100``, ``2100``, ``0x2100``, ``$00:2100``,
``$002100``; bare digits are hex) or as an int. The registers answer in banks
``$00-$3F`` and ``$80-$BF``; ``$2144-$217F`` mirror the four APU ports. Names
and aliases are matched case-insensitively before numbers, so ``A1B0`` is the
DMA bank register, not the number $A1B0 (write ``$A1B0`` for that).
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from triforce.errors import UserError, parse_number

ACCESSES = ("r", "w", "rw")
SIZES = ("byte", "word-low", "word-high", "long-low", "long-mid", "long-high",
         "write-twice", "read-twice")
GROUPS = ("ppu", "apu", "wram", "joypad", "cpu", "dma")

#: The address ranges of bank $00 that hold registers (inclusive).
REGISTER_RANGES = (
    (0x2100, 0x213F),  # PPU
    (0x2140, 0x2143),  # APU communication ports
    (0x2180, 0x2183),  # WRAM port
    (0x4016, 0x4017),  # joypad serial ports
    (0x4200, 0x421F),  # CPU: interrupts, multiplier/divider, DMA enables, status
    (0x4300, 0x437F),  # DMA/HDMA, eight channels of 16 addresses
)
#: ``$2144-$217F`` repeat the four APU ports ($2140 + address % 4).
APU_PORT_MIRRORS = range(0x2144, 0x2180)
DMA_CHANNELS = 8

_ACCESS_TEXT = {"r": "read-only", "w": "write-only", "rw": "read/write"}
_BITS_RE = re.compile(r"^(\d{1,2})(?:-(\d{1,2}))?$")
_DMA_PATTERN_RE = re.compile(r"^(?:\$|0x)?43x([0-9a-f])$", re.IGNORECASE)


@dataclass(frozen=True)
class BitField:
    """One field of a register: ``bits`` is ``"7"`` or a range ``"6-4"`` (high-low).

    ``side`` is ``"r"`` or ``"w"`` where a register reads and writes different
    things, else ``""``.
    """

    bits: str
    name: str
    meaning: str
    side: str = ""

    @property
    def high(self) -> int:
        return int(self.bits.split("-")[0])

    @property
    def low(self) -> int:
        return int(self.bits.split("-")[-1])

    @property
    def mask(self) -> int:
        return ((1 << (self.high - self.low + 1)) - 1) << self.low

    def to_dict(self) -> dict:
        out = {"bits": self.bits, "name": self.name, "meaning": self.meaning}
        if self.side:
            out["side"] = self.side
        return out


@dataclass(frozen=True)
class Register:
    """One hardware register at one address of bank $00.

    ``size`` is one of :data:`SIZES`: ``byte``; one byte of a 16-bit value at
    two addresses (``word-low``/``word-high``) or of a 24-bit value at three
    (``long-low``/``-mid``/``-high``); or one address taking or giving a 16-bit
    value as two consecutive accesses, low byte first (``write-twice``,
    ``read-twice``), whose ``bits`` then describe the 16-bit value.
    ``combined`` names the multi-byte value the byte is part of; ``channel`` is
    the DMA channel of a ``$43xx`` register.
    """

    address: int
    name: str
    aliases: tuple[str, ...]
    access: str
    size: str
    description: str
    bits: tuple[BitField, ...]
    timing: str
    group: str
    combined: tuple[str, ...] = ()
    channel: int | None = None

    @property
    def readable(self) -> bool:
        return "r" in self.access

    @property
    def writable(self) -> bool:
        return "w" in self.access

    @property
    def address_text(self) -> str:
        return f"${self.address:04X}"

    @property
    def access_text(self) -> str:
        return _ACCESS_TEXT[self.access]

    @property
    def width(self) -> int:
        """Bits described by ``bits``: 16 for the write-/read-twice registers, else 8."""
        return 16 if self.size in ("write-twice", "read-twice") else 8

    def parts(self) -> tuple[int, ...]:
        """Addresses of every byte of the value this register belongs to, low first."""
        offset = {"word-low": 0, "word-high": 1, "long-low": 0, "long-mid": 1,
                  "long-high": 2}.get(self.size)
        if offset is None:
            return (self.address,)
        count = 2 if self.size.startswith("word") else 3
        first = self.address - offset
        return tuple(range(first, first + count))

    def size_text(self) -> str:
        """The size in words, naming the other bytes of a multi-byte value."""
        if self.size == "byte":
            return "byte"
        if self.size == "write-twice":
            return "16-bit value written twice to this address (low byte, then high byte)"
        if self.size == "read-twice":
            return "16-bit value read twice from this address (low byte, then high byte)"
        table = _table()
        others = ", ".join(
            f"${a:04X} {table.by_address[a].name}" for a in self.parts() if a != self.address
        )
        half = {"mid": "middle"}.get(self.size.split("-")[1], self.size.split("-")[1])
        bits = 16 if self.size.startswith("word") else 24
        value = f" ({self.combined[0]})" if self.combined else ""
        return f"{half} byte of a {bits}-bit value{value}, with {others}"

    def to_dict(self) -> dict:
        return {
            "address": self.address_text,
            "name": self.name,
            "aliases": list(self.aliases),
            "access": self.access,
            "size": self.size,
            "group": self.group,
            "combined": list(self.combined),
            "channel": self.channel,
            "description": self.description,
            "bits": [b.to_dict() for b in self.bits],
            "timing": self.timing,
        }


@dataclass(frozen=True)
class _Table:
    registers: tuple[Register, ...]
    by_address: dict[int, Register]
    unused: dict[int, str]            # address -> why it is no register
    names: dict[str, tuple[Register, ...]]  # upper-case name/alias/value name -> registers


# ----------------------------------------------------------------------------- loading


def _text(value, where: str, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"registers.toml: {where}: '{key}' must be non-empty text")
    return value


def _names(value, where: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ValueError(f"registers.toml: {where}: '{key}' must be a list of names")
    return tuple(value)


def _bitfields(items, width: int, access: str, where: str) -> tuple[BitField, ...]:
    if not isinstance(items, list) or not items:
        raise ValueError(f"registers.toml: {where}: 'bits' must be a non-empty list")
    fields = []
    for item in items:
        m = _BITS_RE.match(str(item.get("bits", "")))
        if not m:
            raise ValueError(f"registers.toml: {where}: bad bit range {item.get('bits')!r}")
        high = int(m.group(1))
        low = int(m.group(2)) if m.group(2) is not None else high
        if not (0 <= low <= high < width):
            raise ValueError(f"registers.toml: {where}: bits {item['bits']} outside 0-{width - 1}")
        side = item.get("side", "")
        if side not in ("", "r", "w") or (side and access != "rw"):
            raise ValueError(f"registers.toml: {where}: bad side {side!r}")
        fields.append(BitField(item["bits"], _text(item.get("name"), where, "bits.name"),
                               _text(item.get("meaning"), where, "bits.meaning"), side))
    # every bit exactly once (per side where the sides differ)
    sides = ("r", "w") if any(f.side for f in fields) else ("",)
    for s in sides:
        covered = 0
        for f in fields:
            if f.side in ("", s):
                if covered & f.mask:
                    raise ValueError(f"registers.toml: {where}: bit fields overlap at {f.bits}")
                covered |= f.mask
        if covered != (1 << width) - 1:
            raise ValueError(f"registers.toml: {where}: bit fields do not cover bits "
                             f"{width - 1}-0 (side {s or 'both'})")
    return tuple(fields)


def _register(entry: dict, address: int, channel: int | None, fill) -> Register:
    where = f"${address:04X}"
    name = fill(_text(entry.get("name"), where, "name"))
    where = f"${address:04X} {name}"
    access = entry.get("access")
    size = entry.get("size")
    group = entry.get("group")
    if access not in ACCESSES:
        raise ValueError(f"registers.toml: {where}: access {access!r} not one of {ACCESSES}")
    if size not in SIZES:
        raise ValueError(f"registers.toml: {where}: size {size!r} not one of {SIZES}")
    if group not in GROUPS:
        raise ValueError(f"registers.toml: {where}: group {group!r} not one of {GROUPS}")
    width = 16 if size in ("write-twice", "read-twice") else 8
    raw_bits = [{k: fill(v) if isinstance(v, str) else v for k, v in b.items()}
                for b in entry.get("bits") or []]
    return Register(
        address=address,
        name=name,
        aliases=tuple(fill(a) for a in _names(entry.get("aliases"), where, "aliases")),
        access=access,
        size=size,
        description=fill(_text(entry.get("description"), where, "description")),
        bits=_bitfields(raw_bits, width, access, where),
        timing=fill(_text(entry.get("timing"), where, "timing")),
        group=group,
        combined=tuple(fill(c) for c in _names(entry.get("combined"), where, "combined")),
        channel=channel,
    )


def _build(data: dict) -> _Table:
    regs: list[Register] = []
    unused: dict[int, str] = {}
    for entry in data.get("register", []):
        address = entry.get("address")
        if not isinstance(address, int):
            raise ValueError(f"registers.toml: register {entry.get('name')!r} has no address")
        regs.append(_register(entry, address, None, lambda s: s))
    for entry in data.get("unused", []):
        unused[entry["address"]] = entry["note"]
    for x in range(DMA_CHANNELS):
        def fill(s: str, x: int = x) -> str:
            return s.replace("{x}", str(x))

        for entry in data.get("dma_channel", []):
            regs.append(_register(entry, 0x4300 + 0x10 * x + entry["offset"], x, fill))
        for entry in data.get("dma_channel_unused", []):
            unused[0x4300 + 0x10 * x + entry["offset"]] = fill(entry["note"])
    regs.sort(key=lambda r: r.address)

    by_address: dict[int, Register] = {}
    for r in regs:
        if r.address in by_address:
            raise ValueError(f"registers.toml: ${r.address:04X} is defined twice")
        if r.address in unused:
            raise ValueError(f"registers.toml: ${r.address:04X} is both a register and unused")
        by_address[r.address] = r

    # names and aliases name exactly one register; a value name (combined)
    # names all the bytes of one value and nothing else
    single: dict[str, Register] = {}
    for r in regs:
        for n in (r.name, *r.aliases):
            key = n.upper()
            if key in single and single[key] is not r:
                raise ValueError(f"registers.toml: name {n} is used by ${single[key].address:04X}"
                                 f" and ${r.address:04X}")
            single[key] = r
    values: dict[str, list[Register]] = {}
    for r in regs:
        for n in r.combined:
            if n.upper() in single:
                raise ValueError(f"registers.toml: value name {n} is also a register name")
            values.setdefault(n.upper(), []).append(r)
    for n, parts in values.items():
        addresses = tuple(p.address for p in parts)
        if any(p.parts() != addresses for p in parts):
            raise ValueError(f"registers.toml: the bytes of {n} do not form one value")

    names: dict[str, tuple[Register, ...]] = {k: (r,) for k, r in single.items()}
    names.update({k: tuple(v) for k, v in values.items()})
    # DMA family names (the template's names with X for the channel: DMAPX,
    # A1TXL, DMAXMODE, A1TX) name that register of every channel
    for entry in data.get("dma_channel", []):
        members = [by_address[0x4300 + 0x10 * x + entry["offset"]] for x in range(DMA_CHANNELS)]
        for n in (entry["name"], *entry.get("aliases", ()), *entry.get("combined", ())):
            fam = n.replace("{x}", "X").upper()
            if fam in single:
                raise ValueError(f"registers.toml: channel name {n} collides with a register")
            names[fam] = tuple(sorted({*names.get(fam, ()), *members}, key=lambda r: r.address))
    return _Table(tuple(regs), by_address, unused, names)


@lru_cache(maxsize=1)
def _table() -> _Table:
    path = resources.files("triforce").joinpath("data", "registers.toml")
    with path.open("rb") as fh:
        return _build(tomllib.load(fh))


# ----------------------------------------------------------------------------- queries


def load() -> tuple[Register, ...]:
    """Every register, sorted by address (loaded once, then cached)."""
    return _table().registers


def all_registers() -> tuple[Register, ...]:
    """Every register, sorted by address."""
    return load()


def unused_addresses() -> dict[int, str]:
    """Addresses inside the register ranges that hold no register, with the reason."""
    return dict(_table().unused)


def _canonical(addr: int) -> int | None:
    """The bank-$00 register address a 24-bit address reaches, or None."""
    bank, low = addr >> 16, addr & 0xFFFF
    if not (bank <= 0x3F or 0x80 <= bank <= 0xBF):
        return None
    if low in APU_PORT_MIRRORS:
        return 0x2140 + (low & 3)
    return low


def by_address(addr: int) -> Register | None:
    """The register at ``addr`` (bank mirrors and APU port mirrors included), or None."""
    if not 0 <= addr <= 0xFFFFFF:
        return None
    low = _canonical(addr)
    return None if low is None else _table().by_address.get(low)


def _no_register(addr: int, text: str) -> UserError:
    bank, low = addr >> 16, addr & 0xFFFF
    if not (bank <= 0x3F or 0x80 <= bank <= 0xBF):
        return UserError(f"no register at '{text}': the registers appear only in banks "
                         f"$00-$3F and $80-$BF (e.g. $00:{low:04X})")
    note = _table().unused.get(low)
    if note:
        return UserError(f"no register at '{text}': {note}")
    return UserError(f"no register at '{text}' (the registers are at $2100-$2143, "
                     "$2180-$2183, $4016-$4017, $4200-$421F and $4300-$437F)")


def lookup(query: str | int) -> list[Register]:
    """The registers ``query`` names: an address (text or int), a name or an alias.

    A name of a multi-byte value (``VMADD``, ``WMADD``, ``A1T0``) gives every
    byte of it; a DMA name with ``x`` for the channel (``DMAPx``, ``$43x2``)
    gives that register of all eight channels. Raises UserError (one line) for
    anything else.
    """
    if isinstance(query, bool):
        raise UserError(f"not a register: {query!r}")
    if isinstance(query, int):
        reg = by_address(query)
        if reg is None:
            if not 0 <= query <= 0xFFFFFF:
                raise UserError(f"address ${query:X} is out of range (0 to $FFFFFF)")
            raise _no_register(query, f"${query:04X}" if query <= 0xFFFF else
                               f"${query >> 16:02X}:{query & 0xFFFF:04X}")
        return [reg]
    text = str(query).strip()
    if not text:
        raise UserError("empty register name or address")
    table = _table()
    found = table.names.get(text.upper())
    if found:
        return list(found)
    m = _DMA_PATTERN_RE.match(text)
    if m:
        offset = int(m.group(1), 16)
        regs = [table.by_address[a] for a in range(0x4300 + offset, 0x4380, 0x10)
                if a in table.by_address]
        if regs:
            return regs
        raise UserError(f"no register at '{text}': $43x{offset:X} is open bus in every DMA "
                        "channel (a channel uses $43x0-$43xB and the mirror $43xF)")
    if _looks_numeric(text):
        addr = parse_number(text, bits=24, what="register address")
        reg = by_address(addr)
        if reg is None:
            raise _no_register(addr, text)
        return [reg]
    close = difflib.get_close_matches(text.upper(), list(table.names), n=3, cutoff=0.75)
    hint = f"; did you mean {' or '.join(close)}?" if close else \
        " (give an address such as $2100 or a name such as INIDISP)"
    raise UserError(f"unknown register '{text}'{hint}")


def _looks_numeric(text: str) -> bool:
    t = text.replace("_", "")
    if t.startswith("$"):
        t = t[1:]
    elif t.lower().startswith("0x"):
        t = t[2:]
    return bool(t) and all(c in "0123456789abcdefABCDEF:$" for c in t)
