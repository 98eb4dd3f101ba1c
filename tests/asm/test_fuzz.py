"""The seeded fuzz run in CI: mutated test programs never crash, hang or escape the sandbox.

``TRIFORCE_FUZZ_CASES`` and ``TRIFORCE_FUZZ_SEED`` change the run; a failure names the case,
which ``fuzzing.generate(seed, 1, start=index)`` gives back. The longer run is
``benchmarks/fuzz_asm.py``.
"""

from __future__ import annotations

import os

from fuzzing import describe, generate, run_cases

CASES = int(os.environ.get("TRIFORCE_FUZZ_CASES", "3000"))
SEED = int(os.environ.get("TRIFORCE_FUZZ_SEED", "9"))
TIME_LIMIT = 10.0   # seconds one case may take (the work bound stops a sandboxed run sooner)


def test_generation_is_reproducible():
    a = list(generate(SEED, 20))
    b = [next(generate(SEED, 1, start=i)) for i in range(20)]
    assert [c.source for c in a] == [c.source for c in b]
    assert len({c.source for c in a}) > 15          # and the cases differ


def test_fuzzed_programs_fail_cleanly():
    report = run_cases(generate(SEED, CASES), time_limit=TIME_LIMIT)
    assert report.cases == CASES
    failures = "\n".join(describe(f) for f in report.failures[:20])
    assert not report.failures, f"{len(report.failures)} failures {report.by_class()}:\n{failures}"
    # the mutations reach both outcomes: some programs still assemble, most fail
    assert report.outcomes["assembled"] > CASES // 20
    assert report.outcomes["errors"] > CASES // 2
