"""The asar-compatible assembler and the disassembler.

``assemble`` runs in-process with no temporary files: the orchestrator and the
analysis tools call it many times per question.
"""

from __future__ import annotations

import sys
from pathlib import Path

from triforce.asm.assembler import EXTRA_WARNINGS, AsmResult, Assembler, Diagnostic, ListingLine
from triforce.asm.expr import AsmError
from triforce.asm.source import MAX_WORK, NO_FILES, SANDBOX_WORK, Sandbox

#: Python frames the assembler may need: MAX_MACRO_DEPTH levels of a few frames each.
RECURSION_LIMIT = 12_000


def assemble(
    source: str | Path,
    rom: bytes | None = None,
    defines: dict[str, str] | None = None,
    include_paths: list[str] | tuple = (),
    filename: str | None = None,
    files: dict[str, str | bytes] | None = None,
    fix_checksum: bool = True,
    extra_warnings: bool = False,
    warnings: list[str] | tuple[str, ...] = (),
    sandbox: Sandbox | None = None,
    max_work: int | None = None,
) -> AsmResult:
    """Assemble asar source (text, or a Path to a file) onto ``rom`` or a new ROM.

    ``defines`` are what ``-Dname=value`` gives asar; ``files`` maps paths to
    contents for incsrc/incbin without touching the disk. Errors in the source
    come back as diagnostics (``result.ok`` is False), never as exceptions.
    Like asar, the header checksum is updated unless ``fix_checksum`` is False.
    ``extra_warnings`` turns on the checks asar leaves off (``EXTRA_WARNINGS``: an
    immediate whose width was guessed, a truncated value, a likely reversed
    MVN/MVP); ``warnings`` enables warnings by id, as ``warnings enable`` does.
    ``sandbox`` confines every file the source reads (incsrc, incbin, readfile*, filesize,
    table, the main file itself) to a root, or to no file at all (``Sandbox()``); without
    one, files are read wherever the source says, as asar does.
    ``max_work`` bounds the lines and statements executed, all passes together (default:
    the sandbox's ``max_work``, or ``MAX_WORK`` without one); a source that goes past it
    stops with the error ``Ework_limit``.
    """
    enabled = tuple(warnings) + (EXTRA_WARNINGS if extra_warnings else ())
    asm = Assembler(rom=rom, defines=defines, include_paths=include_paths, files=files,
                    fix_checksum=fix_checksum, enable_warnings=enabled, sandbox=sandbox,
                    max_work=max_work)
    # Deep macro recursion is reported, not a crash. The limit is process-wide and other
    # threads may be assembling: it is only ever raised, never put back.
    if sys.getrecursionlimit() < RECURSION_LIMIT:
        sys.setrecursionlimit(RECURSION_LIMIT)
    if isinstance(source, Path):
        return asm.assemble(None, str(source))
    return asm.assemble(source, filename or "<input>.asm")


__all__ = ["EXTRA_WARNINGS", "MAX_WORK", "NO_FILES", "SANDBOX_WORK", "AsmError", "AsmResult",
           "Assembler", "Diagnostic", "ListingLine", "Sandbox", "assemble"]
