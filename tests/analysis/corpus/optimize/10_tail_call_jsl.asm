; optimize: tail-call
; observe: $7E0010-$7E0011
; saves: 10 cycles, 1 bytes
; JSL followed by RTL becomes JML

lorom

org $0CEA00
; Leave the dungeon: set the module, then let the shared routine reset the sub-module.
LeaveDungeon:
    php
    sep #$20
    lda #$08
    sta $10
    plp
    jsl ResetSubmoduleLong
    rtl

ResetSubmoduleLong:
    php
    sep #$20
    stz $11
    plp
    rtl
