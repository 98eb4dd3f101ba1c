; bug: none
; VRAM DMA with VMAIN, VMADD, a 16-bit DMAP/BBAD pair and a non-zero size

lorom

org $00E000
; Upload 2 KB of sprite tiles from $7EA000 to VRAM $6000.
UploadSpriteTiles:
    php
    rep #$20
    sep #$10
    ldx #$80
    stx $2115
    lda #$6000
    sta $2116
    lda #$1801
    sta $4300
    lda #$A000
    sta $4302
    ldx #$7E
    stx $4304
    lda #$0800
    sta $4305
    ldx #$01
    stx $420B
    plp
    rtl
