"""The linter: each rule fires on a bad snippet and stays quiet on a close good one."""

from __future__ import annotations

import pytest

from triforce.analysis.lint import RULES, lint_source
from triforce.errors import UserError

HEAD = "lorom\norg $008000\n"


def lint(body: str, **kw):
    return lint_source(HEAD + body, **kw)


def lines(findings, rule):
    """Source lines (counted in ``body``, from 1) where ``rule`` fired."""
    return sorted(f.line - 2 for f in findings if f.rule == rule)


def test_every_rule_has_severity_and_description():
    for rule, (sev, desc) in RULES.items():
        assert sev in ("error", "warning", "info") and desc, rule


def test_assembly_error_is_one_user_error():
    with pytest.raises(UserError):
        lint("Main:\n  lda\n")


# imm-width
def test_imm_width_fires():
    f = lint("Main:\n  php\n  sep #$20\n  lda #$1234\n  plp\n  rts\n")
    assert lines(f, "imm-width") == [4]
    assert f[0].severity == "error" and f[0].fix


def test_imm_width_16bit_with_short_immediate():
    f = lint("Main:\n  php\n  rep #$30\n  ldx.b #$12\n  plp\n  rts\n")
    assert lines(f, "imm-width") == [4]


def test_imm_width_quiet_when_width_matches_or_unknown():
    f = lint("Main:\n  php\n  rep #$20\n  lda #$1234\n  plp\n  rts\nOther:\n  lda #$1234\n  rts\n")
    assert lines(f, "imm-width") == []


def test_imm_width_uses_given_entry_width():
    assert lines(lint("Main:\n  lda #$1234\n  rts\n", m=1), "imm-width") == [2]
    assert lines(lint("Main:\n  lda #$1234\n  rts\n", m=0), "imm-width") == []


def test_imm_width_follows_the_callers_width():
    src = "Main:\n  php\n  rep #$20\n  jsr Sub\n  plp\n  rts\nSub:\n  lda #$12\n  rts\n"
    assert lines(lint(src), "imm-width") == [8]


# width-join
def test_width_join_fires():
    src = ("Main:\n  php\n  lda $00\n  beq +\n  rep #$20\n+\n  lda $02\n  plp\n  rts\n")
    assert lines(lint(src), "width-join") == [7]


def test_width_join_quiet_when_paths_agree():
    src = ("Main:\n  php\n  lda $00\n  beq +\n  rep #$20\n  bra ++\n+\n  rep #$20\n++\n"
           "  lda $02\n  plp\n  rts\n")
    assert lines(lint(src), "width-join") == []


# width-return / width-no-php
def test_width_return_fires_for_entry_routine():
    f = lint("Main:\n  sep #$30\n  lda #$01\n  rts\n", m=0, x=0)
    assert lines(f, "width-return") == [4]


def test_width_return_quiet_with_php_plp():
    f = lint("Main:\n  php\n  sep #$30\n  lda #$01\n  plp\n  rts\n", m=0, x=0)
    assert lines(f, "width-return") == [] and lines(f, "width-no-php") == []


def test_width_no_php_fires_for_called_routine():
    src = "Main:\n  jsr Sub\n  rts\nSub:\n  rep #$20\n  lda #$1234\n  rts\n"
    f = lint(src)
    assert lines(f, "width-no-php") == [5]
    assert lines(f, "width-return") == []


def test_width_no_php_fires_when_restored_by_a_fixed_sep():
    # the width is set back by guesswork (SEP), not saved: reported at the first REP
    src = "Main:\n  jsr Sub\n  rts\nSub:\n  rep #$20\n  lda #$1234\n  sep #$20\n  rts\n"
    f = lint(src)
    assert lines(f, "width-no-php") == [5] and lines(f, "width-return") == []


def test_width_no_php_quiet_with_php_plp_or_without_calls():
    src = ("Main:\n  jsr Sub\n  rts\nSub:\n  php\n  rep #$20\n  lda #$1234\n  plp\n  rts\n"
           "Other:\n  rep #$20\n  lda #$1234\n  sep #$20\n  rts\n")
    f = lint(src)
    assert lines(f, "width-no-php") == [] and lines(f, "width-return") == []


# stack-unbalanced
def test_stack_unbalanced_fires():
    assert lines(lint("Main:\n  phb\n  phk\n  plb\n  rts\n"), "stack-unbalanced") == [5]


def test_stack_unbalanced_on_one_path():
    src = "Main:\n  pha\n  lda $00\n  beq +\n  pla\n  rts\n+\n  rts\n"
    assert lines(lint(src, m=1), "stack-unbalanced") == [8]


def test_stack_unbalanced_with_unknown_entry_width():
    # PHX in the (unknown) entry width, the early exit forgets the PLX
    src = ("Main:\n  phx\n  php\n  sep #$30\n  lda $00\n  beq +\n  plp\n  rtl\n+\n  plp\n"
           "  plx\n  rtl\n")
    f = lint(src)
    assert lines(f, "stack-unbalanced") == [8]


def test_stack_balanced_quiet():
    src = "Main:\n  php\n  phb\n  pha\n  phx\n  plx\n  pla\n  plb\n  plp\n  rtl\n"
    assert lines(lint(src), "stack-unbalanced") == []


# call-return-mismatch
def test_call_return_mismatch_fires():
    src = "Main:\n  jsl Sub\n  jsr Far\n  rts\nSub:\n  rts\nFar:\n  rtl\n"
    assert lines(lint(src), "call-return-mismatch") == [2, 3]


def test_call_return_match_quiet():
    src = "Main:\n  jsr Sub\n  jsl Far\n  rts\nSub:\n  rts\nFar:\n  rtl\n"
    assert lines(lint(src), "call-return-mismatch") == []


# irq-rts / irq-save
def test_irq_rts_fires_for_named_handler():
    src = "NMI_Handler:\n  rep #$30\n  pha\n  pla\n  rts\n"
    assert lines(lint(src), "irq-rts") == [5]


def test_irq_rts_fires_for_jsr_to_rti_routine():
    src = "Main:\n  jsr Handler\n  rts\nHandler:\n  rti\n"
    assert lines(lint(src), "irq-rts") == [2]


def test_irq_rts_quiet_with_rti():
    src = "NMI:\n  rep #$30\n  pha\n  phx\n  lda #$0000\n  ldx #$0000\n  plx\n  pla\n  rti\n"
    f = lint(src)
    assert lines(f, "irq-rts") == [] and lines(f, "irq-save") == []


def test_irq_save_fires():
    src = "IRQ:\n  rep #$30\n  lda #$0000\n  sta $00\n  rti\n"
    assert lines(lint(src), "irq-save") == [3]


def test_irq_save_quiet_for_ordinary_routine():
    assert lines(lint("Main:\n  lda #$00\n  sta $00\n  rts\n"), "irq-save") == []


# decimal-left-set
def test_decimal_left_set_fires():
    # reported at the return reached with D set, the message names the SED
    src = "Main:\n  sed\n  lda $00\n  clc\n  adc #$01\n  sta $00\n  rts\n"
    f = lint(src, m=1)
    assert lines(f, "decimal-left-set") == [7]
    assert "line 4" in f[0].message  # the SED, counted in the whole source


def test_decimal_left_set_only_on_the_path_without_cld():
    src = ("Main:\n  sed\n  lda $00\n  clc\n  adc #$01\n  bcs +\n  cld\n  rts\n+\n"
           "  sta $00\n  rts\n")
    assert lines(lint(src, m=1), "decimal-left-set") == [11]


def test_decimal_cleared_quiet():
    src = "Main:\n  sed\n  lda $00\n  clc\n  adc #$01\n  sta $00\n  cld\n  rts\n"
    assert lines(lint(src, m=1), "decimal-left-set") == []


# readonly-write / writeonly-read
def test_readonly_write_fires():
    f = lint("Main:\n  sep #$20\n  lda #$01\n  sta $4212\n  rts\n", m=1)
    assert lines(f, "readonly-write") == [4]


def test_writeonly_read_fires():
    f = lint("Main:\n  sep #$20\n  lda $2100\n  ora #$80\n  sta $2100\n  rts\n", m=1)
    assert lines(f, "writeonly-read") == [3]


def test_register_access_quiet_when_right():
    f = lint("Main:\n  sep #$20\n  lda $4212\n  lda #$80\n  sta $2100\n  lda $4218\n  rts\n", m=1)
    assert lines(f, "readonly-write") == [] and lines(f, "writeonly-read") == []


# width-access
def test_width_access_8bit_to_word_register():
    f = lint("Main:\n  sep #$20\n  lda #$00\n  sta $2116\n  rts\n", m=1)
    assert lines(f, "width-access") == [4]


def test_width_access_16bit_to_write_twice():
    f = lint("Main:\n  rep #$20\n  lda #$0010\n  sta $210D\n  sep #$20\n  rts\n", m=1)
    assert lines(f, "width-access") == [4]


def test_width_access_8bit_to_word_low_next_to_other_writes():
    # $4301 written (8-bit) just below: the high byte $4303 is still never written
    src = ("Main:\n  sep #$20\n  lda #$18\n  sta $4301\n  lda #$00\n  sta $4302\n  rts\n")
    assert lines(lint(src, m=1), "width-access") == [6]


def test_width_access_16bit_8bit_value_to_byte_register():
    src = "Main:\n  rep #$20\n  lda $00\n  and #$000F\n  sta $2100\n  sep #$20\n  rts\n"
    assert lines(lint(src, m=1), "width-access") == [5]
    f = lint("Main:\n  rep #$20\n  lda #$0001\n  sta $420B\n  sep #$20\n  rts\n", m=1)
    assert lines(f, "width-access") == [4]


def test_width_access_quiet_for_pairs_and_zeroing():
    # a real 16-bit value to a register pair, a DMA DMAP/BBAD pair, STZ of a pair
    src = ("Main:\n  rep #$20\n  lda #$1317\n  sta $212C\n  lda #$0001\n  sta $4300\n"
           "  stz $420B\n  sep #$20\n  rts\n")
    assert lines(lint(src, m=1), "width-access") == []


def test_width_access_quiet():
    src = ("Main:\n  rep #$20\n  lda #$0000\n  sta $2116\n  sep #$20\n  lda #$10\n  sta $210D\n"
           "  stz $210D\n  lda #$00\n  sta $4302\n  lda #$80\n  sta $4303\n  rts\n")
    assert lines(lint(src, m=1), "width-access") == []


# DMA
DMA_OK = """Main:
  php
  sep #$20
  rep #$10
  lda #$80
  sta $2115
  ldx #$0000
  stx $2116
  lda #$01
  sta $4300
  lda #$18
  sta $4301
  ldx #$8000
  stx $4302
  lda #$00
  sta $4304
  ldx #$0800
  stx $4305
  lda #$01
  sta $420B
  plp
  rts
"""


def test_dma_good_setup_is_quiet():
    f = lint(DMA_OK)
    assert [x for x in f if x.rule.startswith("dma")] == []


def test_dma_enable_order_fires():
    src = DMA_OK.replace("  lda #$01\n  sta $420B\n", "").replace(
        "  lda #$01\n  sta $4300\n", "  lda #$01\n  sta $420B\n  lda #$01\n  sta $4300\n")
    f = lint(src)
    assert lines(f, "dma-enable-order") == [10]


def test_dma_size_zero_fires():
    f = lint(DMA_OK.replace("ldx #$0800", "ldx #$0000"))
    assert lines(f, "dma-size-zero") == [18]


def test_dma_vram_setup_fires():
    src = DMA_OK.replace("  ldx #$0000\n  stx $2116\n", "")
    assert lines(lint(src), "dma-vram-setup") == [18]


def test_dma_bbus_mode_fires():
    f = lint(DMA_OK.replace("lda #$18", "lda #$19"))
    assert lines(f, "dma-bbus-mode") == [12]


def test_dma_bbus_mode_vmain_fires():
    f = lint(DMA_OK.replace("  lda #$01\n  sta $4300", "  lda #$00\n  sta $4300"))
    assert lines(f, "dma-bbus-mode") == [12]


# MVN
def test_mvn_order_fires():
    src = "Main:\n  phb\n  rep #$30\n  lda #$00FF\n  ldx #$0000\n  ldy #$0000\n  mvn $C0,$7E\n  plb\n  sep #$30\n  rts\n"
    assert lines(lint(src, m=1, x=1), "mvn-order") == [7]


def test_mvn_order_quiet():
    src = "Main:\n  phb\n  rep #$30\n  lda #$00FF\n  ldx #$8000\n  ldy #$0000\n  mvn $7E,$C0\n  plb\n  sep #$30\n  rts\n"
    f = lint(src, m=1, x=1)
    assert lines(f, "mvn-order") == [] and lines(f, "mvn-count") == [] and lines(f, "mvn-dbr") == []


def test_mvn_count_fires():
    src = "Main:\n  phb\n  rep #$30\n  lda #$0100\n  ldx #$8000\n  ldy #$0000\n  mvn $7E,$C0\n  plb\n  sep #$30\n  rts\n"
    assert lines(lint(src, m=1, x=1), "mvn-count") == [4]


def test_mvn_dbr_fires():
    # reported at the return the changed DBR reaches
    src = "Main:\n  rep #$30\n  lda #$00FF\n  ldx #$8000\n  ldy #$0000\n  mvn $7E,$C0\n  sep #$30\n  rts\n"
    assert lines(lint(src, m=1, x=1), "mvn-dbr") == [8]


def test_mvn_count_fires_for_label_difference():
    src = ("Main:\n  phb\n  rep #$30\n  ldx.w #Table\n  ldy #$0000\n  lda.w #Table_end-Table\n"
           "  mvn $7E,$00\n  plb\n  sep #$30\n  rts\nTable:\n  db 1,2,3\n.end\n")
    assert lines(lint(src, m=1, x=1), "mvn-count") == [6]
    ok = src.replace("#Table_end-Table", "#Table_end-Table-1")
    assert lines(lint(ok, m=1, x=1), "mvn-count") == []


# dbr-assumption / dp-assumption
def test_dbr_assumption_fires_for_registers_in_wram_bank():
    src = "Main:\n  phb\n  sep #$20\n  lda #$7E\n  pha\n  plb\n  sta $2100\n  plb\n  rts\n"
    assert lines(lint(src, m=1), "dbr-assumption") == [7]


def test_dbr_assumption_fires_for_high_wram_with_rom_bank():
    src = "Main:\n  phb\n  phk\n  plb\n  lda $3000\n  plb\n  rts\n"
    assert lines(lint(src, m=1), "dbr-assumption") == [5]


def test_dbr_assumption_quiet():
    src = "Main:\n  phb\n  sep #$20\n  lda #$7E\n  pha\n  plb\n  lda $3000\n  sta $0010\n  plb\n  rts\n"
    assert lines(lint(src, m=1), "dbr-assumption") == []


def test_dp_assumption_fires_after_unmatched_pld():
    src = "Main:\n  pha\n  pha\n  pld\n  lda $10\n  rts\n"
    assert lines(lint(src, m=1), "dp-assumption") == [5]


def test_dp_assumption_quiet_with_phd_pld():
    src = "Main:\n  phd\n  rep #$20\n  lda #$4300\n  tcd\n  sep #$20\n  lda $10\n  pld\n  rts\n"
    assert lines(lint(src, m=1), "dp-assumption") == []


def test_dp_assumption_fires_outside_the_register_page():
    src = ("Main:\n  phd\n  rep #$20\n  lda #$4300\n  tcd\n  sep #$20\n  lda #$01\n  sta $20\n"
           "  lda $8A\n  pld\n  rts\n")
    assert lines(lint(src, m=1), "dp-assumption") == [9]


def test_dp_assumption_quiet_for_ram_page():
    src = "Main:\n  phd\n  rep #$20\n  lda #$0300\n  tcd\n  sep #$20\n  lda $8A\n  pld\n  rts\n"
    assert lines(lint(src, m=1), "dp-assumption") == []


def test_handler_names_match_whole_parts_only():
    src = ("CopyList:\n  lda #$00\n  rts\nEnableNmi:\n  lda #$81\n  sta $4200\n  rtl\n"
           "VBlankHandler:\n  rep #$30\n  lda #$0000\n  rts\n")
    f = lint(src)
    assert lines(f, "irq-rts") == [11] and lines(f, "irq-save") == [10]


def test_vectors_win_over_names():
    src = ("NmiLike:\n  lda #$00\n  rts\nRealNmi:\n  rep #$30\n  pha\n  pla\n  rti\n"
           "org $00FFEA\n  dw RealNmi\n")
    f = lint(src)
    assert lines(f, "irq-rts") == [] and lines(f, "irq-save") == []


def test_called_routine_is_not_a_handler():
    src = "Main:\n  jsr NmiWork\n  rts\nNmiWork:\n  lda #$00\n  rts\n"
    f = lint(src)
    assert lines(f, "irq-rts") == [] and lines(f, "irq-save") == []


def test_finding_fields_and_dict():
    f = lint("Main:\n  phb\n  rts\n")[0]
    d = f.to_dict()
    assert {"rule", "line", "severity", "message", "file", "fix", "address"} <= set(d)
    assert d["address"] == "$008001" and d["file"] == "<input>.asm"
