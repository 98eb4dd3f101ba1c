"""Triforce's assembler against asar 1.91, program by program.

For every program in ``cases/`` and ``corpus/`` both assemblers run on the same source, ROM and
defines, and must agree on:
- the outcome (assembled or failed),
- the output ROM, byte for byte, when both assembled (the report shows the first differing
  offsets with their SNES addresses),
- the error ids by file and line, and (when the patch assembled) the warning ids by file and line,
- the ``print`` output, when Triforce's result exposes one as ``prints``.

Corpus programs are applied twice (the second time to the first output), as a user re-applying
a patch would: that exercises autoclean and RATS tag handling.

asar runs once per distinct input per session (``run_asar_cached``). Until ``triforce.asm``
exists every test here fails with the import error; the harness itself is proven by
``test_oracle.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from asar_oracle import OracleResult, run_asar_cached
from asm_cases import AsmProgram, cases, corpus
from asm_compare import compare

# Features the assembler does not have yet, each with the reason. The cases still run and must
# still fail (strict), so one that starts passing is noticed and moved out of this list.
NOT_YET: dict[str, str] = {}


def _mark(progs):
    return [
        pytest.param(p, marks=pytest.mark.xfail(reason=NOT_YET[p.name], strict=True), id=p.name)
        if p.name in NOT_YET else pytest.param(p, id=p.name)
        for p in progs
    ]


CASES = cases()
CORPUS = corpus()


@pytest.fixture(scope="session")
def assemble():
    try:
        from triforce.asm import assemble
    except ImportError as exc:
        pytest.fail(f"triforce.asm.assemble is not importable: {exc}", pytrace=False)
    return assemble


# --------------------------------------------------------------------------- running


def run_triforce(assemble, prog: AsmProgram, rom: bytes | None):
    defines = {k: ("" if v is None else v) for k, v in prog.defines.items()}
    return assemble(
        prog.source,
        rom=rom,
        defines=defines,
        include_paths=[],
        filename=str(prog.path),
        files=None,
    )


def run_oracle(prog: AsmProgram, rom: bytes | None) -> OracleResult:
    return run_asar_cached(prog.source, rom, prog.files(), prog.defines)


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("prog", _mark(CASES))
def test_case_matches_asar(prog: AsmProgram, assemble):
    rom = prog.rom()
    oracle = run_oracle(prog, rom)
    res = run_triforce(assemble, prog, rom)
    problems = compare(prog, oracle, res)
    assert not problems, f"{prog.path.name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("prog", _mark(CORPUS))
def test_corpus_matches_asar_applied_twice(prog: AsmProgram, assemble):
    rom = prog.rom()
    oracle = run_oracle(prog, rom)
    res = run_triforce(assemble, prog, rom)
    problems = compare(prog, oracle, res, "first application: ")
    if not problems and oracle.ok:
        again_oracle = run_oracle(prog, oracle.rom)
        again = run_triforce(assemble, prog, bytes(res.rom))
        problems += compare(prog, again_oracle, again, "second application: ")
    assert not problems, f"{prog.path.name}:\n" + "\n".join(problems)


def test_programs_are_found():
    assert CASES and CORPUS
    assert all(Path(p.path).is_file() for p in CASES + CORPUS)
