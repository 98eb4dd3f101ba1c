"""Inputs that used to crash or hang the assembler: each is now diagnosed, none raises.

Values follow asar 1.91 where asar has an answer (measured against the binary): shifts count
modulo 64, a huge power is a double, ``log(0)`` is -inf, the 21st error ends the assembly,
output that runs past a bank border is a fatal error.
"""

from __future__ import annotations

import pytest

from triforce.asm import SANDBOX_WORK, Sandbox, assemble


def ids(result) -> list[str]:
    return [d.id for d in result.diagnostics if d.severity == "error"]


def located(result) -> bool:
    """Every error names its file, and its line unless it is about the whole file."""
    return all(d.file and (d.line or d.id == "Ebinary_file")
               for d in result.diagnostics if d.severity == "error")


@pytest.mark.parametrize("source", [
    "x = 2**1024*2\ndb x", "x = 2**1023*2\ndb x", "db log(0)", "db sqrt(-1)", "db 9**99999999",
    "org $8000\nwarnpc 9**99999999", "x = 9**9999999\ndb x", "db 1<<100000000000",
    "db round(1.5, 99999999)", "db floor(2**1024*2)", "db -9223372036854775808/-1",
    "print hex(5, 100000)", "print double(1.5, 100000)", "print dec(2**1024*2)",
])
def test_numbers_out_of_range_do_not_raise(source):
    r = assemble(source)
    assert located(r)


def test_shift_counts_wrap_as_asar():
    assert assemble("print dec(1<<100)").prints == ["68719476736"]
    assert assemble("print dec(1<<64)").prints == ["1"]


def test_print_width_is_capped_as_asar():
    assert assemble("print hex(5, 100)").prints == ["0" * 63 + "5"]


@pytest.mark.parametrize("source, error", [
    ("db " + "(" * 5000 + "1" + ")" * 5000, "Emalformed_expression"),
    ("db " + "-" * 5000 + "1", "Emalformed_expression"),
    ("fill 1<<63", "Erom_too_big"),
    ("org $8000\npad $FFFFFFFFFFFF", "Erom_too_big"),
    ("org $8000\nnop #$FFFFFFFFF", "Erom_too_big"),
    ('incbin "a\x01b"', "Efile_not_found"),
    ('incbin "a\x00b"', "Ebinary_file"),
    ('incbin "unclosed', "Eunclosed_string"),
    ("table", "Einvalid_table_file"),
    ("!a = x\n!a = !a!a\ndb !a", "Erecursive_define"),
    ("print pctosnes(2.5*100000000000.0)", "Einvalid_address"),
])
def test_malformed_input_is_one_error(source, error):
    r = assemble(source)
    assert error in ids(r), r.diagnostics
    assert located(r)


def test_lone_surrogate_source_is_an_error():
    r = assemble("\ud800")
    assert not r.ok and ids(r) == ["Ebinary_file"]


def test_spcblock_with_base_off_assembles():
    r = assemble("org $8000\nspcblock $500\nbase off\nendspcblock")
    assert r.ok, r.diagnostics


@pytest.mark.parametrize("source", [
    "for i = 0..100000000\nendfor",
    "while 1\nendwhile\n",
    "macro twice()\n%twice()\n%twice()\nendmacro\n%twice()",
    "!a = x\nwhile 1\n!a := !a\nendwhile",
])
def test_endless_work_is_bounded(source):
    r = assemble(source, sandbox=Sandbox())
    assert not r.ok
    assert {"Ework_limit", "Einfinite_loop", "Erecursion_limit"} & set(ids(r)), r.diagnostics


def test_work_bound_counts_every_pass_and_names_itself():
    r = assemble("for i = 0..100000000\nendfor", max_work=5000)
    assert ids(r) == ["Ework_limit"]
    assert "5,000" in r.diagnostics[-1].message
    small = assemble("for i = 0..100\nnop\nendfor", sandbox=Sandbox())
    assert small.ok and len(small.rom) >= 100
    assert SANDBOX_WORK < 1_000_000


def test_writing_past_a_bank_border_is_fatal_as_asar():
    r = assemble('org $FFFF\nnop\nnop\nnop\nerror "not reached"')
    assert ids(r) == ["Ebank_border_crossed"]
    assert r.diagnostics[0].line == 3 and "$010001" in r.diagnostics[0].message
    assert ids(assemble("rep 100000000 : nop"))[-1] == "Ebank_border_crossed"


def test_twenty_errors_end_the_assembly_as_asar():
    r = assemble("\n".join(f"db missing_{i}" for i in range(30)))
    assert ids(r) == ["Elabel_not_found"] * 21 + ["Elimit_reached"]
    assert r.diagnostics[-1].line == 21


def test_deep_macro_recursion_is_reported_while_other_threads_assemble():
    """The recursion limit is the process's: assembling in other threads at the same time
    must not pull it down under a deep expansion."""
    import threading

    stop = threading.Event()

    def small() -> None:
        while not stop.is_set():
            assemble("nop")

    others = [threading.Thread(target=small) for _ in range(2)]
    for t in others:
        t.start()
    try:
        for _ in range(5):
            r = assemble("macro a()\n%a()\nendmacro\n%a()")
            assert "Erecursion_limit" in ids(r)
    finally:
        stop.set()
        for t in others:
            t.join()


def test_a_lower_recursion_limit_of_the_caller_is_an_error_not_a_crash():
    import sys

    from triforce.asm import Assembler

    saved = sys.getrecursionlimit()
    sys.setrecursionlimit(400)
    try:
        r = Assembler().assemble("macro a()\n%a()\nendmacro\n%a()", "deep.asm")
    finally:
        sys.setrecursionlimit(saved)
    assert "Erecursion_limit" in ids(r)
