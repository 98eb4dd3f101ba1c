; bug: width-access line 21
; the word register A1T0 ($4302) is written with 8-bit A, so its high byte keeps a stale value

lorom

org $00F800
; Upload the sword graphics to VRAM $4000.
UploadSwordGfx:
    php
    sep #$20
    rep #$10
    lda #$80
    sta $2115
    ldx #$4000
    stx $2116
    lda #$01
    sta $4300
    lda #$18
    sta $4301
    lda.b #SwordGfx
    sta $4302
    lda.b #SwordGfx>>16
    sta $4304
    ldx #$0200
    stx $4305
    lda #$01
    sta $420B
    plp
    rtl

SwordGfx:
    fillbyte $00 : fill $200
