; bug: none
; the hardware multiplier: write $4202/$4203, wait, read the product at $4216

lorom

org $0DFD00
; Damage = base damage * sword level, via WRMPYA/WRMPYB.
ComputeSwordDamage:
    php
    sep #$20
    lda $7EF359
    sta $4202
    lda $00
    sta $4203
    nop
    nop
    nop
    nop
    rep #$20
    lda $4216
    sta $02
    plp
    rtl
