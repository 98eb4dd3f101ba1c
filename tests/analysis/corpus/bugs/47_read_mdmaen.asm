; bug: writeonly-read line 23
; MDMAEN ($420B) is write-only; polling it for completion reads open bus

lorom

org $00FD80
; Start the OAM DMA on channel 7 and wait until it is done.
StartOamDma:
    php
    rep #$20
    sep #$10
    stz $2102
    lda #$0400
    sta $4370
    lda #$0800
    sta $4372
    ldx #$7E
    stx $4374
    lda #$0220
    sta $4375
    ldx #$80
    stx $420B
    lda $420B
    plp
    rtl
