; optimize: redundant-cmp
; observe: A,$7E0010-$7E0010
; saves: 2 cycles, 2 bytes
; CMP #$00 after LDA: the load already set Z and N

lorom

org $00E800
; Advance the module only when the sub-module counter is zero.
AdvanceModule:
    php
    sep #$20
    lda $11
    cmp #$00
    bne .done
    inc $10
.done
    plp
    rtl
