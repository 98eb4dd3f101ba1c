; bug: dma-bbus-mode line 14
; CGDATA is a write-twice register; mode 1 alternates $2122/$2123 and writes window settings

lorom

org $00FE00
; Restore the dungeon palette from the buffer at $7EC500.
RestorePalette:
    php
    rep #$20
    sep #$10
    ldx #$00
    stx $2121
    lda #$2201
    sta $4300
    lda #$C500
    sta $4302
    ldx #$7E
    stx $4304
    lda #$0200
    sta $4305
    ldx #$01
    stx $420B
    plp
    rtl
