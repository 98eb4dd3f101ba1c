; optimize: stz
; observe: $7E0F80-$7E0F83
; saves: 3 cycles, 3 bytes
; LDA #$0000 : STA in 16-bit becomes STZ

lorom

org $0CF000
; Reset the race timer and start it when the race flag is set.
ResetRaceTimer:
    php
    rep #$20
    lda #$0000
    sta $0F80
    sep #$20
    lda $0F82
    beq .idle
    lda #$01
    sta $0F83
.idle
    plp
    rtl
