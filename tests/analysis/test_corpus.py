"""The labelled analysis corpus itself: headers, assembly, coverage of every lint rule.

The linter's and optimizer's results on it are measured by
``benchmarks/analysis_quality.py``, not tested here.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from triforce.asm import assemble

CORPUS = Path(__file__).resolve().parent / "corpus"
BUGS = sorted((CORPUS / "bugs").glob("*.asm"))
CLEAN = sorted((CORPUS / "clean").glob("*.asm"))
OPTIMIZE = sorted((CORPUS / "optimize").glob("*.asm"))

RULES = (
    "imm-width", "width-join", "width-return", "width-no-php", "width-access",
    "stack-unbalanced", "call-return-mismatch", "dma-enable-order", "dma-size-zero",
    "dma-vram-setup", "dma-bbus-mode", "mvn-order", "mvn-count", "mvn-dbr",
    "dp-assumption", "dbr-assumption", "decimal-left-set", "irq-rts", "irq-save",
    "readonly-write", "writeonly-read",
)

NAME_RE = re.compile(r"^\d{2}_[a-z0-9_]+\.asm$")
BUG_RE = re.compile(r"^; bug: (?P<rule>[a-z-]+) line (?P<line>\d+)$")
OPT_RE = re.compile(r"^; optimize: (?P<hint>[a-z0-9-]+)$")
OBSERVE_RE = re.compile(r"^; observe: (?P<spec>\S+)$")
SAVES_RE = re.compile(r"^; saves: (?P<cycles>-?\d+) cycles, (?P<bytes>-?\d+) bytes$")
OBSERVE_ITEM_RE = re.compile(
    r"^(?:A|X|Y|S|D|DB|P\.[NVMXDIZC]|\$[0-9A-F]{6}(?:-\$[0-9A-F]{6})?)$"
)


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines()


def _is_code(line: str) -> bool:
    text = line.strip()
    return bool(text) and not text.startswith(";")


def _check_body(path: Path, header_lines: int) -> None:
    lines = _lines(path)
    assert NAME_RE.match(path.name), path.name
    code = [ln for ln in lines[header_lines:] if _is_code(ln)]
    assert 10 <= len(code) <= 60, f"{path.name}: {len(code)} code lines"
    assert any(ln.strip() == "lorom" for ln in lines), f"{path.name}: no lorom"
    assert any(ln.strip().lower().startswith("org $") for ln in lines), f"{path.name}: no org"
    assert any(re.match(r"^[A-Za-z_]\w*:", ln) for ln in lines), f"{path.name}: no label"
    res = assemble(path)
    assert res.ok, f"{path.name}: {[str(d) for d in res.errors]}"


def bug_label(path: Path) -> tuple[str, int] | None:
    """The (rule, line) a bug file is labelled with; None for a clean file."""
    first = _lines(path)[0]
    if first == "; bug: none":
        return None
    m = BUG_RE.match(first)
    assert m, f"{path.name}: bad header {first!r}"
    return m["rule"], int(m["line"])


@pytest.mark.parametrize("path", BUGS, ids=lambda p: p.name)
def test_bug_file(path: Path) -> None:
    label = bug_label(path)
    assert label is not None, f"{path.name} is labelled clean"
    rule, line = label
    assert rule in RULES, f"{path.name}: unknown rule {rule}"
    lines = _lines(path)
    assert lines[1].startswith("; ") and len(lines[1]) > 10, f"{path.name}: no description"
    assert 1 <= line <= len(lines), f"{path.name}: line {line} is past the end"
    assert _is_code(lines[line - 1]), f"{path.name}: line {line} is blank or a comment"
    _check_body(path, 2)


@pytest.mark.parametrize("path", CLEAN, ids=lambda p: p.name)
def test_clean_file(path: Path) -> None:
    assert bug_label(path) is None, f"{path.name} is not labelled '; bug: none'"
    assert _lines(path)[1].startswith("; "), f"{path.name}: no description"
    _check_body(path, 2)


@pytest.mark.parametrize("path", OPTIMIZE, ids=lambda p: p.name)
def test_optimize_file(path: Path) -> None:
    lines = _lines(path)
    assert OPT_RE.match(lines[0]), f"{path.name}: bad optimize line {lines[0]!r}"
    m = OBSERVE_RE.match(lines[1])
    assert m, f"{path.name}: bad observe line {lines[1]!r}"
    for item in m["spec"].split(","):
        assert OBSERVE_ITEM_RE.match(item), f"{path.name}: bad observe item {item!r}"
    s = SAVES_RE.match(lines[2])
    assert s, f"{path.name}: bad saves line {lines[2]!r}"
    assert int(s["cycles"]) > 0 or int(s["bytes"]) > 0, f"{path.name}: saves nothing"
    _check_body(path, 4)
    code = [ln.split(";")[0].strip().lower() for ln in lines if _is_code(ln)]
    assert any(c in ("rts", "rtl") for c in code), f"{path.name}: no RTS/RTL"


def test_corpus_size_and_coverage() -> None:
    assert len(BUGS) >= 40
    assert len(CLEAN) >= 15
    assert len(OPTIMIZE) >= 30
    counts = Counter(bug_label(p)[0] for p in BUGS if bug_label(p))
    missing = {r: counts.get(r, 0) for r in RULES if counts.get(r, 0) < 2}
    assert not missing, f"rules with fewer than two planted bugs: {missing}"
    for group in (BUGS, CLEAN, OPTIMIZE):
        numbers = [p.name[:2] for p in group]
        assert len(set(numbers)) == len(numbers), "duplicate numbers in a corpus directory"
