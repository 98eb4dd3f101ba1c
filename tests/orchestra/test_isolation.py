"""The worker pool: work on untrusted code in processes with CPU-time and memory limits.

Its limits are shown on standard-library functions that sleep, compute or allocate past them;
the tools give the same results in a worker as in-process.
"""

from __future__ import annotations

import dataclasses
import threading
import time

import pytest

from triforce.errors import UserError
from triforce.orchestra import ToolBox
from triforce.orchestra.isolation import IsolationError, WorkerPool


@pytest.fixture(scope="module")
def pool():
    p = WorkerPool(workers=2, seconds=2.0, memory=1 << 30)
    yield p
    p.close()


def test_a_call_runs_in_a_worker(pool):
    assert pool.call("math:comb", 10, 3) == 120
    assert pool.call("os:getpid") != pool.call("os:getppid")


def test_past_its_time_the_worker_is_killed_and_replaced(pool):
    killed = pool.killed
    t0 = time.monotonic()
    with pytest.raises(IsolationError, match="ran past 2 s"):
        pool.call("time:sleep", 30)
    assert time.monotonic() - t0 < 5
    assert pool.killed == killed + 1
    assert pool.call("math:comb", 5, 2) == 10            # a fresh worker serves on


def test_a_long_computation_is_stopped(pool):
    t0 = time.monotonic()
    with pytest.raises(IsolationError):
        pool.call("math:factorial", 10**8)                # minutes of CPU
    assert time.monotonic() - t0 < 6


def test_memory_past_the_limit_is_an_error_not_a_crash(pool):
    with pytest.raises(IsolationError, match="memory"):
        pool.call("builtins:bytearray", 4 << 30)
    assert pool.call("math:comb", 4, 2) == 6


def test_a_user_error_stays_a_user_error(pool):
    with pytest.raises(UserError, match="empty"):
        pool.call("triforce.errors:parse_number", "")


def test_one_slow_call_does_not_hold_the_others(pool):
    slow = threading.Thread(target=lambda: pytest.raises(IsolationError, pool.call,
                                                         "time:sleep", 30), daemon=True)
    slow.start()
    time.sleep(0.2)
    t0 = time.monotonic()
    assert pool.call("math:comb", 6, 3) == 20
    assert time.monotonic() - t0 < 1.5
    slow.join(10)


CODE = "lda #$00\nsta $10\nlda $10\nrts\n"


@pytest.mark.parametrize("name, args", [
    ("assemble", {"code": CODE}), ("cycles", {"code": CODE}), ("lint", {"code": CODE}),
    ("optimize", {"code": CODE}), ("run", {"code": CODE}),
    ("equivalence", {"a": "lda #$00\nsta $10\nrts", "b": "stz $10\nlda #$00\nrts"}),
    ("assemble", {"code": 'incsrc "/etc/passwd"'}),
])
def test_tools_in_a_worker_answer_as_in_process(pool, name, args):
    here = ToolBox().call(name, **args)
    there = ToolBox(isolation=pool).call(name, **args)
    assert (there.ok, there.summary) == (here.ok, here.summary)
    assert _timeless(there.data) == _timeless(here.data)


def _timeless(value):
    """``value`` with every measured time left out (they differ from run to run)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    if isinstance(value, dict):
        return {k: _timeless(v) for k, v in value.items() if k != "seconds"}
    if isinstance(value, list | tuple):
        return [_timeless(v) for v in value]
    return value


def test_a_tool_that_runs_too_long_is_a_failed_check(pool):
    box = ToolBox(isolation=WorkerPool(workers=1, seconds=0.2))
    try:
        res = box.call("optimize", code="lda #$00\nsta $10\n" * 400 + "rts")
        assert not res.ok and "did not finish" in res.summary
        chk = box.check("nop")
        assert chk.ok
    finally:
        box.isolation.close()
