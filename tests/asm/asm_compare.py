"""Comparing one assembler run with asar's: ROM bytes and diagnostics, as readable reports.

Used by ``test_vs_asar.py``; ``test_oracle.py`` checks it by comparing asar with itself.
A Triforce result needs ``ok``, ``rom`` and ``diagnostics`` (objects with ``severity``, ``id``,
``file``, ``line``, ``message``); ``prints`` is compared when present.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from asar_oracle import Diagnostic, OracleResult, describe_offset
from asm_cases import AsmProgram


def _diff_offsets(a: bytes, b: bytes, limit: int) -> tuple[list[int], int]:
    """First ``limit`` offsets where a and b differ (over their common length), and the count."""
    n = min(len(a), len(b))
    found: list[int] = []
    total = 0
    chunk = 4096
    for start in range(0, n, chunk):
        end = min(start + chunk, n)
        if a[start:end] == b[start:end]:
            continue
        for i in range(start, end):
            if a[i] != b[i]:
                total += 1
                if len(found) < limit:
                    found.append(i)
    return found, total


def rom_report(expected: bytes, actual: bytes, mapper: str, limit: int = 8) -> str | None:
    """None when equal, else a readable account of how the ROMs differ."""
    if expected == actual:
        return None
    lines = []
    if len(expected) != len(actual):
        lines.append(
            f"ROM size differs: asar {len(expected)} (0x{len(expected):X}) bytes, "
            f"triforce {len(actual)} (0x{len(actual):X}) bytes"
        )
    offsets, total = _diff_offsets(expected, actual, limit)
    if total:
        lines.append(f"{total} differing byte(s) in the common part; first ones:")
        for off in offsets:
            lines.append(
                f"  {describe_offset(off, mapper)}: asar {expected[off]:02X}  triforce {actual[off]:02X}"
            )
        first = offsets[0]
        lo, hi = max(0, first - 4), first + 12
        lines.append(f"  asar     @0x{lo:06X}: {expected[lo:hi].hex(' ')}")
        lines.append(f"  triforce @0x{lo:06X}: {actual[lo:hi].hex(' ')}")
    elif len(expected) != len(actual):
        shorter = min(len(expected), len(actual))
        longer = expected if len(expected) > len(actual) else actual
        who = "asar" if longer is expected else "triforce"
        tail = longer[shorter : shorter + 16]
        lines.append(f"  {who} continues at {describe_offset(shorter, mapper)}: {tail.hex(' ')}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- comparing diagnostics


def _norm_file(file: str | None, prog: AsmProgram) -> str | None:
    """Compare files by base name; asar's ``main.asm`` is the program's own file."""
    if file is None:
        return None
    name = posixpath.basename(str(file).replace("\\", "/"))
    return prog.path.name if name == "main.asm" and "/" not in str(file) else name


def _asar_keys(diags: Iterable[Diagnostic], prog: AsmProgram) -> set[tuple]:
    """One (file, id, acceptable lines) per distinct asar diagnostic.

    Inside a macro asar prints the line *before* the offending one; the real line is accepted too.
    """
    out = set()
    for d in diags:
        lines = frozenset({d.line, d.line + 1}) if d.in_macro else frozenset({d.line})
        out.add((_norm_file(d.file, prog), d.id, lines))
    return out


def _triforce_keys(diags: Iterable[object], severity: str, prog: AsmProgram) -> set[tuple]:
    return {
        (_norm_file(getattr(d, "file", None), prog), int(getattr(d, "line", 0) or 0), d.id)
        for d in diags
        if getattr(d, "severity", None) == severity
    }


def diagnostics_report(
    asar_diags: list[Diagnostic], tri_diags: Iterable[object], severity: str, prog: AsmProgram
) -> str | None:
    wanted = _asar_keys(asar_diags, prog)
    got = _triforce_keys(tri_diags, severity, prog)
    matched: set[tuple] = set()
    missing = []
    for (file, ident, lines) in wanted:
        hits = {g for g in got if g[0] == file and g[2] == ident and g[1] in lines}
        if hits:
            matched |= hits
        else:
            shown = "/".join(str(n) for n in sorted(lines))
            missing.append(f"{file}:{shown} {ident}")
    extra = [f"{f}:{line} {ident}" for (f, line, ident) in sorted(got - matched, key=str)]
    if not missing and not extra:
        return None
    parts = [f"{severity}s differ:"]
    if missing:
        parts.append("  asar reports, triforce does not: " + ", ".join(sorted(missing)))
    if extra:
        parts.append("  triforce reports, asar does not: " + ", ".join(extra))
    return "\n".join(parts)


def _listing(diags: Iterable[object]) -> str:
    return "\n".join(
        f"    {getattr(d, 'file', None)}:{getattr(d, 'line', None)}: {getattr(d, 'severity', '?')} "
        f"({getattr(d, 'id', '?')}) {getattr(d, 'message', '')}"
        for d in diags
    )


def compare(prog: AsmProgram, oracle: OracleResult, res, label: str = "") -> list[str]:
    """Every disagreement between asar and Triforce, as report paragraphs (empty: they agree)."""
    problems: list[str] = []
    tri_diags = list(getattr(res, "diagnostics", []) or [])
    if bool(res.ok) != oracle.ok:
        problems.append(
            f"outcome differs: asar {'assembled' if oracle.ok else 'failed'}, "
            f"triforce {'assembled' if res.ok else 'failed'}\n"
            f"  asar said:\n{oracle.stderr.rstrip() or '    (nothing)'}\n"
            f"  triforce said:\n{_listing(tri_diags) or '    (nothing)'}"
        )
        return [f"{label}{p}" for p in problems]
    errs = diagnostics_report(oracle.errors, tri_diags, "error", prog)
    if errs:
        problems.append(errs)
    if oracle.ok:
        warns = diagnostics_report(oracle.warnings, tri_diags, "warning", prog)
        if warns:
            problems.append(warns)
        diff = rom_report(oracle.rom, bytes(res.rom), prog.mapper)
        if diff:
            problems.append(diff)
        prints = getattr(res, "prints", None)
        if prints is not None and list(prints) != oracle.prints:
            problems.append(f"print output differs:\n  asar:     {oracle.prints}\n  triforce: {list(prints)}")
    return [f"{label}{p}" for p in problems]
