"""The 24-bit bus the CPU talks to.

A bus is any object with these members (the CPU binds ``read`` and ``write``
once, so they may be plain bound builtins for speed):

- ``read(addr) -> int``: one data access at a 24-bit address, 0..255.
- ``write(addr, value) -> None``: one data access.
- ``peek(addr) -> int``: the byte at ``addr`` with no side effect and no timing
  (instruction fetches, traces and disassembly use it).
- ``backing(addr) -> (bytearray, index) | None`` (optional): where the byte at
  ``addr`` is stored, so compiled code can check cheaply that it is unchanged.
- ``speed(addr) -> int`` (optional): master clocks one access at ``addr`` costs.
  A bus that has it also keeps ``clocks`` (master clocks of its data accesses so
  far) and ``accesses`` (their number); the CPU then reports master clocks.
"""

from __future__ import annotations

from collections.abc import Callable

ADDR_MASK = 0xFFFFFF
SIZE = 0x1000000


class FlatMemory:
    """A flat 16 MiB RAM: every address readable and writable, no side effects."""

    def __init__(self, data: bytes | bytearray | None = None) -> None:
        self.mem = bytearray(SIZE)
        if data:
            self.mem[: len(data)] = data
        self.read = self.mem.__getitem__
        self.write = self.mem.__setitem__
        self.peek = self.mem.__getitem__

    def load(self, addr: int, data: bytes) -> None:
        """Copy ``data`` to ``addr``, wrapping at the end of the 24-bit space."""
        for i, b in enumerate(data):
            self.mem[(addr + i) & ADDR_MASK] = b

    def backing(self, addr: int) -> tuple[bytearray, int]:
        """The buffer holding the byte at ``addr`` and its index there."""
        return self.mem, addr & ADDR_MASK

    def code_bytes(self, addr: int, n: int) -> bytes:
        if addr + n <= SIZE:
            return bytes(self.mem[addr : addr + n])
        return bytes(self.mem[(addr + i) & ADDR_MASK] for i in range(n))


class WatchedBus:
    """Wraps a bus and calls ``on_access(kind, addr, value)`` for watched addresses.

    ``kind`` is ``"r"`` or ``"w"``. Used for watchpoints; the wrapped bus keeps
    doing the real work, so timing and hooks are unchanged.
    """

    def __init__(
        self,
        inner,
        reads: set[int],
        writes: set[int],
        on_access: Callable[[str, int, int], None],
    ) -> None:
        self.inner = inner
        self.reads = reads
        self.writes = writes
        self.on_access = on_access
        self.peek = inner.peek
        if hasattr(inner, "speed"):
            self.speed = inner.speed
        self._read = inner.read
        self._write = inner.write

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def read(self, addr: int) -> int:
        v = self._read(addr)
        if addr in self.reads:
            self.on_access("r", addr, v)
        return v

    def write(self, addr: int, value: int) -> None:
        self._write(addr, value)
        if addr in self.writes:
            self.on_access("w", addr, value)

    def code_bytes(self, addr: int, n: int) -> bytes:
        return code_bytes(self.inner, addr, n)


def code_bytes(bus, addr: int, n: int) -> bytes:
    """``n`` bytes from ``addr`` with no side effect (a bus may provide a faster one)."""
    fast = getattr(bus, "code_bytes", None)
    if fast is not None:
        return fast(addr, n)
    peek = bus.peek
    return bytes(peek((addr + i) & ADDR_MASK) for i in range(n))
