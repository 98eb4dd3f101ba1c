; bug: dma-bbus-mode line 15
; mode 1 aimed at VMDATAH ($2119) writes $2119 and $211A (M7SEL) instead of both VRAM bytes

lorom

org $00FE80
; Upload the Mode 7 map buffer from $7F0000.
UploadMode7Map:
    php
    rep #$20
    sep #$10
    ldx #$80
    stx $2115
    stz $2116
    lda #$1901
    sta $4300
    stz $4302
    ldx #$7F
    stx $4304
    lda #$4000
    sta $4305
    ldx #$01
    stx $420B
    plp
    rtl
