; bug: imm-width line 14
; immediate sized for 16-bit A while the accumulator is 8-bit

lorom

org $02F000
; Reset the layer 1 scroll registers at the start of an overworld screen.
InitBg1Scroll:
    php
    sep #$20
    lda #$00
    sta $210D
    sta $210D
    lda #$1F00
    sta $210E
    lda #$00
    sta $210E
    plp
    rts

CallScrollInit:
    jsr InitBg1Scroll
    rtl
