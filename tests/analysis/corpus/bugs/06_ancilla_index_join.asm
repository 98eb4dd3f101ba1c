; bug: width-join line 23
; one path sets 16-bit index registers before joining the 8-bit path at .store

lorom

org $08F100
; Pick a free ancilla slot; the boomerang always uses slot 4.
FindAncillaSlot:
    php
    sep #$30
    ldx #$04
    lda $0C4A
    cmp #$05               ; boomerang
    beq .store
    rep #$10
    ldx #$0004
.search
    lda $0C4A,x
    beq .store
    dex
    bpl .search
    ldx #$0000
.store
    stx $0C
    plp
    rtl
