; optimize: tail-call
; observe: A,$7E0010-$7E0011
; saves: 9 cycles, 1 bytes
; JSR followed by RTS becomes JMP

lorom

org $0CE800
; Switch to the file select module.
GotoFileSelect:
    php
    sep #$20
    lda #$01
    sta $10
    plp
    jsr ResetSubmodule
    rts

ResetSubmodule:
    php
    sep #$20
    stz $11
    plp
    rts
