"""A SNES memory bus for the 65816 emulator: cartridge mapping, WRAM, SRAM, registers.

:class:`SnesBus` implements the bus protocol of :mod:`triforce.cpu.bus` with SNES
timing. It models memory and the few registers that matter when analysing code
(WRAM port, multiplier/divider, MEMSEL, DMA register read-back); it does not
model the PPU, APU, DMA transfers, interrupts or joypads. Code that polls such
a register (``$4210``/``$4212``, the APU ports) can be served with a read hook.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from functools import lru_cache

from triforce.snes import memmap

# page kinds (one page = 256 bytes; 65536 pages cover the 24-bit space)
OPEN = 0
WRAM = 1
ROM = 2
SRAM = 3
IO = 4
IRAM = 5  # SA-1 I-RAM

_KIND_NAMES = {OPEN: "open", WRAM: "wram", ROM: "rom", SRAM: "sram", IO: "io", IRAM: "sram"}

LOG_CAP = 100_000

ReadHook = Callable[[int], "int | None"]
WriteHook = Callable[[int, int], None]


@lru_cache(maxsize=32)
def _layout(mapping: str, rom_size: int, sram_size: int):
    """Per-page kind and backing offset, plus the slow and fast speed tables."""
    kinds = [OPEN] * 0x10000
    offs = [0] * 0x10000
    slow = [0] * 0x10000
    fast = [0] * 0x10000
    for p in range(0x10000):
        a = p << 8
        slow[p] = memmap.access_cycles(a, False)
        fast[p] = memmap.access_cycles(a, True)
        w = memmap.wram_offset(a)
        if w is not None:
            kinds[p] = WRAM
            offs[p] = w
            continue
        reg = memmap.region(a, mapping)
        if reg == "io":
            kinds[p] = IO
        elif reg == "rom":
            kinds[p] = ROM
            off = memmap.snes_to_pc(a, mapping, rom_size)
            assert off is not None
            offs[p] = off
        elif reg == "sram":
            s = memmap.sram_offset(a, mapping)
            if s is None:  # SA-1 I-RAM
                kinds[p] = IRAM
                offs[p] = (a & 0xFFFF) - 0x3000
            elif sram_size:
                kinds[p] = SRAM
                offs[p] = s % sram_size
    return tuple(kinds), tuple(offs), tuple(slow), tuple(fast)


class SnesBus:
    """The SNES address space seen by the CPU.

    ``rom`` is a headerless ROM image (strip a 512-byte copier header first);
    ``mapping`` is one of :data:`triforce.snes.memmap.MAPPINGS`; ``sram_size``
    is the cartridge RAM in bytes (0 for none, otherwise a multiple of 256; SA-1:
    the BW-RAM), mirrored across its window. The ROM is mirrored as the boards
    do (see :func:`triforce.snes.memmap.mirror_offset`).

    Behaviour:

    - ``read``/``write`` add ``speed(addr)`` to ``clocks`` and 1 to ``accesses``;
      ``peek`` and ``code_bytes`` have no side effect and no timing.
    - Writes to ROM are ignored and recorded in ``rom_writes`` as ``(addr, value)``.
    - Unmapped addresses read as open bus: ``mdr``, the last value read or written
      by ``read``/``write`` (instruction fetches go through ``peek`` and so do not
      update it, unlike the hardware, where open bus is usually the last operand
      byte fetched). Writes there are dropped.
    - Register accesses (``$2100-$21FF`` and ``$4000-$44FF`` of banks
      ``$00-$3F``/``$80-$BF``; SA-1 also ``$2200-$23FF``) are appended to ``log``
      as ``(kind, addr, value)`` with kind ``"r"``/``"w"`` (a deque keeping the
      last :data:`LOG_CAP` entries); the last value written to each register is
      kept in ``regs`` (keyed by the low 16 bits).
    - Modelled registers: WMDATA ``$2180`` (read/write WRAM at the WMADD address,
      then increment it, wrapping within 128 KiB) and WMADDL/M/H ``$2181-$2183``;
      the multiplier (WRMPYA ``$4202``, WRMPYB ``$4203`` -> RDMPY ``$4216/$4217``,
      and RDDIV holds WRMPYB afterwards, as on hardware) and divider (WRDIVL/H
      ``$4204/$4205``, WRDIVB ``$4206`` -> quotient RDDIV ``$4214/$4215``,
      remainder RDMPY ``$4216/$4217``; divide by zero gives quotient ``$FFFF``
      and remainder = dividend); MEMSEL ``$420D`` (bit 0 switches FastROM timing);
      the DMA registers ``$43x0-$43xB``/``$43xF`` read back what was written
      (``$FF`` at power on). Results are available immediately: the hardware's
      delay of 8 (multiply) / 16 (divide) CPU cycles before they are valid is
      not modelled, so code that reads them too early still gets the result.
    - Every other register reads as open bus unless a read hook supplies a value
      (write-only registers do so on hardware too; status registers such as
      RDNMI/HVBJOY, PPU and APU reads are simply not emulated).

    Hooks (``addr_low16`` is a register address such as ``0x4212``; the hook gets
    the full 24-bit address): ``on_read(a, fn)`` - ``fn(addr) -> int | None``; the
    first hook that returns an int supplies the value and the built-in read (with
    its side effects, e.g. the WMDATA increment) is skipped; None falls through.
    ``on_write(a, fn)`` - ``fn(addr, value)`` runs after the built-in behaviour.
    ``peek`` never calls hooks.
    """

    def __init__(self, rom: bytes, mapping: str = "lorom", sram_size: int = 0x2000) -> None:
        self.mapping = memmap.normalize_mapping(mapping)
        if sram_size < 0 or sram_size % 0x100:
            raise ValueError(f"sram_size must be 0 or a multiple of 256, not {sram_size}")
        data = bytearray(rom)
        if len(data) % 0x100 or not data:
            data.extend(bytes(-len(data) % 0x100 or 0x100))
        self.rom = data
        self.wram = bytearray(memmap.WRAM_SIZE)
        self.sram = bytearray(sram_size)
        self.iram = bytearray(memmap.SA1_IRAM_SIZE)
        self.clocks = 0
        self.accesses = 0
        self.mdr = 0
        self.log: deque[tuple[str, int, int]] = deque(maxlen=LOG_CAP)
        self.rom_writes: deque[tuple[int, int]] = deque(maxlen=LOG_CAP)
        self.regs: dict[int, int] = {}
        # internal register state (power-on values where the hardware defines them)
        self.wmadd = 0
        self.wrmpya = 0xFF
        self.wrmpyb = 0xFF
        self.wrdiv = 0xFFFF
        self.wrdivb = 0xFF
        self.rddiv = 0
        self.rdmpy = 0
        self.memsel = 0
        self.dma = bytearray(b"\xff" * 0x80)
        self._read_hooks: dict[int, list[ReadHook]] = {}
        self._write_hooks: dict[int, list[WriteHook]] = {}

        kinds, offs, slow, fast = _layout(self.mapping, len(self.rom), sram_size)
        self._kind = kinds
        self._off = offs
        self._speed_slow = slow
        self._speed_fast = fast
        self._speed = slow
        sram = self.sram if sram_size else None
        rmem_of = {
            OPEN: None,
            WRAM: self.wram,
            ROM: self.rom,
            SRAM: sram,
            IO: None,
            IRAM: self.iram,
        }
        wmem_of = dict(rmem_of)
        wmem_of[ROM] = None
        self._rmem = [rmem_of[k] for k in kinds]
        self._wmem = [wmem_of[k] for k in kinds]

    # -- the bus protocol -------------------------------------------------------

    def read(self, addr: int) -> int:
        p = (addr >> 8) & 0xFFFF
        self.clocks += self._speed[p]
        self.accesses += 1
        mem = self._rmem[p]
        if mem is not None:
            v = mem[self._off[p] + (addr & 0xFF)]
            self.mdr = v
            return v
        if self._kind[p] == IO:
            v = self._io_read(addr & 0xFFFFFF)
            self.mdr = v
            return v
        return self.mdr

    def write(self, addr: int, value: int) -> None:
        p = (addr >> 8) & 0xFFFF
        value &= 0xFF
        self.clocks += self._speed[p]
        self.accesses += 1
        self.mdr = value
        mem = self._wmem[p]
        if mem is not None:
            mem[self._off[p] + (addr & 0xFF)] = value
            return
        kind = self._kind[p]
        if kind == IO:
            self._io_write(addr & 0xFFFFFF, value)
        elif kind == ROM:
            self.rom_writes.append((addr & 0xFFFFFF, value))

    def peek(self, addr: int) -> int:
        p = (addr >> 8) & 0xFFFF
        mem = self._rmem[p]
        if mem is not None:
            return mem[self._off[p] + (addr & 0xFF)]
        if self._kind[p] == IO:
            return self._builtin_read(addr & 0xFFFF, False)
        return self.mdr

    def code_bytes(self, addr: int, n: int) -> bytes:
        addr &= 0xFFFFFF
        p = addr >> 8
        lo = addr & 0xFF
        mem = self._rmem[p]
        if mem is not None and lo + n <= 0x100:
            o = self._off[p] + lo
            return bytes(mem[o : o + n])
        peek = self.peek
        return bytes(peek((addr + i) & 0xFFFFFF) for i in range(n))

    def backing(self, addr: int) -> tuple[bytearray, int] | None:
        """The buffer holding the readable byte at ``addr`` and its index there, if any."""
        p = (addr >> 8) & 0xFFFF
        mem = self._rmem[p]
        if mem is None:
            return None
        return mem, self._off[p] + (addr & 0xFF)

    def speed(self, addr: int) -> int:
        return self._speed[(addr >> 8) & 0xFFFF]

    # -- helpers ----------------------------------------------------------------

    @property
    def fastrom(self) -> bool:
        """True when MEMSEL bit 0 is set (ROM in banks $80-$FF takes 6 clocks)."""
        return bool(self.memsel & 1)

    def region(self, addr: int) -> str:
        """``"wram"``, ``"rom"``, ``"sram"``, ``"io"`` or ``"open"`` as this bus maps it.

        Unlike :func:`triforce.snes.memmap.region`, SRAM windows read as
        ``"open"`` when the bus has no SRAM (``sram_size=0``).
        """
        return _KIND_NAMES[self._kind[(addr >> 8) & 0xFFFF]]

    def poke(self, addr: int, value: int) -> None:
        """Store ``value`` in the memory behind ``addr`` (ROM included), no side effects.

        For patching code or data before a run; registers and open bus are
        left alone.
        """
        p = (addr >> 8) & 0xFFFF
        mem = self._rmem[p]
        if mem is not None:
            mem[self._off[p] + (addr & 0xFF)] = value & 0xFF

    def load(self, addr: int, data: bytes) -> None:
        """:meth:`poke` each byte of ``data`` from ``addr`` on (24-bit wrap)."""
        for i, b in enumerate(data):
            self.poke((addr + i) & 0xFFFFFF, b)

    def reset_counters(self) -> None:
        """Zero ``clocks`` and ``accesses``."""
        self.clocks = 0
        self.accesses = 0

    def on_read(self, addr_low16: int, fn: ReadHook) -> None:
        """Call ``fn(addr)`` on every read of register ``addr_low16`` (any bank)."""
        self._check_io(addr_low16)
        self._read_hooks.setdefault(addr_low16, []).append(fn)

    def on_write(self, addr_low16: int, fn: WriteHook) -> None:
        """Call ``fn(addr, value)`` after every write to register ``addr_low16``."""
        self._check_io(addr_low16)
        self._write_hooks.setdefault(addr_low16, []).append(fn)

    def clear_hooks(self) -> None:
        """Remove every read and write hook."""
        self._read_hooks.clear()
        self._write_hooks.clear()

    def _check_io(self, addr_low16: int) -> None:
        if not 0 <= addr_low16 <= 0xFFFF or self._kind[addr_low16 >> 8] != IO:
            raise ValueError(f"${addr_low16:04X} is not a hardware register address")

    # -- registers --------------------------------------------------------------

    def _io_read(self, addr: int) -> int:
        low = addr & 0xFFFF
        v = None
        hooks = self._read_hooks.get(low)
        if hooks:
            for fn in hooks:
                r = fn(addr)
                if r is not None:
                    v = r & 0xFF
                    break
        if v is None:
            v = self._builtin_read(low, True)
        self.log.append(("r", addr, v))
        return v

    def _builtin_read(self, low: int, effects: bool) -> int:
        if low == 0x2180:
            v = self.wram[self.wmadd]
            if effects:
                self.wmadd = (self.wmadd + 1) & 0x1FFFF
            return v
        if low == 0x4214:
            return self.rddiv & 0xFF
        if low == 0x4215:
            return self.rddiv >> 8
        if low == 0x4216:
            return self.rdmpy & 0xFF
        if low == 0x4217:
            return self.rdmpy >> 8
        if 0x4300 <= low < 0x4380:
            reg = low & 0x0F
            if reg == 0x0F:
                reg = 0x0B
            if reg <= 0x0B:
                return self.dma[(low & 0x70) | reg]
        return self.mdr

    def _io_write(self, addr: int, value: int) -> None:
        low = addr & 0xFFFF
        self.regs[low] = value
        self.log.append(("w", addr, value))
        if low == 0x2180:
            self.wram[self.wmadd] = value
            self.wmadd = (self.wmadd + 1) & 0x1FFFF
        elif low == 0x2181:
            self.wmadd = (self.wmadd & 0x1FF00) | value
        elif low == 0x2182:
            self.wmadd = (self.wmadd & 0x100FF) | (value << 8)
        elif low == 0x2183:
            self.wmadd = (self.wmadd & 0x0FFFF) | ((value & 1) << 16)
        elif low == 0x4202:
            self.wrmpya = value
        elif low == 0x4203:
            self.wrmpyb = value
            self.rdmpy = self.wrmpya * value
            self.rddiv = value
        elif low == 0x4204:
            self.wrdiv = (self.wrdiv & 0xFF00) | value
        elif low == 0x4205:
            self.wrdiv = (self.wrdiv & 0x00FF) | (value << 8)
        elif low == 0x4206:
            self.wrdivb = value
            if value:
                self.rddiv, self.rdmpy = divmod(self.wrdiv, value)
            else:
                self.rddiv = 0xFFFF
                self.rdmpy = self.wrdiv
        elif low == 0x420D:
            self.memsel = value & 1
            self._speed = self._speed_fast if value & 1 else self._speed_slow
        elif 0x4300 <= low < 0x4380:
            reg = low & 0x0F
            if reg == 0x0F:
                reg = 0x0B
            if reg <= 0x0B:
                self.dma[(low & 0x70) | reg] = value
        hooks = self._write_hooks.get(low)
        if hooks:
            for fn in hooks:
                fn(addr, value)
