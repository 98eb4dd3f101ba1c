"""Warnings asar does not give that Triforce offers (off by default, like asar's own)."""

from __future__ import annotations

from triforce.asm import assemble


def ids(source: str, **kw) -> list[tuple[int, str]]:
    res = assemble(source, **kw)
    assert res.ok, [str(d) for d in res.errors]
    return [(d.line, d.id) for d in res.warnings]


SOURCE = """\
org $008000
    lda #$123456
    db $1FF
    mvn $00,$7E
    mvn $7E,$7F
    lda #1
    lda.b #1
    lda #$12
"""


def test_off_by_default():
    assert ids(SOURCE) == []


def test_extra_warnings():
    got = ids(SOURCE, extra_warnings=True)
    assert (2, "Wvalue_truncated") in got
    assert (3, "Wvalue_truncated") in got
    assert (4, "Wmvn_reversed") in got
    assert (6, "Wimplicitly_sized_immediate") in got
    # a move from WRAM to WRAM, an explicit width and a 2-digit hex literal are fine
    assert not any(line in (5, 7, 8) for line, _ in got)


def test_enabled_one_by_one_and_from_source():
    assert ids(SOURCE, warnings=["Wmvn_reversed"]) == [(4, "Wmvn_reversed")]
    src = "warnings enable Wvalue_truncated\n" + SOURCE
    assert [i for _, i in ids(src)] == ["Wvalue_truncated", "Wvalue_truncated"]
